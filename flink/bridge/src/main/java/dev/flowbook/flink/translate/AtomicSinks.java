package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.sink.CheckpointedFileSink;
import dev.flowbook.flink.sink.RecordFormat;
import dev.flowbook.flink.sink.ShardCommitFormat;
import dev.flowbook.flink.sink.ShardFiles;
import dev.flowbook.flink.sink.ShardWriter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.SimpleOutputFormatOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.LegacySinkTransformation;

/**
 * File sinks ({@code sink:text}, {@code sink:avro}), which never show a half-written file
 * under a final name.
 *
 * <p>BATCH: atomic. One Flink sink whose subtasks (the shards) write temp files, and whose job
 * vertex carries a {@link ShardCommitFormat}, so the JobManager renames the finished attempts'
 * files once the whole job finished — whatever the other branches of the job do, a job that
 * fails commits nothing.
 *
 * <p>STREAMING: exactly once, committed on checkpoints ({@link CheckpointedFileSink}).
 */
final class AtomicSinks {
    private AtomicSinks() { }

    /** The payload's fixed shard count, or the operator's parallelism when it has none. */
    static int shards(OperatorSpec op, TranslationContext ctx) {
        long numShards = op.optLong("numShards", 0);
        return numShards > 0 ? (int) numShards : ctx.parallelism(op);
    }

    /** Adds the sink of {@code op}, writing its input with {@code format}. */
    static void add(OperatorSpec op, TranslationContext ctx, RecordFormat format) {
        String prefix = op.requireString("prefix");
        if (prefix.startsWith("file://")) prefix = prefix.substring("file://".length());
        String template = op.optString("shardTemplate", "-SSSSS-of-NNNNN");
        String suffix = op.optString("suffix", "");
        DataStream<byte[]> in = ctx.input(op, 0);
        int shards = shards(op, ctx);
        if (!ctx.plan.isBatch()) {
            ShardFiles files = ShardFiles.checkpointed(prefix, template, suffix);
            in.sinkTo(new CheckpointedFileSink(files, op.windowing(), format, op.where(), ctx.uid(op, "Write")))
                    .name(op.name() + "/Write").uid(ctx.uid(op, "Write")).setParallelism(shards);
            ctx.addTempFiles(files);
            return;
        }
        ShardFiles files = ShardFiles.create(prefix, template, suffix);
        @SuppressWarnings({"unchecked", "rawtypes"})
        StreamOperatorFactory<Object> factory = (StreamOperatorFactory) new SimpleOutputFormatOperatorFactory<byte[], Object>(
                new ShardCommitFormat(files, op.where()), new ShardWriter(files, op.windowing(), format));
        LegacySinkTransformation<byte[]> t = new LegacySinkTransformation<>(in.getTransformation(), op.name() + "/Write", factory, shards);
        t.setUid(ctx.uid(op, "Write"));
        t.setChainingStrategy(ChainingStrategy.ALWAYS); // like any sink: in the task of its producer when it can
        ctx.env.addOperator(t);
        ctx.addTempFiles(files);
    }
}
