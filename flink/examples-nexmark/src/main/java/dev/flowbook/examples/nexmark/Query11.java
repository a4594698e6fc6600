/*
 * flowbook — Nexmark Query 11 (user sessions), natively on Flink.
 */
package dev.flowbook.examples.nexmark;

import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Query 11, user sessions (Beam's Query11): each bidder's bids in sessions with a 10 s gap,
 * a pane of the bids so far every {@link NexmarkGenerator#MAX_LOG_EVENTS} bids (Beam:
 * {@code Repeatedly.forever(AfterPane.elementCountAtLeast(n))}, discarding fired panes),
 * allowed lateness 1 s, and what is left when the session closes. Lines:
 * {@code bidder,windowStart,windowEnd,count}, one per pane.
 *
 * <p>Beam's sessions merge when they overlap; Flink's also when they only touch (a bid exactly
 * one gap after the last). So the Flink windows here have a gap 1 ms shorter, which merges
 * exactly when Beam's do, and each window is reported, and closed, 1 ms later, as Beam's.
 */
public class Query11 {
    static final long ALLOWED_LATENESS_MS = (NexmarkGenerator.OCCASIONAL_DELAY_SEC / 2) * 1000;
    /** Flink's session gap: Beam's minus 1 ms (see the class comment). */
    static final long FLINK_GAP_MS = NexmarkGenerator.WINDOW_SIZE_SEC * 1000 - 1;

    public static void main(String[] args) throws Exception {
        NexmarkJob job = NexmarkJob.fromArgs("Query11", args);
        DataStream<String> panes = job.events()
                .filter(e -> e.bid != null).name("just-bids")
                .map(e -> e.bid.bidder).name("rekey")
                .keyBy(b -> b)
                .window(EventTimeSessionWindows.withGap(java.time.Duration.ofMillis(FLINK_GAP_MS)))
                .trigger(new EveryNThenClose(NexmarkGenerator.MAX_LOG_EVENTS, ALLOWED_LATENESS_MS + 1))
                .allowedLateness(java.time.Duration.ofMillis(ALLOWED_LATENESS_MS + 1))
                .aggregate(new CountBids(), new ToLine()).name("bids-per-session");
        job.sink(panes, "query11");
        job.env.execute("Nexmark Query11");
    }

    /**
     * Fires and purges every n elements of a window, and fires what is left when the window is
     * garbage-collected (its end plus the allowed lateness): Beam's Repeatedly.forever(
     * AfterPane.elementCountAtLeast(n)) with discarding panes, whose last pane comes at
     * garbage collection (ClosingBehavior FIRE_IF_NON_EMPTY). Counts merge with the sessions.
     */
    static final class EveryNThenClose extends Trigger<Object, TimeWindow> {
        private final long n;
        private final long latenessMs;
        private final ReducingStateDescriptor<Long> countDesc =
                new ReducingStateDescriptor<>("count", Long::sum, LongSerializer.INSTANCE);

        EveryNThenClose(long n, long latenessMs) {
            this.n = n;
            this.latenessMs = latenessMs;
        }

        private long closeTime(TimeWindow w) {
            return w.maxTimestamp() + latenessMs;
        }

        @Override
        public TriggerResult onElement(Object element, long timestamp, TimeWindow window, TriggerContext ctx) throws Exception {
            ctx.registerEventTimeTimer(closeTime(window));
            ReducingState<Long> count = ctx.getPartitionedState(countDesc);
            count.add(1L);
            if (count.get() >= n) {
                count.clear();
                return TriggerResult.FIRE_AND_PURGE;
            }
            return TriggerResult.CONTINUE;
        }

        @Override
        public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) throws Exception {
            if (time != closeTime(window)) {
                return TriggerResult.CONTINUE;
            }
            ctx.getPartitionedState(countDesc).clear();
            return TriggerResult.FIRE_AND_PURGE;
        }

        @Override
        public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
            return TriggerResult.CONTINUE;
        }

        @Override
        public boolean canMerge() {
            return true;
        }

        @Override
        public void onMerge(TimeWindow window, OnMergeContext ctx) throws Exception {
            ctx.mergePartitionedState(countDesc);
            ctx.registerEventTimeTimer(closeTime(window));
        }

        @Override
        public void clear(TimeWindow window, TriggerContext ctx) throws Exception {
            ctx.getPartitionedState(countDesc).clear();
            ctx.deleteEventTimeTimer(closeTime(window));
        }
    }

    static final class CountBids implements AggregateFunction<Long, Long, Long> {
        @Override public Long createAccumulator() { return 0L; }
        @Override public Long add(Long bidder, Long acc) { return acc + 1; }
        @Override public Long getResult(Long acc) { return acc; }
        @Override public Long merge(Long a, Long b) { return a + b; }
    }

    static final class ToLine extends ProcessWindowFunction<Long, String, Long, TimeWindow> {
        @Override
        public void process(Long bidder, Context ctx, Iterable<Long> count, Collector<String> out) {
            // Beam's window ends 1 ms after this one (see the class comment).
            out.collect(bidder + "," + ctx.window().getStart() + "," + (ctx.window().getEnd() + 1) + "," + count.iterator().next());
        }
    }
}
