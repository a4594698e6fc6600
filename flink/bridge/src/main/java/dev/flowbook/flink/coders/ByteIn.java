package dev.flowbook.flink.coders;

/** A cursor over a byte array, reading Beam's primitive encodings. Every read is bounds-checked. */
public final class ByteIn {
    public final byte[] buf;
    public int pos;
    public final int end;

    public ByteIn(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteIn(byte[] buf, int pos, int end) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
    }

    private void need(int n, String what) {
        if (n < 0 || pos + n > end) {
            throw new CoderException("truncated input: needed " + n + " byte(s) for " + what + " at offset " + pos + ", have " + (end - pos));
        }
    }

    public int remaining() {
        return end - pos;
    }

    public boolean atEnd() {
        return pos >= end;
    }

    public int readByte() {
        need(1, "a byte");
        return buf[pos++] & 0xff;
    }

    public void skip(int n, String what) {
        need(n, what);
        pos += n;
    }

    public byte[] readBytes(int n) {
        need(n, n + " bytes");
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    public int readInt32BE() {
        need(4, "an int32");
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long readInt64BE() {
        need(8, "an int64");
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos + i] & 0xffL);
        pos += 8;
        return v;
    }

    public double readDoubleBE() {
        return Double.longBitsToDouble(readInt64BE());
    }

    /** Beam's VarInt: LEB128 of the 64-bit two's complement. */
    public long readVarLong() {
        long result = 0;
        int shift = 0;
        for (int i = 0; i < 10; i++) {
            int b = readByte();
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
            shift += 7;
        }
        throw new CoderException("varint longer than 10 bytes at offset " + pos);
    }

    /** A varint that must fit a non-negative int (lengths, counts, indexes). */
    public int readVarInt() {
        long v = readVarLong();
        if (v < 0 || v > Integer.MAX_VALUE) throw new CoderException("varint " + v + " out of range for a length at offset " + pos);
        return (int) v;
    }
}
