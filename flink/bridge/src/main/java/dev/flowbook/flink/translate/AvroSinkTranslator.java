package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.sink.AvroRecordFormat;

/** {@code sink:avro}: Avro container files, committed as sink:text's (atomic in BATCH, on checkpoints in STREAMING). */
public final class AvroSinkTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        String codec = op.optString("codec", "deflate");
        if (!codec.equals("deflate") && !codec.equals("null")) throw op.error("payload.codec must be deflate or null");
        long level = op.optLong("deflateLevel", 6);
        if (level < 0 || level > 9) throw op.error("payload.deflateLevel must be 0..9");
        long syncInterval = op.optLong("syncInterval", 0);
        if (syncInterval < 0 || syncInterval > (1 << 30)) throw op.error("payload.syncInterval out of range");
        String schema = AvroSourceTranslator.schema(op);
        AtomicSinks.add(op, ctx, new AvroRecordFormat(schema, codec, (int) level, (int) syncInterval));
    }
}
