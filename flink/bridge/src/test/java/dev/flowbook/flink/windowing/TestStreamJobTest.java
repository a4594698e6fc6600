package dev.flowbook.flink.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.TestCluster;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.runtime.EncodedKeySelector;
import dev.flowbook.flink.runtime.TestStreamSource;
import dev.flowbook.flink.translate.TestStreamTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * TestStreamSource and the windowing operator on the MiniCluster: processing-time advances of
 * 12 and 6 minutes are applied on the job's synthetic clock, in order with the elements (each
 * event once the job is quiescent), and the job takes minutes of script in seconds.
 * Beam's TestStreamTest.testProcessingTimeTrigger, grouped.
 */
class TestStreamJobTest {
    @Test
    void processingTimeAdvancesFireEarlyPanesOnTheSyntheticClock() throws Exception {
        Windowing w = Windowing.fromJson(Plan.JSON.readTree("""
                {"windowFn":{"type":"global"},
                 "trigger":{"kind":"afterEndOfWindow","earlyFirings":{"kind":"afterProcessingTime","timestampTransforms":[{"kind":"delay","delayMillis":300000}]}},
                 "accumulationMode":"ACCUMULATING"}"""), "windowing");
        List<TestStreamSource.Event> events = List.of(
                new TestStreamSource.Elements(List.of(StreamingJobTest.el(w, "k", 1, 1000), StreamingJobTest.el(w, "k", 2, 2000)), new long[] {1000, 2000}),
                new TestStreamSource.AdvanceProcessingTime(12 * 60_000),
                new TestStreamSource.Elements(List.of(StreamingJobTest.el(w, "k", 3, 3000)), new long[] {3000}),
                new TestStreamSource.AdvanceProcessingTime(6 * 60_000),
                new TestStreamSource.WatermarkTo(Windows.TIMESTAMP_MAX));
        String clock = UUID.randomUUID().toString();
        StreamExecutionEnvironment env = TestCluster.env();
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.setParallelism(2);
        env.enableCheckpointing(TestStreamSource.CHECKPOINT_INTERVAL_MS, CheckpointingMode.EXACTLY_ONCE);
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(0);
        DataStream<byte[]> in = env.fromSource(new TestStreamSource(events, clock, 0),
                WatermarkStrategy.forGenerator(c -> new TestStreamTranslator.SourceWatermarksOnly()), "TestStream",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO).setParallelism(1);
        DataStream<byte[]> out = GroupAlsoByWindowOperator.transform(in.keyBy(new EncodedKeySelector(Harness.STR, w.windowCoder())),
                "GBK", Harness.STR, w, null, clock, 0);
        List<String> panes = new ArrayList<>();
        long started = System.nanoTime();
        try (CloseableIterator<byte[]> it = out.collectAsync()) {
            JobClient job = env.executeAsync("teststream");
            Harness fmt = new Harness(w, null);
            try {
                while (it.hasNext()) panes.add(fmt.pane(it.next()));
            } finally {
                fmt.close();
            }
            job.getJobExecutionResult().get();
        }
        assertEquals(List.of( // eogw: the end of the global window
                "k global ts=eogw Pane(first,EARLY,0,-1) [1, 2]",
                "k global ts=eogw Pane(EARLY,1,-1) [1, 2, 3]",
                "k global ts=eogw Pane(last,ON_TIME,2,0) [1, 2, 3]"), panes);
        assertTrue(System.nanoTime() - started < 120_000_000_000L, "18 minutes of script took no wall-clock minutes");
    }
}
