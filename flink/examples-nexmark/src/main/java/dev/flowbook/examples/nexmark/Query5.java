/*
 * flowbook — Nexmark Query 5 (hot items), natively on Flink.
 */
package dev.flowbook.examples.nexmark;

import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Query 5, hot items (Beam's Query5): which auctions got the most bids in each sliding window
 * of 10 s every 5 s. Bids are counted per auction and window (an incremental count), then
 * each window's counts meet in one tumbling window of the period (a count's timestamp is its
 * window's last millisecond, so each sliding window's counts fall in exactly one) and the
 * auctions with the top count are kept. Lines: {@code windowStart,windowEnd,auction,count}.
 */
public class Query5 {
    public static void main(String[] args) throws Exception {
        NexmarkJob job = NexmarkJob.fromArgs("Query5", args);
        DataStream<AuctionCount> counts = job.events()
                .filter(e -> e.bid != null).name("just-bids")
                .map(e -> e.bid.auction).name("bid-to-auction")
                .keyBy(a -> a)
                .window(SlidingEventTimeWindows.of(
                        NexmarkJob.seconds(NexmarkGenerator.WINDOW_SIZE_SEC), NexmarkJob.seconds(NexmarkGenerator.WINDOW_PERIOD_SEC)))
                .aggregate(new CountBids(), new WithWindow()).name("count-per-auction");
        DataStream<String> top = counts
                .keyBy(c -> c.windowStart)
                .window(TumblingEventTimeWindows.of(NexmarkJob.seconds(NexmarkGenerator.WINDOW_PERIOD_SEC)))
                .process(new TopAuctions()).name("top-auctions");
        job.sink(top, "query5");
        job.env.execute("Nexmark Query5");
    }

    /** An auction's bid count in one window. */
    public static class AuctionCount {
        public long windowStart;
        public long windowEnd;
        public long auction;
        public long count;

        public AuctionCount() {}
    }

    static final class CountBids implements AggregateFunction<Long, Long, Long> {
        @Override public Long createAccumulator() { return 0L; }
        @Override public Long add(Long auction, Long acc) { return acc + 1; }
        @Override public Long getResult(Long acc) { return acc; }
        @Override public Long merge(Long a, Long b) { return a + b; }
    }

    static final class WithWindow extends ProcessWindowFunction<Long, AuctionCount, Long, TimeWindow> {
        @Override
        public void process(Long auction, Context ctx, Iterable<Long> count, Collector<AuctionCount> out) {
            AuctionCount c = new AuctionCount();
            c.windowStart = ctx.window().getStart();
            c.windowEnd = ctx.window().getEnd();
            c.auction = auction;
            c.count = count.iterator().next();
            out.collect(c);
        }
    }

    /** Keeps the auctions with the largest count of their window (Beam's TopCombineFn). */
    static final class TopAuctions extends ProcessWindowFunction<AuctionCount, String, Long, TimeWindow> {
        @Override
        public void process(Long windowStart, Context ctx, Iterable<AuctionCount> counts, Collector<String> out) {
            long max = -1;
            for (AuctionCount c : counts) {
                max = Math.max(max, c.count);
            }
            for (AuctionCount c : counts) {
                if (c.count == max) {
                    out.collect(c.windowStart + "," + c.windowEnd + "," + c.auction + "," + c.count);
                }
            }
        }
    }
}
