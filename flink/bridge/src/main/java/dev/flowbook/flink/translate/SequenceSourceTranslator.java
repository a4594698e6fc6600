package dev.flowbook.flink.translate;

import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.OperatorSpec;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * {@code source:sequence}: GenerateSequence.from(a).to(b), the numbers [from, to) from Flink's
 * own (splittable, bounded) number sequence source, each a WindowedValue of a varint in the
 * global window at TIMESTAMP_MIN with NO_FIRING.
 */
public final class SequenceSourceTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        if (!op.field("from").canConvertToLong() || !op.field("to").canConvertToLong()) throw op.error("payload.from and payload.to must be integers");
        long from = op.field("from").asLong();
        long to = op.field("to").asLong();
        if (to < from) throw op.error("payload.to (" + to + ") is before payload.from (" + from + ")");
        int par = ctx.parallelism(op);
        // fromSequence is inclusive and never empty: an empty range reads [from, from] and emits nothing.
        DataStream<byte[]> s = ctx.env.fromSequence(from, Math.max(from, to - 1))
                .name(op.name()).uid(ctx.uid(op, "")).setParallelism(par)
                .flatMap(new ToRecords(to), TranslationContext.RECORD)
                .name(op.name() + "/Records").uid(ctx.uid(op, "Records")).setParallelism(par);
        ctx.setOutput(op, "main", s);
    }

    static final class ToRecords implements FlatMapFunction<Long, byte[]> {
        private static final long serialVersionUID = 1L;
        private final long to;

        ToRecords(long to) {
            this.to = to;
        }

        @Override
        public void flatMap(Long n, Collector<byte[]> out) {
            if (n >= to) return;
            ByteOut o = new ByteOut(24);
            WindowedValues.writeHeader(o, Windows.TIMESTAMP_MIN, Windows.GLOBAL, WindowedValues.WindowCoder.GLOBAL, WindowedValues.PANE_NO_FIRING);
            o.writeVarLong(n);
            out.collect(o.toByteArray());
        }
    }
}
