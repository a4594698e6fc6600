package dev.flowbook.flink.translate;

import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.runtime.Aggregation;
import dev.flowbook.flink.runtime.GroupAndAggregate;
import dev.flowbook.flink.runtime.WindowGrouper;
import dev.flowbook.flink.windowing.GroupAlsoByWindowOperator;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * {@code group_by_key}: keyBy on the encoded key, then grouping per window: in BATCH each window
 * once at the end of its key's input; in STREAMING by {@link GroupAlsoByWindowOperator} with the
 * plan's full windowing (trigger, allowed lateness, accumulation mode, timestamp combiner).
 */
public final class GroupByKeyTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        CoderSpec keyCoder = op.coder("keyCoder");
        Windowing windowing = op.windowing();
        ctx.setOutput(op, "main", build(ctx, ctx.raw(op, 0), op.name(), ctx.uid(op, ""), keyCoder, windowing, ctx.parallelism(op)));
    }

    static DataStream<byte[]> build(TranslationContext ctx, DataStream<byte[]> in, String name, String uid,
                                    CoderSpec keyCoder, Windowing windowing, int parallelism) {
        if (!ctx.plan.isBatch()) {
            // STREAMING: Beam's ReduceFnRunner over keyed state and timers (triggers, lateness, panes, holds)
            return GroupAlsoByWindowOperator.transform(ctx.keyed(in, keyCoder, windowing), name, keyCoder, windowing, null,
                            ctx.testStreamClock(), ctx.testStreamClockStart())
                    .uid(uid).setParallelism(parallelism);
        }
        WindowGrouper grouper = new WindowGrouper(keyCoder, windowing, new Aggregation.CollectValues());
        return ctx.keyed(in, keyCoder, windowing)
                .process(new GroupAndAggregate(grouper, windowing, ctx.plan.isBatch(), true), TranslationContext.RECORD)
                .name(name).uid(uid).setParallelism(parallelism);
    }
}
