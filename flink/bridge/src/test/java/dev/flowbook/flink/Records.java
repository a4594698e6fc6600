package dev.flowbook.flink;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Test helpers: encoded records and reading the collect accumulator. */
public final class Records {
    private Records() { }

    public static final CoderSpec STR = CoderSpec.of(CoderSpec.Kind.STRING_UTF8);
    public static final CoderSpec VARINT = CoderSpec.of(CoderSpec.Kind.VARINT);
    public static final CoderSpec DOUBLE = CoderSpec.of(CoderSpec.Kind.DOUBLE);

    public static CoderSpec kv(CoderSpec k, CoderSpec v) {
        return CoderSpec.of(CoderSpec.Kind.KV, k, v);
    }

    public static CoderSpec iterable(CoderSpec e) {
        return CoderSpec.of(CoderSpec.Kind.ITERABLE, e);
    }

    public static byte[] global(CoderSpec coder, Object value) {
        return WindowedValues.inGlobalWindow(Windows.TIMESTAMP_MIN, coder.encodeToBytes(value));
    }

    public static byte[] at(CoderSpec coder, Object value, long ts, Windows.Window w, WindowedValues.WindowCoder wc) {
        ByteOut o = new ByteOut();
        WindowedValues.writeHeader(o, ts, w, wc, WindowedValues.PANE_NO_FIRING);
        coder.encode(value, o);
        return o.toByteArray();
    }

    public static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    /** A JSON array of base64 records. */
    public static String elements(List<byte[]> recs) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < recs.size(); i++) sb.append(i > 0 ? "," : "").append('"').append(b64(recs.get(i))).append('"');
        return sb.append(']').toString();
    }

    /** A decoded record. */
    public record Decoded(long timestamp, List<Windows.Window> windows, Object value) { }

    public static Decoded decode(byte[] rec, CoderSpec coder, WindowedValues.WindowCoder wc) {
        WindowedValues.View v = new WindowedValues.View().parse(rec, wc);
        ByteIn in = v.valueIn();
        Object value = coder.decode(in);
        if (!in.atEnd()) throw new AssertionError(in.remaining() + " bytes left in record");
        return new Decoded(v.timestamp, v.windows(wc), value);
    }

    /** The records of a collect accumulator's JSON value. */
    public static List<byte[]> collected(Object accumulatorValue) throws Exception {
        Map<?, ?> m = dev.flowbook.flink.plan.Plan.JSON.readValue((String) accumulatorValue, Map.class);
        List<byte[]> out = new ArrayList<>();
        for (Object s : (List<?>) m.get("elements")) out.add(Base64.getDecoder().decode((String) s));
        return out;
    }

    public static List<Object> values(Object accumulatorValue, CoderSpec coder, WindowedValues.WindowCoder wc) throws Exception {
        List<Object> out = new ArrayList<>();
        for (byte[] r : collected(accumulatorValue)) out.add(decode(r, coder, wc).value());
        return out;
    }
}
