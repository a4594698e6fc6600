package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.runtime.WindowAssignFn;
import org.apache.flink.streaming.api.datastream.DataStream;

/** {@code window:assign}: Window.into for the known window fns, natively. */
public final class WindowAssignTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        Windowing in = op.windowing();
        Windowing out;
        try {
            out = Windowing.windowFn(op.field("windowFn"), "payload.windowFn", Windowing.TimestampCombiner.END_OF_WINDOW);
        } catch (IllegalArgumentException e) {
            throw op.error(e.getMessage());
        }
        if (out.type().equals("custom")) throw op.error("a custom window fn is assigned by user code (a usercode stage), not by window:assign");
        DataStream<byte[]> s = ctx.raw(op, 0);
        ctx.setOutput(op, "main", s.map(new WindowAssignFn(in, out), TranslationContext.RECORD)
                .name(op.name()).uid(ctx.uid(op, "")).setParallelism(s.getParallelism()));
    }
}
