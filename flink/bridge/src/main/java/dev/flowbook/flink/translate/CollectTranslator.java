package dev.flowbook.flink.translate;

import dev.flowbook.flink.metrics.MetricNames;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.runtime.CollectOperator;
import dev.flowbook.flink.runtime.LiveCollectOperator;

/**
 * {@code collect}: a sample of records in the accumulator flowbook.collect/&lt;id&gt;; or, with
 * {@code payload.live} ({@code host}, {@code port}, {@code token}, {@code pcollection}), every
 * record pushed to the client while the job runs (LiveCollectOperator).
 */
public final class CollectTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        if (op.optBool("live", false)) {
            long port = op.optLong("port", -1);
            if (port <= 0 || port > 65535) throw op.error("payload.port (the client's live-sample port) out of range");
            ctx.raw(op, 0).transform(op.name(), TranslationContext.RECORD,
                            new LiveCollectOperator(op.requireString("host"), (int) port, op.requireString("token"), op.requireString("pcollection")))
                    .uid(ctx.uid(op, "")).setParallelism(1);
            return;
        }
        long limit = op.optLong("limit", 1000);
        long maxBytes = op.optLong("maxBytes", 4L << 20);
        if (limit < 0 || limit > Integer.MAX_VALUE) throw op.error("payload.limit out of range");
        ctx.raw(op, 0).transform(op.name(), TranslationContext.RECORD,
                        new CollectOperator(MetricNames.collect(op.id()), (int) limit, maxBytes))
                .uid(ctx.uid(op, "")).setParallelism(1);
    }
}
