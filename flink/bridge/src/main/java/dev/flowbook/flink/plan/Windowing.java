package dev.flowbook.flink.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.coders.WindowedValues.WindowCoder;
import dev.flowbook.flink.coders.Windows;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A PCollection's windowing as the plan states it: the window fn, the timestamp combiner and
 * (optional, for the windowing operator: docs/flink-plan.md "Triggers") when panes fire.
 */
public record Windowing(String type, long sizeMs, long periodMs, long offsetMs, long gapMs,
                        WindowCoder windowCoder, boolean merging, TimestampCombiner timestampCombiner,
                        Triggering triggering)
        implements Serializable {

    public enum TimestampCombiner { END_OF_WINDOW, EARLIEST, LATEST }

    public enum AccumulationMode { DISCARDING, ACCUMULATING }

    /** Beam's ClosingBehavior: whether the final pane (at end of window + allowed lateness) fires when empty. */
    public enum ClosingBehavior { FIRE_IF_NON_EMPTY, FIRE_ALWAYS }

    /** Beam's OnTimeBehavior: whether the ON_TIME pane fires when empty. */
    public enum OnTimeBehavior { FIRE_ALWAYS, FIRE_IF_NON_EMPTY }

    /**
     * When a window's panes fire: the trigger (the TriggerSpec JSON of src/sdk/windowing/triggers.ts,
     * kept as text; null means the default trigger), the allowed lateness and the pane behaviours.
     */
    public record Triggering(String triggerJson, long allowedLatenessMs, AccumulationMode accumulationMode,
                             ClosingBehavior closingBehavior, OnTimeBehavior onTimeBehavior) implements Serializable {
        public static final Triggering DEFAULT = new Triggering(null, 0, AccumulationMode.DISCARDING,
                ClosingBehavior.FIRE_IF_NON_EMPTY, OnTimeBehavior.FIRE_ALWAYS);

        /** True when this is the default trigger with no lateness (what group_by_key's own operator implements). */
        public boolean isDefault() {
            return allowedLatenessMs == 0 && (triggerJson == null || triggerJson.equals("{\"kind\":\"default\"}"));
        }
    }

    /** Without triggering: the default trigger, no allowed lateness. */
    public Windowing(String type, long sizeMs, long periodMs, long offsetMs, long gapMs,
                     WindowCoder windowCoder, boolean merging, TimestampCombiner timestampCombiner) {
        this(type, sizeMs, periodMs, offsetMs, gapMs, windowCoder, merging, timestampCombiner, Triggering.DEFAULT);
    }

    public Windowing withTriggering(Triggering t) {
        return new Windowing(type, sizeMs, periodMs, offsetMs, gapMs, windowCoder, merging, timestampCombiner, t);
    }

    public static final Windowing GLOBAL = new Windowing("global", 0, 0, 0, 0, WindowCoder.GLOBAL, false, TimestampCombiner.END_OF_WINDOW);

    /** Parses {@code {"windowFn": {...}, "timestampCombiner": ...}}; null/missing means global. */
    public static Windowing fromJson(JsonNode node, String where) {
        if (node == null || node.isNull() || node.isMissingNode()) return GLOBAL;
        TimestampCombiner tc = TimestampCombiner.END_OF_WINDOW;
        JsonNode tcn = node.get("timestampCombiner");
        if (tcn != null && !tcn.isNull()) {
            try {
                tc = TimestampCombiner.valueOf(tcn.asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".timestampCombiner: expected END_OF_WINDOW, EARLIEST or LATEST, got " + tcn);
            }
        }
        JsonNode fn = node.has("windowFn") ? node.get("windowFn") : node; // a bare windowFn is accepted too
        return windowFn(fn, where + ".windowFn", tc).withTriggering(triggering(node, where));
    }

    /** The optional trigger, allowedLatenessMs, accumulationMode, closingBehavior and onTimeBehavior of a windowing. */
    static Triggering triggering(JsonNode node, String where) {
        JsonNode trig = node.get("trigger");
        String triggerJson = null;
        if (trig != null && !trig.isNull()) {
            dev.flowbook.flink.windowing.Trigger.parse(trig, where + ".trigger"); // refuse a bad spec when the plan is read
            triggerJson = trig.toString();
        }
        long lateness = 0;
        JsonNode l = node.get("allowedLatenessMs");
        if (l != null && !l.isNull()) {
            if (!l.canConvertToLong() || l.asLong() < 0) throw new IllegalArgumentException(where + ".allowedLatenessMs: a whole number of milliseconds >= 0, got " + l);
            lateness = l.asLong();
        }
        return new Triggering(triggerJson, lateness,
                enumField(node, "accumulationMode", AccumulationMode.class, AccumulationMode.DISCARDING, where),
                enumField(node, "closingBehavior", ClosingBehavior.class, ClosingBehavior.FIRE_IF_NON_EMPTY, where),
                enumField(node, "onTimeBehavior", OnTimeBehavior.class, OnTimeBehavior.FIRE_ALWAYS, where));
    }

    private static <E extends Enum<E>> E enumField(JsonNode node, String field, Class<E> cls, E dflt, String where) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) return dflt;
        try {
            return Enum.valueOf(cls, n.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "." + field + ": expected one of " + java.util.Arrays.toString(cls.getEnumConstants()) + ", got " + n);
        }
    }

    public static Windowing windowFn(JsonNode fn, String where, TimestampCombiner tc) {
        if (fn == null || fn.isNull()) return GLOBAL;
        String type = fn.path("type").asText("global");
        long size = fn.path("sizeMs").asLong(0), period = fn.path("periodMs").asLong(0),
                offset = fn.path("offsetMs").asLong(0), gap = fn.path("gapMs").asLong(0);
        switch (type) {
            case "global":
                return new Windowing("global", 0, 0, 0, 0, WindowCoder.GLOBAL, false, tc);
            case "fixed":
                if (size <= 0) throw new IllegalArgumentException(where + ": fixed windows need sizeMs > 0");
                return new Windowing(type, size, size, offset, 0, WindowCoder.INTERVAL, false, tc);
            case "sliding":
                if (size <= 0 || period <= 0) throw new IllegalArgumentException(where + ": sliding windows need sizeMs > 0 and periodMs > 0");
                return new Windowing(type, size, period, offset, 0, WindowCoder.INTERVAL, false, tc);
            case "sessions":
                if (gap <= 0) throw new IllegalArgumentException(where + ": sessions need gapMs > 0");
                return new Windowing(type, 0, 0, 0, gap, WindowCoder.INTERVAL, true, tc);
            case "custom": {
                String wc = fn.path("windowCoder").asText("interval");
                WindowCoder coder = switch (wc) {
                    case "global", "beam:coder:global_window:v1" -> WindowCoder.GLOBAL;
                    case "interval", "beam:coder:interval_window:v1" -> WindowCoder.INTERVAL;
                    default -> throw new IllegalArgumentException(where + ".windowCoder: expected global or interval, got " + wc);
                };
                boolean merging = fn.path("merging").asBoolean(false);
                if (merging && coder != WindowCoder.INTERVAL) throw new IllegalArgumentException(where + ": merging windows must be interval windows");
                return new Windowing(type, 0, 0, 0, 0, coder, merging, tc);
            }
            default:
                throw new IllegalArgumentException(where + ".type: expected global, fixed, sliding, sessions or custom, got '" + type + "'");
        }
    }

    /** The windows an element with this timestamp is assigned to (Beam's WindowFn.assignWindows). */
    public List<Windows.Window> assign(long ts) {
        switch (type) {
            case "global":
                return List.of(Windows.GLOBAL);
            case "fixed": {
                long start = ts - Math.floorMod(ts - offsetMs, sizeMs);
                return List.of(new Windows.Interval(start, start + sizeMs));
            }
            case "sliding": {
                List<Windows.Window> out = new ArrayList<>();
                long lastStart = ts - Math.floorMod(ts - offsetMs, periodMs);
                for (long start = lastStart; start > ts - sizeMs; start -= periodMs) out.add(new Windows.Interval(start, start + sizeMs));
                return out;
            }
            case "sessions":
                return List.of(new Windows.Interval(ts, ts + gapMs));
            default:
                throw new IllegalStateException("windows of a '" + type + "' window fn are assigned by user code, not by the bridge");
        }
    }
}
