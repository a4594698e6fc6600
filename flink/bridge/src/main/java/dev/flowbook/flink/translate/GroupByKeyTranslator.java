package dev.flowbook.flink.translate;

import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.runtime.Aggregation;
import dev.flowbook.flink.runtime.GroupAndAggregate;
import dev.flowbook.flink.runtime.WindowGrouper;
import org.apache.flink.streaming.api.datastream.DataStream;

/** {@code group_by_key}: keyBy on the encoded key, then grouping per window. */
public final class GroupByKeyTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        CoderSpec keyCoder = op.coder("keyCoder");
        Windowing windowing = op.windowing();
        ctx.setOutput(op, "main", build(ctx, ctx.raw(op, 0), op.name(), ctx.uid(op, ""), keyCoder, windowing, ctx.parallelism(op)));
    }

    static DataStream<byte[]> build(TranslationContext ctx, DataStream<byte[]> in, String name, String uid,
                                    CoderSpec keyCoder, Windowing windowing, int parallelism) {
        WindowGrouper grouper = new WindowGrouper(keyCoder, windowing, new Aggregation.CollectValues());
        return ctx.keyed(in, keyCoder, windowing)
                .process(new GroupAndAggregate(grouper, windowing, ctx.plan.isBatch(), true), TranslationContext.RECORD)
                .name(name).uid(uid).setParallelism(parallelism);
    }
}
