package dev.flowbook.flink;

import static dev.flowbook.flink.Records.STR;
import static dev.flowbook.flink.Records.VARINT;
import static dev.flowbook.flink.Records.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.CoderSpec.KV;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.WindowedValues.WindowCoder;
import dev.flowbook.flink.coders.Windows;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.junit.jupiter.api.Test;

/** create → group_by_key / native combine → collect, on the shared MiniCluster. */
class GroupAndCombineTest {
    static final String KEY_STR = "{\"urn\":\"beam:coder:string_utf8:v1\"}";
    static final String VARINT_C = "{\"urn\":\"beam:coder:varint:v1\"}";

    static String plan(String name, String elements, String middle) {
        return """
            {"format":"flowbook.flinkplan/v1","jobName":"%s","parallelism":2,"runtimeMode":"BATCH",
             "operators":[
               {"id":"op1","name":"Create","kind":"source:create","transforms":["Create"],"inputs":[],"outputs":["main"],
                "payload":{"elements":%s}},
               %s,
               {"id":"op9","name":"Collect","kind":"collect","inputs":[{"from":"op2"}],"outputs":[],"payload":{"limit":100000}}
             ]}""".formatted(name, elements, middle);
    }

    static List<byte[]> kvs(Object... pairs) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) out.add(Records.global(kv(STR, VARINT), new KV(pairs[i], pairs[i + 1])));
        return out;
    }

    @Test
    void groupByKeyInTheGlobalWindow() throws Exception {
        List<byte[]> in = kvs("a", 1L, "b", 2L, "a", 3L, "c", 4L, "a", 5L, "b", 6L);
        JobExecutionResult r = TestCluster.run(plan("gbk", Records.elements(in), """
            {"id":"op2","name":"GroupByKey","kind":"group_by_key","inputs":[{"from":"op1","ship":"hash"}],
             "payload":{"keyCoder":%s,"windowing":{"windowFn":{"type":"global"}}}}""".formatted(KEY_STR)));
        Object acc = r.getAccumulatorResult("flowbook.collect/op2".replace("op2", "op9"));
        CoderSpec out = kv(STR, Records.iterable(VARINT));
        Map<Object, List<Object>> got = new TreeMap<>();
        for (byte[] rec : Records.collected(acc)) {
            Records.Decoded d = Records.decode(rec, out, WindowCoder.GLOBAL);
            assertEquals(Windows.END_OF_GLOBAL_WINDOW, d.timestamp());
            assertEquals(List.of(Windows.GLOBAL), d.windows());
            assertEquals(WindowedValues.PANE_ON_TIME_AND_ONLY_FIRING, new WindowedValues.View().parse(rec, WindowCoder.GLOBAL).paneBytes()[0]);
            KV kv = (KV) d.value();
            List<Object> vs = new ArrayList<>((List<?>) kv.value());
            vs.sort(null);
            got.put(kv.key(), vs);
        }
        assertEquals(Map.of("a", List.of(1L, 3L, 5L), "b", List.of(2L, 6L), "c", List.of(4L)), got);
    }

    @Test
    void nativeSumPerKeyManyKeys() throws Exception {
        List<byte[]> in = new ArrayList<>();
        Map<String, Long> want = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String k = "k" + (i % 97);
            long v = i % 13 - 3;
            in.add(Records.global(kv(STR, VARINT), new KV(k, v)));
            want.merge(k, v, Long::sum);
        }
        JobExecutionResult r = TestCluster.run(plan("sum", Records.elements(in), """
            {"id":"op2","name":"Sum.perKey","kind":"combine","inputs":[{"from":"op1","ship":"hash"}],
             "payload":{"mode":"native","fn":"sum","keyed":true,"keyCoder":%s,"inputCoder":%s}}""".formatted(KEY_STR, VARINT_C)));
        Map<Object, Object> got = new HashMap<>();
        for (Object o : Records.values(r.getAccumulatorResult("flowbook.collect/op9"), kv(STR, VARINT), WindowCoder.GLOBAL)) {
            KV kv = (KV) o;
            assertEquals(null, got.put(kv.key(), kv.value()), "one output per key");
        }
        assertEquals(new HashMap<Object, Object>(want), got);
    }

    @Test
    void nativeCountMeanMinMaxAndGloballyDefault() throws Exception {
        List<byte[]> in = kvs("a", 1L, "a", 4L, "b", 10L);
        for (String fn : List.of("count", "mean", "min", "max")) {
            JobExecutionResult r = TestCluster.run(plan(fn, Records.elements(in), """
                {"id":"op2","name":"%s","kind":"combine","inputs":[{"from":"op1","ship":"hash"}],
                 "payload":{"mode":"native","fn":"%s","keyCoder":%s,"inputCoder":%s}}""".formatted(fn, fn, KEY_STR, VARINT_C)));
            CoderSpec outC = kv(STR, fn.equals("mean") ? Records.DOUBLE : VARINT);
            Map<Object, Object> got = new TreeMap<>();
            for (Object o : Records.values(r.getAccumulatorResult("flowbook.collect/op9"), outC, WindowCoder.GLOBAL)) got.put(((KV) o).key(), ((KV) o).value());
            Map<Object, Object> want = switch (fn) {
                case "count" -> Map.of("a", 2L, "b", 1L);
                case "mean" -> Map.of("a", 2.5, "b", 10.0);
                case "min" -> Map.of("a", 1L, "b", 10L);
                default -> Map.of("a", 4L, "b", 10L);
            };
            assertEquals(want, got, fn);
        }
        // Combine.globally(Sum) over nothing gives 0; over values, their sum.
        for (List<byte[]> els : List.of(List.<byte[]>of(), List.of(Records.global(VARINT, 5L), Records.global(VARINT, 7L)))) {
            JobExecutionResult r = TestCluster.run(plan("globally", Records.elements(els), """
                {"id":"op2","name":"Sum.globally","kind":"combine","inputs":[{"from":"op1"}],
                 "payload":{"mode":"native","fn":"sum","keyed":false,"inputCoder":%s}}""".formatted(VARINT_C)));
            assertEquals(List.of(els.isEmpty() ? 0L : 12L), Records.values(r.getAccumulatorResult("flowbook.collect/op9"), VARINT, WindowCoder.GLOBAL));
        }
    }

    @Test
    void fixedAndSessionWindows() throws Exception {
        // Timestamps 1000, 2000, 9000 (key a) and 1500 (key b): fixed 5 s windows → a:[0,5s)={1,2}, a:[5s,10s)={3}, b:[0,5s)={4}.
        long[][] ev = {{1000, 1}, {2000, 2}, {9000, 3}, {1500, 4}};
        String[] keys = {"a", "a", "a", "b"};
        List<byte[]> in = new ArrayList<>();
        for (int i = 0; i < ev.length; i++) {
            in.add(Records.at(kv(STR, VARINT), new KV(keys[i], ev[i][1]), ev[i][0], Windows.GLOBAL, WindowCoder.GLOBAL));
        }
        String fixed = """
            {"id":"op5","name":"Window","kind":"window:assign","inputs":[{"from":"op1"}],
             "payload":{"windowFn":{"type":"fixed","sizeMs":5000}}},
            {"id":"op2","name":"Sum","kind":"combine","inputs":[{"from":"op5","ship":"hash"}],
             "payload":{"mode":"native","fn":"sum","keyCoder":%s,"inputCoder":%s,"windowing":{"windowFn":{"type":"fixed","sizeMs":5000}}}}"""
                .formatted(KEY_STR, VARINT_C);
        JobExecutionResult r = TestCluster.run(plan("fixed", Records.elements(in), fixed));
        Map<String, Object> got = new TreeMap<>();
        for (byte[] rec : Records.collected(r.getAccumulatorResult("flowbook.collect/op9"))) {
            Records.Decoded d = Records.decode(rec, kv(STR, VARINT), WindowCoder.INTERVAL);
            Windows.Interval w = (Windows.Interval) d.windows().get(0);
            assertEquals(w.end() - 1, d.timestamp());
            got.put(((KV) d.value()).key() + "@" + w.start(), ((KV) d.value()).value());
        }
        assertEquals(Map.of("a@0", 3L, "a@5000", 3L, "b@0", 4L), got);

        // Sessions with a 3 s gap: a at 1000, 2000 merge into [1000, 5000); 9000 alone [9000, 12000).
        String sessions = """
            {"id":"op5","name":"Window","kind":"window:assign","inputs":[{"from":"op1"}],
             "payload":{"windowFn":{"type":"sessions","gapMs":3000}}},
            {"id":"op2","name":"GroupByKey","kind":"group_by_key","inputs":[{"from":"op5","ship":"hash"}],
             "payload":{"keyCoder":%s,"windowing":{"windowFn":{"type":"sessions","gapMs":3000},"timestampCombiner":"EARLIEST"}}}"""
                .formatted(KEY_STR);
        r = TestCluster.run(plan("sessions", Records.elements(in), sessions));
        got = new TreeMap<>();
        for (byte[] rec : Records.collected(r.getAccumulatorResult("flowbook.collect/op9"))) {
            Records.Decoded d = Records.decode(rec, kv(STR, Records.iterable(VARINT)), WindowCoder.INTERVAL);
            Windows.Interval w = (Windows.Interval) d.windows().get(0);
            List<Object> vs = new ArrayList<>((List<?>) ((KV) d.value()).value());
            vs.sort(null);
            got.put(((KV) d.value()).key() + "@[" + w.start() + "," + w.end() + ")@" + d.timestamp(), vs);
        }
        assertEquals(Map.of("a@[1000,5000)@1000", List.of(1L, 2L), "a@[9000,12000)@9000", List.of(3L), "b@[1500,4500)@1500", List.of(4L)), got);
    }

    @Test
    void collectLimitAndFlatten() throws Exception {
        List<byte[]> in = new ArrayList<>();
        for (int i = 0; i < 50; i++) in.add(Records.global(VARINT, (long) i));
        String json = """
            {"format":"flowbook.flinkplan/v1","jobName":"flatten","parallelism":2,"runtimeMode":"BATCH",
             "operators":[
               {"id":"a","name":"A","kind":"source:create","inputs":[],"payload":{"elements":%s}},
               {"id":"b","name":"B","kind":"source:create","inputs":[],"payload":{"elements":%s}},
               {"id":"f","name":"Flatten","kind":"flatten","inputs":[{"from":"a"},{"from":"b","ship":"rebalance"}]},
               {"id":"c","name":"Collect","kind":"collect","inputs":[{"from":"f"}],"outputs":[],"payload":{"limit":10}}
             ]}""".formatted(Records.elements(in), Records.elements(in.subList(0, 5)));
        JobExecutionResult r = TestCluster.run(json);
        String v = (String) r.getAccumulatorResult("flowbook.collect/c");
        assertTrue(v.startsWith("{\"count\":55,\"truncated\":true,"), v);
        assertEquals(10, Records.collected(v).size());
    }
}
