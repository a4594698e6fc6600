package dev.flowbook.flink.coders;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Beam's windows and timestamps as Java sees them (timestamps are epoch millis). */
public final class Windows {
    private Windows() { }

    /** Beam's bounds, its microsecond bounds in millis (as src/sdk/values/time.ts). */
    public static final long TIMESTAMP_MIN = -9223372036854775L;
    public static final long TIMESTAMP_MAX = 9223372036854775L;
    public static final long END_OF_GLOBAL_WINDOW = TIMESTAMP_MAX - 86_400_000L;

    public interface Window extends Serializable {
        long maxTimestamp();
    }

    public static final Window GLOBAL = new Global();

    public static final class Global implements Window {
        private static final long serialVersionUID = 1L;

        @Override
        public long maxTimestamp() {
            return END_OF_GLOBAL_WINDOW;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Global;
        }

        @Override
        public int hashCode() {
            return 1;
        }

        @Override
        public String toString() {
            return "GlobalWindow";
        }

        private Object readResolve() {
            return GLOBAL;
        }
    }

    /** [start, end). */
    public record Interval(long start, long end) implements Window {
        @Override
        public long maxTimestamp() {
            return end - 1;
        }

        public boolean intersects(Interval o) {
            return start < o.end && o.start < end;
        }

        public Interval span(Interval o) {
            return new Interval(Math.min(start, o.start), Math.max(end, o.end));
        }
    }

    /** Windows that overlap, with the span they merge into (a session). */
    public record Overlap(List<Interval> members, Interval span) { }

    /**
     * Sessions' merge (Beam's MergeOverlappingIntervalWindows): sorted by start, each window
     * that starts before the running span ends joins it. Sorts {@code windows} in place; every
     * window is in exactly one group, alone when it overlaps nothing.
     */
    public static List<Overlap> overlaps(List<Interval> windows) {
        windows.sort((a, b) -> a.start() != b.start() ? Long.compare(a.start(), b.start()) : Long.compare(a.end(), b.end()));
        List<Overlap> out = new ArrayList<>();
        int i = 0;
        while (i < windows.size()) {
            Interval span = windows.get(i);
            int j = i + 1;
            while (j < windows.size() && windows.get(j).start() < span.end()) span = span.span(windows.get(j++));
            out.add(new Overlap(windows.subList(i, j), span));
            i = j;
        }
        return out;
    }

    /** Beam's InstantCoder: millis as a big-endian long with the sign bit flipped. */
    public static void writeInstant(long millis, ByteOut out) {
        out.writeInt64BE(millis ^ Long.MIN_VALUE);
    }

    public static long readInstant(ByteIn in) {
        return in.readInt64BE() ^ Long.MIN_VALUE;
    }

    public static void writeInterval(Interval w, ByteOut out) {
        writeInstant(w.end(), out);
        out.writeVarLong(w.end() - w.start());
    }

    public static Interval readInterval(ByteIn in) {
        long end = readInstant(in);
        long size = in.readVarLong();
        return new Interval(end - size, end);
    }
}
