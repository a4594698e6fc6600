package dev.flowbook.flink.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowbook.flink.TestCluster;
import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.runtime.EncodedKeySelector;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/** The windowing operator in a real STREAMING job on the MiniCluster: serialized, shuffled by key, watermarks through the network. */
class StreamingJobTest {
    /** Replays a script: a record starting with 'W' is a watermark (8 bytes after it), others pass; upstream watermarks are dropped but the last. */
    static final class Script extends AbstractStreamOperator<byte[]> implements OneInputStreamOperator<byte[], byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(StreamRecord<byte[]> e) {
            byte[] b = e.getValue();
            if (b.length == 9 && b[0] == 'W') output.emitWatermark(new Watermark(new ByteIn(b, 1, 9).readInt64BE()));
            else output.collect(e);
        }

        @Override
        public void processWatermark(Watermark mark) {
            if (mark.getTimestamp() == Long.MAX_VALUE) output.emitWatermark(mark);
        }
    }

    static byte[] wm(long t) {
        return new ByteOut().writeByte('W').writeInt64BE(t).toByteArray();
    }

    static byte[] el(Windowing w, String key, long value, long ts) {
        ByteOut o = new ByteOut();
        Windows.writeInstant(ts, o);
        List<Windows.Window> ws = w.assign(ts);
        o.writeInt32BE(ws.size());
        for (Windows.Window x : ws) w.windowCoder().write(x, o);
        o.writeByte(0x0F);
        Harness.KV.encode(new CoderSpec.KV(key, value), o);
        return o.toByteArray();
    }

    @Test
    void discardingModeWithLateDataOnACluster() throws Exception {
        Windowing w = Windowing.fromJson(Plan.JSON.readTree("""
                {"windowFn":{"type":"fixed","sizeMs":1000},
                 "trigger":{"kind":"afterEndOfWindow","earlyFirings":{"kind":"elementCount","elementCount":2},"lateFirings":{"kind":"never"}},
                 "accumulationMode":"DISCARDING","allowedLatenessMs":5000}"""), "windowing");
        List<byte[]> script = List.of(wm(-1), el(w, "k", 100, 100), el(w, "k", 200, 200), el(w, "j", 7, 300), el(w, "k", 500, 500),
                wm(999), el(w, "k", 750, 750), el(w, "k", 250, 250), wm(6500), el(w, "k", 1, 10) /* droppably late */);
        StreamExecutionEnvironment env = TestCluster.env();
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.setParallelism(2);
        DataStream<byte[]> in = env.fromData(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO, script.toArray(new byte[0][]))
                .setParallelism(1)
                .transform("Script", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO, new Script()).setParallelism(1);
        DataStream<byte[]> out = GroupAlsoByWindowOperator.transform(in.keyBy(new EncodedKeySelector(Harness.STR, w.windowCoder())),
                "GBK", Harness.STR, w, null);
        List<String> panes = new ArrayList<>();
        JobExecutionResult r;
        try (CloseableIterator<byte[]> it = out.collectAsync()) {
            JobClient job = env.executeAsync("windowing");
            Harness fmt = new Harness(w, null);
            try {
                while (it.hasNext()) panes.add(fmt.pane(it.next()));
            } finally {
                fmt.close();
            }
            r = job.getJobExecutionResult().get();
        }
        panes.sort(null); // two keys on two subtasks: their order between keys is not defined
        assertEquals(List.of(
                "j [0,1000) ts=999 Pane(first,ON_TIME,0,0) [7]", // not last: late firings may follow
                "k [0,1000) ts=999 Pane(ON_TIME,1,0) [500]",
                "k [0,1000) ts=999 Pane(first,EARLY,0,-1) [100, 200]",
                "k [0,1000) ts=999 Pane(last,LATE,2,1) [250, 750]"), panes);
        assertEquals(1L, (Long) r.getAccumulatorResult(GroupAlsoByWindowOperator.droppedDueToLatenessName("GBK")));
    }
}
