package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.sink.ShardFiles;
import dev.flowbook.flink.sink.TextShardWriter;

/** {@code sink:text}: shard writers of temp files, committed by the JobManager when the job finished (atomic). */
public final class TextSinkTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        String prefix = op.requireString("prefix");
        if (prefix.startsWith("file://")) prefix = prefix.substring("file://".length());
        String suffix = op.optString("suffix", "");
        String template = op.optString("shardTemplate", "-SSSSS-of-NNNNN");
        long numShards = op.optLong("numShards", 0);
        String compression = op.optString("compression", "none");
        if (!compression.equals("none") && !compression.equals("gzip")) throw op.error("payload.compression must be none or gzip");
        int shards = numShards > 0 ? (int) numShards : ctx.parallelism(op);
        ShardFiles files = ShardFiles.create(prefix, template, suffix);
        AtomicSinks.add(op, ctx, ctx.input(op, 0), shards, files, new TextShardWriter(files, compression.equals("gzip"), op.windowing()));
    }
}
