package dev.flowbook.flink.runtime;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Windowing;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Groups the records of one key by window (merging session windows) and aggregates the
 * value part of each group. Used by GroupByKey, the Merge half of Combine, and the
 * un-keyed Combine.globally.
 */
public final class WindowGrouper implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CoderSpec keyCoder; // null: records carry no key
    private final Windowing windowing;
    private final Aggregation agg;

    public WindowGrouper(CoderSpec keyCoder, Windowing windowing, Aggregation agg) {
        this.keyCoder = keyCoder;
        this.windowing = windowing;
        this.agg = agg;
    }

    public static final class Group {
        public Windows.Window window;
        Object acc;
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;
        final List<byte[]> records = new ArrayList<>();
    }

    /** The result of grouping: the groups that fire, and the records to keep for later (streaming). */
    public static final class Result {
        public final List<Group> fired = new ArrayList<>();
        public final List<byte[]> keep = new ArrayList<>();
        public final List<Long> pendingTimers = new ArrayList<>();
        public boolean any;
    }

    /** Groups {@code records}; groups whose window ends at or before {@code firingTs} fire. */
    public Result group(Iterable<byte[]> records, long firingTs, boolean keepRecords) {
        Result res = new Result();
        Map<Windows.Window, Windows.Window> mergedOf = windowing.merging() ? mergeWindows(records) : null;
        Map<Windows.Window, Group> groups = new LinkedHashMap<>();
        WindowedValues.View v = new WindowedValues.View();
        for (byte[] rec : records) {
            res.any = true;
            v.parse(rec, windowing.windowCoder());
            ByteIn in = v.valueIn();
            if (keyCoder != null) keyCoder.skip(in);
            int from = in.pos;
            for (Windows.Window w : v.windows(windowing.windowCoder())) {
                Windows.Window target = mergedOf == null ? w : mergedOf.get(w);
                Group g = groups.get(target);
                if (g == null) {
                    g = new Group();
                    g.window = target;
                    g.acc = agg.newAccumulator();
                    groups.put(target, g);
                }
                g.acc = agg.add(g.acc, rec, from, rec.length);
                g.minTs = Math.min(g.minTs, v.timestamp);
                g.maxTs = Math.max(g.maxTs, v.timestamp);
                if (keepRecords) g.records.add(rec);
            }
        }
        IdentityHashMap<byte[], Boolean> kept = new IdentityHashMap<>();
        for (Group g : groups.values()) {
            if (g.window.maxTimestamp() <= firingTs) {
                res.fired.add(g);
            } else {
                res.pendingTimers.add(g.window.maxTimestamp());
                for (byte[] r : g.records) if (kept.put(r, Boolean.TRUE) == null) res.keep.add(r);
            }
        }
        return res;
    }

    private Map<Windows.Window, Windows.Window> mergeWindows(Iterable<byte[]> records) {
        WindowedValues.View v = new WindowedValues.View();
        List<Windows.Interval> all = new ArrayList<>();
        java.util.Set<Windows.Window> seen = new java.util.HashSet<>();
        for (byte[] rec : records) {
            v.parse(rec, windowing.windowCoder());
            for (Windows.Window w : v.windows(windowing.windowCoder())) {
                if (seen.add(w)) all.add((Windows.Interval) w);
            }
        }
        Map<Windows.Window, Windows.Window> out = new HashMap<>();
        for (Windows.Overlap o : Windows.overlaps(all)) for (Windows.Interval w : o.members()) out.put(w, o.span());
        return out;
    }

    /** Writes one output record: KV(key, aggregated) (or just the aggregate without a key), pane ON_TIME_AND_ONLY_FIRING. */
    public void emit(byte[] keyBytes, Group g, Consumer<byte[]> out) {
        long ts = switch (windowing.timestampCombiner()) {
            case END_OF_WINDOW -> g.window.maxTimestamp();
            case EARLIEST -> g.minTs;
            case LATEST -> g.maxTs;
        };
        ByteOut o = new ByteOut(64);
        WindowedValues.writeHeader(o, ts, g.window, windowing.windowCoder(), WindowedValues.PANE_ON_TIME_AND_ONLY_FIRING);
        if (keyBytes != null) o.write(keyBytes);
        agg.writeOutput(g.acc, o);
        out.accept(o.toByteArray());
    }
}
