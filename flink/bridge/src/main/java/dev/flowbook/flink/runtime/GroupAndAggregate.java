package dev.flowbook.flink.runtime;

import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Windowing;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * GroupByKey (and Combine's Merge) per key and window. Records wait in keyed list state;
 * an event-time timer fires the groups: in BATCH one timer at the end of each key's input
 * (the watermark jumps to +inf when a key's sorted input ends), in STREAMING one per
 * window end.
 */
public final class GroupAndAggregate extends KeyedProcessFunction<String, byte[], byte[]> {
    private static final long serialVersionUID = 1L;

    private final WindowGrouper grouper;
    private final Windowing windowing;
    private final boolean batch;
    private final boolean keyed;
    private transient ListState<byte[]> buffer;

    public GroupAndAggregate(WindowGrouper grouper, Windowing windowing, boolean batch, boolean keyed) {
        this.grouper = grouper;
        this.windowing = windowing;
        this.batch = batch;
        this.keyed = keyed;
    }

    @Override
    public void open(OpenContext ctx) {
        buffer = getRuntimeContext().getListState(new ListStateDescriptor<>("records", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(byte[] rec, Context ctx, Collector<byte[]> out) throws Exception {
        if (batch) {
            buffer.add(rec);
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            return;
        }
        long wm = ctx.timerService().currentWatermark();
        WindowedValues.View v = new WindowedValues.View().parse(rec, windowing.windowCoder());
        boolean live = false;
        for (Windows.Window w : v.windows(windowing.windowCoder())) {
            if (windowing.merging() || w.maxTimestamp() > wm) {
                live = true;
                ctx.timerService().registerEventTimeTimer(w.maxTimestamp());
            }
        }
        if (live) buffer.add(rec); // else: late, dropped (no allowed lateness)
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<byte[]> out) throws Exception {
        Iterable<byte[]> recs = buffer.get();
        if (recs == null) return;
        WindowGrouper.Result r = grouper.group(recs, batch ? Long.MAX_VALUE : ts, !batch);
        byte[] key = keyed ? EncodedKeySelector.keyBytes(ctx.getCurrentKey()) : null;
        for (WindowGrouper.Group g : r.fired) grouper.emit(key, g, out::collect);
        if (r.keep.isEmpty()) {
            buffer.clear();
        } else {
            buffer.update(r.keep);
            for (long t : r.pendingTimers) ctx.timerService().registerEventTimeTimer(t);
        }
    }
}
