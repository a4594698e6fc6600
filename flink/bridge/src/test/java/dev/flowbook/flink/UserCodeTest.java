package dev.flowbook.flink;

import static dev.flowbook.flink.Records.STR;
import static dev.flowbook.flink.Records.VARINT;
import static dev.flowbook.flink.Records.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.coders.CoderSpec.KV;
import dev.flowbook.flink.coders.WindowedValues.WindowCoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usercode operator against a fake Node worker (src/test/resources/fake-worker.mjs). */
class UserCodeTest {
    static String workerPath() throws Exception {
        return Path.of(UserCodeTest.class.getClassLoader().getResource("fake-worker.mjs").toURI()).toString();
    }

    static String plan(String name, String stages, String operators) throws Exception {
        return """
            {"format":"flowbook.flinkplan/v1","jobName":"%s","parallelism":2,"runtimeMode":"BATCH",
             "restart":{"attempts":2,"delayMs":100},
             "worker":{"command":["node","%s"],"batchBytes":4096},
             "stages":%s,
             "operators":[%s]}""".formatted(name, workerPath(), stages, operators);
    }

    static List<byte[]> strings(List<String> values) {
        List<byte[]> out = new ArrayList<>();
        for (String s : values) out.add(Records.global(STR, s));
        return out;
    }

    static List<String> words(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add((i % 3 == 0 ? "longword" : "w") + i);
        return out;
    }

    static List<String> sorted(List<Object> xs) {
        List<String> out = new ArrayList<>();
        for (Object x : xs) out.add((String) x);
        Collections.sort(out);
        return out;
    }

    @Test
    void batchesSideOutputsAndMetrics() throws Exception {
        List<String> in = words(20000);
        String json = plan("upper", """
                {"s1":{"op":"upper","longTag":true}}""", """
                {"id":"op1","name":"Create","kind":"source:create","payload":{"elements":%s}},
                {"id":"op2","name":"Upper","kind":"usercode","transforms":["Upper"],"inputs":[{"from":"op1","ship":"rebalance"}],
                 "outputs":["main","long"],"payload":{"stage":"s1"}},
                {"id":"op8","name":"CollectLong","kind":"collect","inputs":[{"from":"op2","output":"long"}],"outputs":[],"payload":{"limit":100000,"maxBytes":100000000}},
                {"id":"op9","name":"Collect","kind":"collect","inputs":[{"from":"op2"}],"outputs":[],"payload":{"limit":100000,"maxBytes":100000000}}
                """.formatted(Records.elements(strings(in))));
        JobExecutionResult r = TestCluster.run(json);
        List<String> want = new ArrayList<>();
        List<String> wantLong = new ArrayList<>();
        for (String s : in) {
            want.add(s.toUpperCase());
            if (s.length() > 5) wantLong.add(s);
        }
        Collections.sort(want);
        Collections.sort(wantLong);
        assertEquals(want, sorted(Records.values(r.getAccumulatorResult("flowbook.collect/op9"), STR, WindowCoder.GLOBAL)));
        assertEquals(wantLong, sorted(Records.values(r.getAccumulatorResult("flowbook.collect/op8"), STR, WindowCoder.GLOBAL)));
        Map<String, Object> acc = r.getAllAccumulatorResults();
        assertEquals(20000L, acc.get("flowbook.metric[\"counter\",\"Upper\",\"test\",\"elements\"]"));
        String dist = (String) acc.get("flowbook.metric[\"distribution\",\"Upper\",\"test\",\"length\"]");
        assertTrue(dist.contains("\"count\":20000") && dist.contains("\"min\":2"), dist);
        assertTrue(((String) acc.get("flowbook.metric[\"gauge\",\"Upper\",\"test\",\"subtask\"]")).contains("\"value\":"));
    }

    @Test
    void sideInputsArriveBeforeMainElements() throws Exception {
        String json = plan("side", """
                {"s1":{"op":"sideJoin"}}""", """
                {"id":"op1","name":"Main","kind":"source:create","payload":{"elements":%s}},
                {"id":"op3","name":"Side","kind":"source:create","payload":{"elements":%s}},
                {"id":"op4","name":"Side2","kind":"source:create","payload":{"elements":%s}},
                {"id":"op2","name":"Join","kind":"usercode","transforms":["Join"],
                 "inputs":[{"from":"op1"},{"from":"op3","ship":"broadcast"},{"from":"op4","ship":"broadcast"}],
                 "outputs":["main"],"payload":{"stage":"s1","sideInputs":[{"tag":"v1"},{"tag":"v2"}]}},
                {"id":"op9","name":"Collect","kind":"collect","inputs":[{"from":"op2"}],"outputs":[],"payload":{}}
                """.formatted(Records.elements(strings(List.of("x", "y", "z"))), Records.elements(strings(List.of("s2", "s1"))),
                Records.elements(strings(List.of("t")))));
        JobExecutionResult r = TestCluster.run(json);
        assertEquals(List.of("x|v1=s1,v1=s2,v2=t", "y|v1=s1,v1=s2,v2=t", "z|v1=s1,v1=s2,v2=t"),
                sorted(Records.values(r.getAccumulatorResult("flowbook.collect/op9"), STR, WindowCoder.GLOBAL)));
    }

    @Test
    void userErrorsFailTheJobWithTheirText() throws Exception {
        String json = plan("error", """
                {"s1":{"op":"upper","failOn":"boom"}}""", """
                {"id":"op1","name":"Create","kind":"source:create","payload":{"elements":%s}},
                {"id":"op2","name":"Upper","kind":"usercode","transforms":["My/Upper"],"inputs":[{"from":"op1"}],"payload":{"stage":"s1"}},
                {"id":"op9","name":"Collect","kind":"collect","inputs":[{"from":"op2"}],"outputs":[],"payload":{}}
                """.formatted(Records.elements(strings(List.of("a", "boom", "c")))));
        Exception e = assertThrows(Exception.class, () -> TestCluster.run(json));
        String text = ExceptionUtils.stringifyException(e);
        assertTrue(text.contains("dev.flowbook.flink.worker.UserCodeException: Error in transform 'My/Upper' while processing element \"boom\": cannot handle 'boom'\n"
                + "Error: cannot handle 'boom'\n    at processElement (user.js:1:1)\n[flowbook-error-json:"), text);
    }

    @Test
    void aDeadWorkerIsRestartedAndResultsAreExact(@TempDir Path tmp) throws Exception {
        List<String> in = words(5000);
        Path marker = tmp.resolve("died");
        String json = plan("die", """
                {"s1":{"op":"upper","dieOnceAt":"w2500","marker":"%s"}}""".formatted(marker), """
                {"id":"op1","name":"Create","kind":"source:create","payload":{"elements":%s}},
                {"id":"op2","name":"Upper","kind":"usercode","transforms":["Upper"],"inputs":[{"from":"op1"}],"payload":{"stage":"s1"}},
                {"id":"op9","name":"Collect","kind":"collect","inputs":[{"from":"op2"}],"outputs":[],"payload":{"limit":100000,"maxBytes":100000000}}
                """.formatted(Records.elements(strings(in))));
        JobExecutionResult r = TestCluster.run(json);
        assertTrue(Files.exists(marker), "the worker died once");
        List<String> want = new ArrayList<>();
        for (String s : in) want.add(s.toUpperCase());
        Collections.sort(want);
        assertEquals(want, sorted(Records.values(r.getAccumulatorResult("flowbook.collect/op9"), STR, WindowCoder.GLOBAL)));
        assertEquals(5000L, r.getAllAccumulatorResults().get("flowbook.metric[\"counter\",\"Upper\",\"test\",\"elements\"]"));
    }

    @Test
    void userCodeCombine() throws Exception {
        List<byte[]> els = new ArrayList<>();
        Map<String, Long> want = new TreeMap<>();
        for (int i = 0; i < 1000; i++) {
            String k = "k" + (i % 7);
            els.add(Records.global(kv(STR, VARINT), new KV(k, 1L)));
            want.merge(k, 1L, Long::sum);
        }
        String json = plan("ucombine", """
                {"pre":{"op":"precount"},"merge":{"op":"mergesum"}}""", """
                {"id":"op1","name":"Create","kind":"source:create","payload":{"elements":%s}},
                {"id":"op2","name":"Count","kind":"combine","transforms":["Count"],"inputs":[{"from":"op1","ship":"hash"}],
                 "payload":{"mode":"usercode","preStage":"pre","mergeStage":"merge","keyCoder":{"urn":"beam:coder:string_utf8:v1"}}},
                {"id":"op9","name":"Collect","kind":"collect","inputs":[{"from":"op2"}],"outputs":[],"payload":{}}
                """.formatted(Records.elements(els)));
        JobExecutionResult r = TestCluster.run(json);
        Map<Object, Object> got = new TreeMap<>();
        for (Object o : Records.values(r.getAccumulatorResult("flowbook.collect/op9"), kv(STR, VARINT), WindowCoder.GLOBAL)) {
            got.put(((KV) o).key(), ((KV) o).value());
        }
        assertEquals(new HashMap<Object, Object>(want), new HashMap<>(got));
    }
}
