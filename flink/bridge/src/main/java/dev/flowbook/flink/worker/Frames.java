package dev.flowbook.flink.worker;

import dev.flowbook.flink.coders.ByteOut;

/** Frame types and framing of docs/worker-protocol.md: uint32 BE length (type + body), uint8 type, body. */
public final class Frames {
    private Frames() { }

    public static final String PROTOCOL = "flowbook.worker/v1";
    public static final int MAX_FRAME = 256 << 20;

    // Java → worker
    public static final int HELLO = 0x01;
    public static final int SIDE_INPUT = 0x02;
    public static final int SIDE_INPUTS_DONE = 0x03;
    public static final int BUNDLE_START = 0x04;
    public static final int DATA = 0x05;
    public static final int BUNDLE_FINISH = 0x06;
    public static final int END = 0x07;

    // worker → Java
    public static final int READY = 0x81;
    public static final int OUTPUT = 0x82;
    public static final int BUNDLE_DONE = 0x83;
    public static final int METRICS = 0x84;
    public static final int ERROR = 0x85;
    public static final int GOODBYE = 0x86;
    public static final int CONSOLE = 0x87;

    /** A frame as read from the worker. */
    public record Frame(int type, byte[] body) { }

    /** Starts a frame in {@code out}: 4 placeholder length bytes and the type. Finish with {@link #finish}. */
    public static void begin(ByteOut out, int type) {
        out.reset();
        out.writeInt32BE(0);
        out.writeByte(type);
    }

    /** Patches the length of the frame in {@code out} and returns a copy of its bytes. */
    public static byte[] finish(ByteOut out) {
        byte[] b = out.toByteArray();
        int len = b.length - 4;
        b[0] = (byte) (len >>> 24);
        b[1] = (byte) (len >>> 16);
        b[2] = (byte) (len >>> 8);
        b[3] = (byte) len;
        return b;
    }

    public static byte[] frame(int type, byte[] body) {
        ByteOut o = new ByteOut(body.length + 5);
        begin(o, type);
        o.write(body);
        return finish(o);
    }

    public static String name(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case SIDE_INPUT -> "SIDE_INPUT";
            case SIDE_INPUTS_DONE -> "SIDE_INPUTS_DONE";
            case BUNDLE_START -> "BUNDLE_START";
            case DATA -> "DATA";
            case BUNDLE_FINISH -> "BUNDLE_FINISH";
            case END -> "END";
            case READY -> "READY";
            case OUTPUT -> "OUTPUT";
            case BUNDLE_DONE -> "BUNDLE_DONE";
            case METRICS -> "METRICS";
            case ERROR -> "ERROR";
            case GOODBYE -> "GOODBYE";
            case CONSOLE -> "CONSOLE";
            default -> "0x" + Integer.toHexString(type);
        };
    }
}
