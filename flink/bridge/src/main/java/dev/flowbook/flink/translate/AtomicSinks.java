package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.sink.ShardCommitFormat;
import dev.flowbook.flink.sink.ShardFiles;
import dev.flowbook.flink.sink.ShardWriter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.SimpleOutputFormatOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.LegacySinkTransformation;

/**
 * Atomic file sinks ({@code sink:text}): one Flink sink whose subtasks (the shards) write temp
 * files, and whose job vertex carries a {@link ShardCommitFormat}, so the JobManager renames
 * the finished attempts' files once the whole job finished — whatever the other branches of
 * the job do, a job that fails commits nothing.
 */
final class AtomicSinks {
    private AtomicSinks() { }

    /** The final names a file sink's payload asks for: prefix, shard template, suffix. */
    static ShardFiles files(OperatorSpec op) {
        String prefix = op.requireString("prefix");
        if (prefix.startsWith("file://")) prefix = prefix.substring("file://".length());
        return ShardFiles.create(prefix, op.optString("shardTemplate", "-SSSSS-of-NNNNN"), op.optString("suffix", ""));
    }

    /** The payload's fixed shard count, or the operator's parallelism when it has none. */
    static int shards(OperatorSpec op, TranslationContext ctx) {
        long numShards = op.optLong("numShards", 0);
        return numShards > 0 ? (int) numShards : ctx.parallelism(op);
    }

    static void add(OperatorSpec op, TranslationContext ctx, DataStream<byte[]> in, int shards, ShardFiles files, ShardWriter writer) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        StreamOperatorFactory<Object> factory = (StreamOperatorFactory) new SimpleOutputFormatOperatorFactory<byte[], Object>(
                new ShardCommitFormat(files, op.where()), writer);
        LegacySinkTransformation<byte[]> t = new LegacySinkTransformation<>(in.getTransformation(), op.name() + "/Write", factory, shards);
        t.setUid(ctx.uid(op, "Write"));
        t.setChainingStrategy(ChainingStrategy.ALWAYS); // like any sink: in the task of its producer when it can
        ctx.env.addOperator(t);
        ctx.addTempFiles(files);
    }
}
