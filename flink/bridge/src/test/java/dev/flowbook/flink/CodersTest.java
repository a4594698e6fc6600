package dev.flowbook.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderException;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.CoderSpec.KV;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.WindowedValues.WindowCoder;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Plan;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java coders against the byte vectors of docs/coders.md / test/sdk/coders (Beam's standard_coders.yaml). */
class CodersTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("[\\s|]", ""));
    }

    static void vector(CoderSpec c, Object value, String hex) {
        byte[] want = hex(hex);
        assertArrayEquals(want, c.encodeToBytes(value), c + " encode " + value);
        Object got = c.decodeFromBytes(want);
        if (value instanceof byte[] b) assertArrayEquals(b, (byte[]) got);
        else assertEquals(value, got, c + " decode " + hex);
        ByteIn in = new ByteIn(want);
        c.skip(in);
        assertEquals(want.length, in.pos, c + " skip " + hex);
    }

    static CoderSpec spec(String json) throws Exception {
        return CoderSpec.fromJson(Plan.JSON.readTree(json), "test");
    }

    @Test
    void strings() {
        CoderSpec c = Records.STR;
        vector(c, "abc", "03 61 62 63");
        vector(c, "", "00");
        vector(c, "ab\0c", "04 61 62 00 63");
        vector(c, "\u00ff", "02 c3 bf");
        vector(c, "光线", "06 e5 85 89 e7 ba bf");
        vector(c, "x".repeat(128), "80 01" + "78".repeat(128));
    }

    @Test
    void varints() {
        CoderSpec c = Records.VARINT;
        vector(c, 0L, "00");
        vector(c, 1L, "01");
        vector(c, 10L, "0a");
        vector(c, 200L, "c8 01");
        vector(c, 1000L, "e8 07");
        vector(c, 9001L, "a9 46");
        vector(c, -1L, "ff ff ff ff ff ff ff ff ff 01");
        vector(c, 300L, "ac 02");
        vector(c, 1L << 31, "80 80 80 80 08");
        vector(c, (1L << 53) - 1, "ff ff ff ff ff ff ff 0f");
        vector(c, Long.MAX_VALUE, "ff ff ff ff ff ff ff ff 7f");
        vector(c, Long.MIN_VALUE, "80 80 80 80 80 80 80 80 80 01");
        vector(c, -2147483648L, "80 80 80 80 f8 ff ff ff ff 01");
    }

    @Test
    void doublesBytesBools() {
        vector(Records.DOUBLE, 1.0, "3f f0 00 00 00 00 00 00");
        vector(Records.DOUBLE, 0.1, "3f b9 99 99 99 99 99 9a");
        vector(Records.DOUBLE, -0.1, "bf b9 99 99 99 99 99 9a");
        vector(Records.DOUBLE, Double.NEGATIVE_INFINITY, "ff f0 00 00 00 00 00 00");
        vector(CoderSpec.of(CoderSpec.Kind.BYTES), new byte[] {0x61, 0x62, 0x00, 0x63}, "04 61 62 00 63");
        vector(CoderSpec.of(CoderSpec.Kind.BOOL), true, "01");
        vector(CoderSpec.of(CoderSpec.Kind.BOOL), false, "00");
        assertThrows(CoderException.class, () -> CoderSpec.of(CoderSpec.Kind.BOOL).decodeFromBytes(hex("02")));
    }

    @Test
    void composites() throws Exception {
        vector(Records.kv(Records.STR, Records.VARINT), new KV("a", 1L), "01 61 01");
        CoderSpec nested = spec("{\"urn\":\"beam:coder:kv:v1\",\"components\":[{\"urn\":\"beam:coder:string_utf8:v1\"},"
                + "{\"urn\":\"beam:coder:kv:v1\",\"components\":[{\"urn\":\"beam:coder:varint:v1\"},{\"urn\":\"beam:coder:bool:v1\"}]}]}");
        vector(nested, new KV("k", new KV(-1L, true)), "01 6b ff ff ff ff ff ff ff ff ff 01 01");
        vector(Records.iterable(Records.STR), List.of("a", "b"), "00 00 00 02 01 61 01 62");
        vector(Records.iterable(Records.VARINT), List.of(1L, 10L, 200L, 1000L), "00 00 00 04 01 0a c8 01 e8 07");
        vector(Records.iterable(Records.VARINT), List.of(), "00 00 00 00");
        CoderSpec nullable = spec("{\"urn\":\"beam:coder:nullable:v1\",\"components\":[{\"urn\":\"beam:coder:string_utf8:v1\"}]}");
        vector(nullable, null, "00");
        vector(nullable, "a", "01 01 61");
        // Beam's unknown-size iterable: count -1, blocks of (varint n, n elements), then 0.
        assertEquals(List.of(1L, 2L, 3L), Records.iterable(Records.VARINT).decodeFromBytes(hex("ff ff ff ff 02 01 02 01 03 00")));
    }

    @Test
    void flowbookCoders() throws Exception {
        // JSON and Avro: varint length + bytes; general: a tagged value. Java skips them to find keys.
        CoderSpec json = spec("{\"urn\":\"flowbook:coder:json:v1\"}");
        ByteIn in = new ByteIn(hex("07 7b 22 61 22 3a 31 7d ff"));
        json.skip(in);
        assertEquals(8, in.pos);
        CoderSpec general = spec("{\"urn\":\"flowbook:coder:general:v1\"}");
        for (String h : List.of("09 01 61", "04 01", "0e 02 01 61 03 01 62 04 01", "0c 02 0d 09 01 61 06 3f f0 00 00 00 00 00 00 00", "0f 01 04 01 10 00")) {
            in = new ByteIn(hex(h + " ee"));
            general.skip(in);
            assertEquals(hex(h).length, in.pos, h);
        }
        // Unknown coders are refused, with the way out in the message.
        Exception e = assertThrows(IllegalArgumentException.class, () -> spec("{\"urn\":\"my:coder\"}"));
        assertEquals(true, e.getMessage().contains("length_prefix"));
        CoderSpec lp = spec("{\"urn\":\"beam:coder:length_prefix:v1\",\"components\":[{\"urn\":\"my:coder\"}]}");
        in = new ByteIn(hex("02 aa bb cc"));
        lp.skip(in);
        assertEquals(3, in.pos);
    }

    @Test
    void windowsAndTimestamps() {
        ByteOut o = new ByteOut();
        Windows.writeInstant(Windows.TIMESTAMP_MIN, o);
        Windows.writeInstant(Windows.TIMESTAMP_MAX, o);
        Windows.writeInstant(Windows.END_OF_GLOBAL_WINDOW, o);
        Windows.writeInstant(1454293425000L, o);
        Windows.writeInstant(-400000L, o);
        assertArrayEquals(hex("7f df 3b 64 5a 1c ac 09  80 20 c4 9b a5 e3 53 f7  80 20 c4 9b a0 bc f7 f7  80 00 01 52 9a a4 9b 68  7f ff ff ff ff f9 e5 80"), o.toByteArray());
        CoderSpec iw = CoderSpec.of(CoderSpec.Kind.INTERVAL_WINDOW);
        vector(iw, new Windows.Interval(0, 1000), "80 00 00 00 00 00 03 e8 | e8 07");
        vector(iw, new Windows.Interval(1454293425000L - 3600000, 1454293425000L), "80 00 01 52 9a a4 9b 68 80 dd db 01");
        vector(iw, new Windows.Interval(Windows.TIMESTAMP_MIN, -9223372036854410L), "7f df 3b 64 5a 1c ad 76 ed 02");
    }

    @Test
    void windowedValues() {
        byte[] a = Records.global(Records.STR, "a");
        assertArrayEquals(hex("7f df 3b 64 5a 1c ac 09 | 00 00 00 01 | 0f | 01 61"), a);
        byte[] two = hex("7f ff ff ff ff ff ff 9c 00 00 00 02 80 00 01 52 9a a4 9b 68 80 dd db 01 7f df 3b 64 5a 1c ad 76 ed 02 0f 02");
        WindowedValues.View v = new WindowedValues.View().parse(two, WindowCoder.INTERVAL);
        assertEquals(-100, v.timestamp);
        assertEquals(List.of(new Windows.Interval(1454293425000L - 3600000, 1454293425000L), new Windows.Interval(Windows.TIMESTAMP_MIN, -9223372036854410L)),
                v.windows(WindowCoder.INTERVAL));
        assertEquals(2L, Records.VARINT.decode(v.valueIn()));
        // Panes with indexes: 0x1_ one varint, 0x2_ two.
        for (String pane : List.of("0f", "07", "11 00", "14 01", "26 1e 28", "2a ac 02 02")) {
            byte[] rec = hex("80 00 00 00 00 00 00 00 00 00 00 01 " + pane + " 05");
            assertEquals(5L, Records.VARINT.decode(new WindowedValues.View().parse(rec, WindowCoder.GLOBAL).valueIn()), pane);
        }
    }
}
