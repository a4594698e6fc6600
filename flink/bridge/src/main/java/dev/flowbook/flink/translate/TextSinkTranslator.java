package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.sink.ShardFiles;
import dev.flowbook.flink.sink.TextShardWriter;

/** {@code sink:text}: shard writers of temp files, committed by the JobManager when the job finished (atomic). */
public final class TextSinkTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        String compression = op.optString("compression", "none");
        if (!compression.equals("none") && !compression.equals("gzip")) throw op.error("payload.compression must be none or gzip");
        ShardFiles files = AtomicSinks.files(op);
        AtomicSinks.add(op, ctx, ctx.input(op, 0), AtomicSinks.shards(op, ctx), files, new TextShardWriter(files, compression.equals("gzip"), op.windowing()));
    }
}
