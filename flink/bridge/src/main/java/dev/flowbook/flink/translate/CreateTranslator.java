package dev.flowbook.flink.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.plan.OperatorSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/** {@code source:create}: the encoded records carried in the plan, as a bounded source. */
public final class CreateTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        JsonNode els = op.field("elements");
        if (!els.isArray()) throw op.error("payload.elements must be an array of base64 strings");
        List<byte[]> records = new ArrayList<>();
        int i = 0;
        for (JsonNode e : els) {
            try {
                records.add(Base64.getDecoder().decode(e.asText()));
            } catch (IllegalArgumentException ex) {
                throw op.error("payload.elements[" + i + "] is not base64");
            }
            i++;
        }
        // A number sequence 0..n-1 (a bounded, splittable source) picks the records; an empty Create is 0..0 emitting nothing.
        int par = Math.max(1, Math.min(ctx.parallelism(op), records.size()));
        DataStream<byte[]> s = ctx.env.fromSequence(0, Math.max(0, records.size() - 1))
                .name(op.name()).uid(ctx.uid(op, "")).setParallelism(par)
                .flatMap(new PickRecords(records.toArray(new byte[0][])), TranslationContext.RECORD)
                .name(op.name() + "/Records").uid(ctx.uid(op, "Records")).setParallelism(par);
        ctx.setOutput(op, "main", s);
    }

    static final class PickRecords implements FlatMapFunction<Long, byte[]> {
        private static final long serialVersionUID = 1L;
        private final byte[][] records;

        PickRecords(byte[][] records) {
            this.records = records;
        }

        @Override
        public void flatMap(Long i, Collector<byte[]> out) {
            if (i < records.length) out.collect(records[i.intValue()]);
        }
    }
}
