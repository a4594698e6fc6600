package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.sink.AvroShardWriter;
import dev.flowbook.flink.sink.ShardFiles;

/** {@code sink:avro}: shard writers of Avro container files, committed by the JobManager when the job finished (atomic, as sink:text). */
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
        ShardFiles files = AtomicSinks.files(op);
        AtomicSinks.add(op, ctx, ctx.input(op, 0), AtomicSinks.shards(op, ctx), files,
                new AvroShardWriter(files, op.windowing(), schema, codec, (int) level, (int) syncInterval));
    }
}
