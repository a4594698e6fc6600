package dev.flowbook.flink.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.WorkerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, point 4: what a Node worker emits for the elements before a watermark (or a
 * checkpoint barrier) leaves the operator before that watermark, so nothing downstream sees
 * it as late. Runs UserCodeOperator in Flink's operator test harness against the fake worker.
 */
class BundleBeforeWatermarkTest {
    static String hello() throws Exception {
        return """
            {"protocol":"%s","jobName":"t","operatorId":"op2","operatorName":"Upper","transforms":["Upper"],
             "stageId":"s1","stage":{"op":"upper"},"outputs":["main"],"sideInputs":[]}""".formatted(Frames.PROTOCOL);
    }

    static OneInputStreamOperatorTestHarness<byte[], byte[]> harness() throws Exception {
        String worker = Path.of(BundleBeforeWatermarkTest.class.getClassLoader().getResource("fake-worker.mjs").toURI()).toString();
        // bundleSize 1000: the bundle stays open across the elements below, as in STREAMING.
        WorkerConfig wc = new WorkerConfig(List.of("node", worker), Map.of(), null, 65536, 1000);
        UserCodeOperator.OneInput op = new UserCodeOperator.OneInput(hello(), List.of("main"), wc, false, "Upper",
                new UserCodeOperator.ConsoleSpec("op2", 1 << 20));
        return new OneInputStreamOperatorTestHarness<>(op);
    }

    static byte[] str(String s, long ts) {
        ByteOut o = new ByteOut();
        WindowedValues.writeHeader(o, ts, Windows.GLOBAL, WindowedValues.WindowCoder.GLOBAL, WindowedValues.PANE_NO_FIRING);
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeVarLong(b.length).write(b);
        return o.toByteArray();
    }

    static String value(byte[] rec) {
        ByteIn in = new WindowedValues.View().parse(rec, WindowedValues.WindowCoder.GLOBAL).valueIn();
        int n = in.readVarInt();
        return new String(rec, in.pos, n, StandardCharsets.UTF_8);
    }

    /** The harness's output in order: "W<ts>" for a watermark, the value for a record. */
    static List<String> events(OneInputStreamOperatorTestHarness<byte[], byte[]> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark w) out.add("W" + w.getTimestamp());
            else if (o instanceof StreamRecord<?> r) out.add(value((byte[]) r.getValue()));
        }
        return out;
    }

    @Test
    void aWatermarkFollowsTheOutputsOfTheElementsBeforeIt() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(str("a", 1), 1));
            h.processElement(new StreamRecord<>(str("b", 2), 2));
            h.processWatermark(new Watermark(10));
            h.processElement(new StreamRecord<>(str("c", 11), 11));
            h.processWatermark(new Watermark(20));
            assertEquals(List.of("A", "B", "W10", "C", "W20"), events(h));
        }
    }

    /** Main elements that wait for the side inputs hold the watermark back until they went through the worker. */
    @Test
    void aWatermarkWaitsForMainElementsBufferedBeforeTheSideInputs() throws Exception {
        String worker = Path.of(BundleBeforeWatermarkTest.class.getClassLoader().getResource("fake-worker.mjs").toURI()).toString();
        String hello = """
            {"protocol":"%s","jobName":"t","operatorId":"op2","operatorName":"Join","transforms":["Join"],
             "stageId":"s1","stage":{"op":"sideJoin"},"outputs":["main"],"sideInputs":[{"tag":"v1"}]}""".formatted(Frames.PROTOCOL);
        UserCodeOperator op = UserCodeOperator.withSideInputs(hello, List.of("main"),
                new WorkerConfig(List.of("node", worker), Map.of(), null, 65536, 1000), false, "Join", new UserCodeOperator.ConsoleSpec("op2", 1 << 20));
        try (var h = new org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness<byte[], byte[], byte[]>(op)) {
            h.open();
            h.processElement1(new StreamRecord<>(str("x", 1), 1)); // buffered: the side input has not ended
            ByteOut side = new ByteOut().writeVarLong(0);
            side.write(str("s", 0));
            h.processElement2(new StreamRecord<>(side.toByteArray(), 0));
            h.processBothWatermarks(new Watermark(10));
            List<String> before = new ArrayList<>();
            for (Object o : h.getOutput()) before.add(String.valueOf(o));
            assertEquals(List.of(), before, "held while x waits");
            h.endInput2();
            List<String> got = new ArrayList<>();
            for (Object o : h.getOutput()) got.add(o instanceof Watermark w ? "W" + w.getTimestamp() : value((byte[]) ((StreamRecord<?>) o).getValue()));
            assertEquals(List.of("x|v1=s", "W10"), got);
        }
    }

    @Test
    void aCheckpointFinishesTheBundleBeforeTheBarrier() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(str("x", 1), 1));
            h.prepareSnapshotPreBarrier(1L);
            assertEquals(List.of("X"), events(h), "the bundle's outputs are out before the barrier");
            h.processElement(new StreamRecord<>(str("y", 2), 2));
            h.processWatermark(new Watermark(5));
            assertTrue(events(h).indexOf("Y") < events(h).indexOf("W5"), events(h).toString());
        }
    }
}
