package dev.flowbook.flink.runtime;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.WindowedValues.WindowCoder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys a record of {@code KV<K, V>} by the encoded bytes of K. The key travels as a
 * Latin-1 string (one char per byte) so Flink hashes and compares it by value.
 */
public final class EncodedKeySelector implements KeySelector<byte[], String> {
    private static final long serialVersionUID = 1L;
    private final CoderSpec keyCoder; // null: no key (Combine.globally): every record has the key ""
    private final WindowCoder windowCoder;

    public EncodedKeySelector(CoderSpec keyCoder, WindowCoder windowCoder) {
        this.keyCoder = keyCoder;
        this.windowCoder = windowCoder;
    }

    @Override
    public String getKey(byte[] rec) {
        if (keyCoder == null) return "";
        WindowedValues.View v = new WindowedValues.View().parse(rec, windowCoder);
        ByteIn in = v.valueIn();
        int start = in.pos;
        keyCoder.skip(in);
        return new String(rec, start, in.pos - start, StandardCharsets.ISO_8859_1);
    }

    public static byte[] keyBytes(String key) {
        return key.getBytes(StandardCharsets.ISO_8859_1);
    }
}
