package dev.flowbook.flink.translate;

import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.runtime.GroupAndAggregate;
import dev.flowbook.flink.runtime.NativeCombineFn;
import dev.flowbook.flink.runtime.PreCombineOperator;
import dev.flowbook.flink.runtime.UnkeyedCombineOperator;
import dev.flowbook.flink.runtime.WindowGrouper;
import dev.flowbook.flink.windowing.GroupAlsoByWindowOperator;
import java.util.Locale;
import org.apache.flink.streaming.api.datastream.DataStream;

/** {@code combine}: combiner lifting (PreCombine before the shuffle, Merge after it), native or user code. */
public final class CombineTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        String mode = op.optString("mode", "native");
        switch (mode) {
            case "native" -> translateNative(op, ctx);
            case "usercode" -> UserCodeTranslator.translateCombine(op, ctx);
            default -> throw op.error("payload.mode must be native or usercode, got '" + mode + "'");
        }
    }

    private void translateNative(OperatorSpec op, TranslationContext ctx) {
        String fnName = op.requireString("fn");
        NativeCombineFn.Fn fn;
        try {
            fn = NativeCombineFn.Fn.valueOf(fnName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw op.error("payload.fn must be sum, count, min, max or mean, got '" + fnName + "'");
        }
        boolean keyed = op.optBool("keyed", true);
        CoderSpec keyCoder = keyed ? op.coder("keyCoder") : null;
        NativeCombineFn.Num num = NativeCombineFn.Num.ANY;
        if (fn != NativeCombineFn.Fn.COUNT) {
            num = NativeCombineFn.numOf(op.coder("inputCoder"));
            if (num == NativeCombineFn.Num.ANY) throw op.error("native " + fnName + " needs payload.inputCoder varint or double");
        }
        NativeCombineFn cfn = new NativeCombineFn(fn, num);
        Windowing windowing = op.windowing();

        DataStream<byte[]> in = ctx.raw(op, 0);
        DataStream<byte[]> pre = in.transform(op.name() + "/PreCombine", TranslationContext.RECORD,
                        new PreCombineOperator(keyCoder, windowing, cfn))
                .uid(ctx.uid(op, "PreCombine")).setParallelism(in.getParallelism());
        DataStream<byte[]> merged;
        if (keyed && !ctx.plan.isBatch()) {
            // STREAMING: accumulators merged per pane by the windowing operator (lateness, holds, panes as GroupByKey's)
            merged = GroupAlsoByWindowOperator.transform(ctx.keyed(pre, keyCoder, windowing), op.name(), keyCoder, windowing,
                            cfn.mergeAggregation(), ctx.testStreamClock(), ctx.testStreamClockStart())
                    .name(op.name() + "/Merge").uid(ctx.uid(op, "Merge")).setParallelism(ctx.parallelism(op));
        } else if (keyed) {
            WindowGrouper grouper = new WindowGrouper(keyCoder, windowing, cfn.mergeAggregation());
            merged = ctx.keyed(pre, keyCoder, windowing)
                    .process(new GroupAndAggregate(grouper, windowing, ctx.plan.isBatch(), true), TranslationContext.RECORD)
                    .name(op.name() + "/Merge").uid(ctx.uid(op, "Merge")).setParallelism(ctx.parallelism(op));
        } else {
            if (!ctx.plan.isBatch()) throw op.error("an un-keyed (globally) native combine is supported in BATCH mode only");
            merged = pre.transform(op.name() + "/Merge", TranslationContext.RECORD, new UnkeyedCombineOperator(windowing, cfn))
                    .uid(ctx.uid(op, "Merge")).setParallelism(1);
        }
        ctx.setOutput(op, "main", merged);
    }
}
