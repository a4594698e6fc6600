package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import org.apache.flink.streaming.api.datastream.DataStream;

/** {@code flatten}: union of the inputs. */
public final class FlattenTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        if (op.inputs().isEmpty()) throw op.error("flatten needs at least one input (an empty Flatten is a Create of nothing)");
        DataStream<byte[]> s = ctx.input(op, 0);
        if (op.inputs().size() > 1) {
            @SuppressWarnings("unchecked")
            DataStream<byte[]>[] rest = new DataStream[op.inputs().size() - 1];
            for (int i = 1; i < op.inputs().size(); i++) rest[i - 1] = ctx.input(op, i);
            s = s.union(rest);
        }
        ctx.setOutput(op, "main", s);
    }
}
