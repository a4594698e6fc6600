package dev.flowbook.flink.windowing;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderException;

/**
 * Beam's PaneInfo: which firing of a window a record is. Encoded exactly as Beam's
 * PaneInfoCoder and src/sdk/coders/pane_info_coder.ts: one byte whose low nibble is
 * isFirst | isLast&lt;&lt;1 | timing&lt;&lt;2 and whose high nibble says which indices follow
 * (0x0_ none, 0x1_ one varint index, 0x2_ index and onTimeIndex).
 */
public record PaneInfo(boolean isFirst, boolean isLast, Timing timing, long index, long onTimeIndex) {
    /** Ordinals are part of the encoding. */
    public enum Timing { EARLY, ON_TIME, LATE, UNKNOWN }

    public static final PaneInfo NO_FIRING = new PaneInfo(true, true, Timing.UNKNOWN, 0, 0);
    public static final PaneInfo ON_TIME_AND_ONLY_FIRING = new PaneInfo(true, true, Timing.ON_TIME, 0, 0);

    /** Beam's PaneInfo.createPane: a first (or UNKNOWN) pane takes the indices its byte decodes to. */
    public static PaneInfo create(boolean isFirst, boolean isLast, Timing timing, long index, long onTimeIndex) {
        if (isFirst || timing == Timing.UNKNOWN) return new PaneInfo(isFirst, isLast, timing, isFirst ? 0 : -1, timing == Timing.EARLY ? -1 : 0);
        return new PaneInfo(isFirst, isLast, timing, index, onTimeIndex);
    }

    public int lowNibble() {
        return (isFirst ? 1 : 0) | (isLast ? 2 : 0) | (timing.ordinal() << 2);
    }

    public void encode(ByteOut out) {
        int b = lowNibble();
        if ((index == 0 && onTimeIndex == 0) || timing == Timing.UNKNOWN) {
            out.writeByte((byte) b);
        } else if (index == onTimeIndex || timing == Timing.EARLY) {
            out.writeByte((byte) (0x10 | b));
            out.writeVarLong(index);
        } else {
            out.writeByte((byte) (0x20 | b));
            out.writeVarLong(index);
            out.writeVarLong(onTimeIndex);
        }
    }

    public byte[] toBytes() {
        ByteOut o = new ByteOut(4);
        encode(o);
        return o.toByteArray();
    }

    public static PaneInfo decode(ByteIn in) {
        int b = in.readByte() & 0xff;
        boolean first = (b & 1) != 0, last = (b & 2) != 0;
        Timing t = Timing.values()[(b >> 2) & 3];
        return switch (b >>> 4) {
            case 0 -> new PaneInfo(first, last, t, first ? 0 : -1, t == Timing.EARLY ? -1 : 0);
            case 1 -> {
                long i = in.readVarLong();
                yield new PaneInfo(first, last, t, i, t == Timing.EARLY ? -1 : i);
            }
            case 2 -> {
                long i = in.readVarLong();
                yield new PaneInfo(first, last, t, i, in.readVarLong());
            }
            default -> throw new CoderException("bad pane encoding byte 0x" + Integer.toHexString(b));
        };
    }

    @Override
    public String toString() {
        return "Pane(" + (isFirst ? "first," : "") + (isLast ? "last," : "") + timing + "," + index + "," + onTimeIndex + ")";
    }
}
