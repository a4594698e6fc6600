package dev.flowbook.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.metrics.ConsoleAccumulator;
import dev.flowbook.flink.metrics.ConsoleAccumulator.Line;
import dev.flowbook.flink.plan.Plan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobExecutionResult;
import org.junit.jupiter.api.Test;

/** Users' console output: the CONSOLE frame, the console accumulator, ConsoleIO's sink. */
class ConsoleOutputTest {

    @Test
    void linesAreNumberedPerSourceAndEntriesGrowWhileStreamAndTransformStay() throws Exception {
        ConsoleAccumulator a = new ConsoleAccumulator("op2/0/0", 1 << 20);
        a.add(new Line("stdout", "T", "a\nb\n"));
        a.add(new Line("stdout", "T", "c")); // a missing newline is added
        a.add(new Line("stderr", "T", "oops\n"));
        a.add(new Line("stdout", null, "d\n"));
        JsonNode v = Plan.JSON.readTree(a.getLocalValue());
        assertEquals(0, v.get("dropped").asLong());
        JsonNode entries = v.get("sources").get("op2/0/0");
        assertEquals("[[0,\"stdout\",\"T\",\"a\\nb\\nc\\n\"],[3,\"stderr\",\"T\",\"oops\\n\"],[4,\"stdout\",null,\"d\\n\"]]", entries.toString());
    }

    @Test
    void theJobManagersMergeKeepsSourcesApart() throws Exception {
        ConsoleAccumulator a = new ConsoleAccumulator("op2/0/0", 1 << 20);
        ConsoleAccumulator b = new ConsoleAccumulator("op2/1/0", 1 << 20);
        a.add(new Line("stdout", "T", "a0\na1\n"));
        b.add(new Line("stdout", "T", "b0\n"));
        ConsoleAccumulator merged = a.clone();
        merged.merge(b);
        assertEquals(Map.of("op2/0/0", List.of("a0", "a1"), "op2/1/0", List.of("b0")), merged.lines());
        // The merge copied: the sources go on independently.
        a.add(new Line("stdout", "T", "a2\n"));
        assertEquals(List.of("a0", "a1"), merged.lines().get("op2/0/0"));
    }

    @Test
    void boundedKeepsAPrefixAndCountsTheRest() {
        ConsoleAccumulator a = new ConsoleAccumulator("s", 10);
        a.add(new Line("stdout", "T", "1234\n")); // 5 bytes
        a.add(new Line("stdout", "T", "ab\ncd\nef\n")); // 9 bytes: "ab\n" fits, "cd\n", "ef\n" do not
        a.add(new Line("stdout", "T", "x\n")); // fits by size, but output stays a prefix: dropped
        assertEquals(List.of("1234", "ab"), a.lines().get("s"));
        assertEquals(3, a.dropped());
        // Multi-byte characters count as their UTF-8 bytes.
        ConsoleAccumulator u = new ConsoleAccumulator("s", 4);
        u.add(new Line("stdout", null, "é\n")); // 3 bytes
        u.add(new Line("stdout", null, "é\n"));
        assertEquals(List.of("é"), u.lines().get("s"));
        assertEquals(1, u.dropped());
    }

    @Test
    void serializesConsistentlyWhileTheTaskThreadAdds() throws Exception {
        // A TaskManager's heartbeat serializes accumulators on its own thread while the task adds lines.
        ConsoleAccumulator a = new ConsoleAccumulator("s", 64 << 20);
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 200_000 && !stop.get(); i++) a.add(new Line(i % 3 == 0 ? "stderr" : "stdout", "T", "line " + i + "\n"));
        });
        writer.start();
        try {
            for (int round = 0; round < 20 || writer.isAlive(); round++) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                    out.writeObject(a);
                }
                ConsoleAccumulator copy;
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                    copy = (ConsoleAccumulator) in.readObject();
                }
                List<String> lines = copy.lines().getOrDefault("s", List.of());
                for (int i = 0; i < lines.size(); i++) assertEquals("line " + i, lines.get(i));
            }
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    @Test
    void workersConsoleFramesAndTheConsoleSinkEndInTheJobsAccumulators() throws Exception {
        List<String> in = new ArrayList<>();
        for (int i = 0; i < 500; i++) in.add("w" + i);
        String json = UserCodeTest.plan("console", """
                {"s1":{"op":"upper","print":true}}""", """
                {"id":"op1","name":"Create","kind":"source:create","payload":{"elements":%s}},
                {"id":"op2","name":"Upper","kind":"usercode","transforms":["Upper"],"inputs":[{"from":"op1","ship":"rebalance"}],
                 "outputs":["main"],"payload":{"stage":"s1"}},
                {"id":"op3","name":"Print","kind":"sink:console","transforms":["Print"],"inputs":[{"from":"op2"}],"outputs":[],
                 "payload":{"windowing":{"windowFn":{"type":"global"}},"prefix":"> "}}
                """.formatted(Records.elements(UserCodeTest.strings(in))));
        JobExecutionResult r = TestCluster.run(json);

        // The workers' lines: per source (subtask), numbered from 0 in the order sent; every element once.
        JsonNode worker = Plan.JSON.readTree((String) r.getAccumulatorResult("flowbook.console/op2"));
        assertEquals(0, worker.get("dropped").asLong());
        TreeSet<String> seen = new TreeSet<>();
        int stderrLines = 0;
        for (var src : (Iterable<Map.Entry<String, JsonNode>>) () -> worker.get("sources").fields()) {
            assertTrue(src.getKey().matches("op2/\\d/0"), src.getKey());
            long expect = 0;
            int n = 0;
            for (JsonNode e : src.getValue()) {
                assertEquals(expect, e.get(0).asLong());
                String[] lines = e.get(3).asText().split("\n");
                expect += lines.length;
                for (String l : lines) {
                    if (e.get(1).asText().equals("stderr")) {
                        stderrLines++;
                        assertEquals(n + " elements", l);
                        assertTrue(e.get(2).isNull());
                    } else {
                        assertEquals("Upper", e.get(2).asText());
                        String[] parts = l.split(" ");
                        assertEquals(String.valueOf(n++), parts[2]);
                        assertTrue(seen.add(parts[1]), "twice: " + l);
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(in), seen);
        assertEquals(2, stderrLines);
        assertEquals((Object) 500L, r.getAccumulatorResult("flowbook.records/op2/in"));
        assertEquals((Object) 500L, r.getAccumulatorResult("flowbook.records/op2/out"));
        // The workers' element counts per transform (METRICS "elements"); no output counter where none was sent.
        assertEquals((Object) 500L, r.getAccumulatorResult("flowbook.elements/Upper/in"));
        assertEquals((Object) 500L, r.getAccumulatorResult("flowbook.elements/Upper/out"));
        assertEquals((Object) 500L, r.getAccumulatorResult("flowbook.elements/Lifted/in"));
        assertNull(r.getAccumulatorResult("flowbook.elements/Lifted/out"));

        // ConsoleIO's sink: each value a line of the job's output (not the TaskManager's stdout).
        JsonNode sink = Plan.JSON.readTree((String) r.getAccumulatorResult("flowbook.console/op3"));
        TreeSet<String> printed = new TreeSet<>();
        for (var src : (Iterable<Map.Entry<String, JsonNode>>) () -> sink.get("sources").fields()) {
            for (JsonNode e : src.getValue()) {
                assertEquals("Print", e.get(2).asText());
                for (String l : e.get(3).asText().split("\n")) printed.add(l);
            }
        }
        TreeSet<String> want = new TreeSet<>();
        for (String s : in) want.add("> " + s.toUpperCase());
        assertEquals(want, printed);
    }
}
