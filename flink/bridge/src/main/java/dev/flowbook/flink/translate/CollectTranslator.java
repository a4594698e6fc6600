package dev.flowbook.flink.translate;

import dev.flowbook.flink.metrics.MetricNames;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.runtime.CollectOperator;

/** {@code collect}: a sample of records in the accumulator flowbook.collect/&lt;id&gt;. */
public final class CollectTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        long limit = op.optLong("limit", 1000);
        long maxBytes = op.optLong("maxBytes", 4L << 20);
        if (limit < 0 || limit > Integer.MAX_VALUE) throw op.error("payload.limit out of range");
        ctx.raw(op, 0).transform(op.name(), TranslationContext.RECORD,
                        new CollectOperator(MetricNames.collect(op.id()), (int) limit, maxBytes))
                .uid(ctx.uid(op, "")).setParallelism(1);
    }
}
