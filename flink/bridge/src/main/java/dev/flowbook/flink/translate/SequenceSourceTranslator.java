package dev.flowbook.flink.translate;

import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.source.RateLimitedSequenceSource;
import dev.flowbook.flink.source.ReaderWatermarks;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * {@code source:sequence}: GenerateSequence.from(a).to(b), the numbers [from, to) from Flink's
 * own (splittable, bounded) number sequence source, each a WindowedValue of a varint in the
 * global window at TIMESTAMP_MIN with NO_FIRING. A payload with a {@code rate}, a
 * {@code maxReadTimeMillis} or no {@code to} is an unbounded sequence:
 * {@link RateLimitedSequenceSource}, numbers stamped with the time they are emitted, watermarks
 * from the reader, one split per subtask.
 */
public final class SequenceSourceTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        if (!op.field("from").canConvertToLong()) throw op.error("payload.from must be an integer");
        if (isUnbounded(op)) {
            translateUnbounded(op, ctx);
            return;
        }
        if (!op.field("to").canConvertToLong()) throw op.error("payload.from and payload.to must be integers");
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

    static boolean isUnbounded(OperatorSpec op) {
        return !op.field("rate").isNull() || !op.field("maxReadTimeMillis").isNull() || op.field("to").isNull();
    }

    private static void translateUnbounded(OperatorSpec op, TranslationContext ctx) {
        long from = op.field("from").asLong();
        Long to = null;
        if (!op.field("to").isNull()) {
            if (!op.field("to").canConvertToLong()) throw op.error("payload.to must be an integer");
            to = op.field("to").asLong();
            if (to < from) throw op.error("payload.to (" + to + ") is before payload.from (" + from + ")");
        }
        long elements = 0;
        double periodMs = 0;
        JsonNode rate = op.field("rate");
        if (!rate.isNull()) {
            if (!rate.path("elements").canConvertToLong() || rate.path("elements").asLong() <= 0 || !rate.path("periodMillis").isNumber()
                    || rate.path("periodMillis").asDouble() <= 0) {
                throw op.error("payload.rate must be {elements: a positive integer, periodMillis: a positive number}");
            }
            elements = rate.path("elements").asLong();
            periodMs = rate.path("periodMillis").asDouble();
        }
        Long maxRead = null;
        if (!op.field("maxReadTimeMillis").isNull()) {
            if (!op.field("maxReadTimeMillis").isNumber() || op.field("maxReadTimeMillis").asDouble() <= 0) throw op.error("payload.maxReadTimeMillis must be positive");
            maxRead = op.field("maxReadTimeMillis").asLong();
        }
        int par = ctx.parallelism(op);
        RateLimitedSequenceSource src = new RateLimitedSequenceSource(from, to, elements, periodMs, maxRead, par);
        DataStream<byte[]> s = ctx.env.fromSource(src, ReaderWatermarks.fromReaders(), op.name(), TranslationContext.RECORD)
                .uid(ctx.uid(op, "")).setParallelism(par);
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
