package dev.flowbook.flink.coders;

import java.util.ArrayList;
import java.util.List;

/**
 * Records between Flink operators are Beam FullWindowedValueCoder encodings:
 * timestamp (InstantCoder), int32 window count + windows, pane (PaneInfoCoder), value.
 * This class finds those parts without copying, and writes new records.
 */
public final class WindowedValues {
    private WindowedValues() { }

    public static final byte PANE_NO_FIRING = 0x0F;
    public static final byte PANE_ON_TIME_AND_ONLY_FIRING = 0x07;

    /** Which window coder a PCollection's records use. */
    public enum WindowCoder {
        GLOBAL, INTERVAL;

        public void skip(ByteIn in) {
            if (this == INTERVAL) {
                in.skip(8, "an interval window end");
                in.readVarLong();
            }
        }

        public Windows.Window read(ByteIn in) {
            return this == GLOBAL ? Windows.GLOBAL : Windows.readInterval(in);
        }

        public void write(Windows.Window w, ByteOut out) {
            if (this == INTERVAL) {
                if (!(w instanceof Windows.Interval iw)) throw new CoderException("interval window coder given " + w);
                Windows.writeInterval(iw, out);
            } else if (!(w instanceof Windows.Global)) {
                throw new CoderException("global window coder given " + w);
            }
        }
    }

    /** A parsed view of one record; reusable. */
    public static final class View {
        public byte[] rec;
        public long timestamp;
        public int windowCount;
        public int windowsStart; // first window's first byte
        public int paneStart;
        public int valueStart;

        public View parse(byte[] record, WindowCoder wc) {
            rec = record;
            ByteIn in = new ByteIn(record);
            timestamp = Windows.readInstant(in);
            windowCount = in.readInt32BE();
            if (windowCount < 0) throw new CoderException("negative window count " + windowCount);
            windowsStart = in.pos;
            for (int i = 0; i < windowCount; i++) wc.skip(in);
            paneStart = in.pos;
            skipPane(in);
            valueStart = in.pos;
            return this;
        }

        public List<Windows.Window> windows(WindowCoder wc) {
            ByteIn in = new ByteIn(rec, windowsStart, paneStart);
            List<Windows.Window> out = new ArrayList<>(windowCount);
            for (int i = 0; i < windowCount; i++) out.add(wc.read(in));
            return out;
        }

        public ByteIn valueIn() {
            return new ByteIn(rec, valueStart, rec.length);
        }

        public byte[] paneBytes() {
            return java.util.Arrays.copyOfRange(rec, paneStart, valueStart);
        }
    }

    public static void skipPane(ByteIn in) {
        int b = in.readByte();
        switch (b >>> 4) {
            case 0 -> { }
            case 1 -> in.readVarLong();
            case 2 -> {
                in.readVarLong();
                in.readVarLong();
            }
            default -> throw new CoderException("bad pane encoding byte 0x" + Integer.toHexString(b));
        }
    }

    /** Writes the header (timestamp, one window, pane byte) of a record; the caller appends the value. */
    public static void writeHeader(ByteOut out, long timestamp, Windows.Window window, WindowCoder wc, byte pane) {
        Windows.writeInstant(timestamp, out);
        out.writeInt32BE(1);
        wc.write(window, out);
        out.writeByte(pane);
    }

    /** A header with the windows and pane copied as bytes from another record. */
    public static void writeHeader(ByteOut out, long timestamp, int windowCount, byte[] src, int windowsFrom, int windowsTo, byte[] pane) {
        Windows.writeInstant(timestamp, out);
        out.writeInt32BE(windowCount);
        out.write(src, windowsFrom, windowsTo - windowsFrom);
        out.write(pane);
    }

    /** A record in the global window with NO_FIRING, as sources make them. */
    public static byte[] inGlobalWindow(long timestamp, byte[] valueEncoding) {
        ByteOut out = new ByteOut(valueEncoding.length + 16);
        writeHeader(out, timestamp, Windows.GLOBAL, WindowCoder.GLOBAL, PANE_NO_FIRING);
        out.write(valueEncoding);
        return out.toByteArray();
    }
}
