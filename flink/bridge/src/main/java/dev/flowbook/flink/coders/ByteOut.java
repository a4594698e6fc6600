package dev.flowbook.flink.coders;

import java.util.Arrays;

/** A growable byte buffer writing Beam's primitive encodings. */
public final class ByteOut {
    private byte[] buf;
    private int len;

    public ByteOut() {
        this(64);
    }

    public ByteOut(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int extra) {
        int need = len + extra;
        if (need > buf.length) buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
    }

    public int size() {
        return len;
    }

    public void reset() {
        len = 0;
    }

    public byte[] array() {
        return buf;
    }

    public ByteOut writeByte(int b) {
        ensure(1);
        buf[len++] = (byte) b;
        return this;
    }

    public ByteOut write(byte[] b) {
        return write(b, 0, b.length);
    }

    public ByteOut write(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    public ByteOut writeInt32BE(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    public ByteOut writeInt64BE(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) buf[len++] = (byte) (v >>> (8 * i));
        return this;
    }

    public ByteOut writeDoubleBE(double d) {
        return writeInt64BE(Double.doubleToLongBits(d));
    }

    /** Beam's VarInt: LEB128 of the 64-bit two's complement (negatives take 10 bytes). */
    public ByteOut writeVarLong(long v) {
        ensure(10);
        while ((v & ~0x7fL) != 0) {
            buf[len++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    public static int varLongSize(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
