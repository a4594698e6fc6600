package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.sink.TextCommitter;
import dev.flowbook.flink.sink.TextShardWriter;
import org.apache.flink.streaming.api.datastream.DataStream;

/** {@code sink:text}: shard writers of temp files + one committer that renames them (atomic). */
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
        Windowing windowing = op.windowing();
        int shards = numShards > 0 ? (int) numShards : ctx.parallelism(op);
        DataStream<byte[]> in = ctx.input(op, 0);
        DataStream<byte[]> committables = in.transform(op.name() + "/Write", TranslationContext.RECORD,
                        new TextShardWriter(prefix, compression.equals("gzip"), windowing))
                .uid(ctx.uid(op, "Write")).setParallelism(shards);
        committables.transform(op.name() + "/Commit", TranslationContext.RECORD, new TextCommitter(prefix, template, suffix))
                .uid(ctx.uid(op, "Commit")).setParallelism(1);
    }
}
