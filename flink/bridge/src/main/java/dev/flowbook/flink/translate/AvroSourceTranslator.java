package dev.flowbook.flink.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.source.AvroRecordFormat;
import dev.flowbook.flink.source.SplittingEnumerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * {@code source:avro}: FileSource over the Avro container files the patterns match (expanded
 * when the job is built), cut at sync markers; records resolved to the payload's schema.
 */
public final class AvroSourceTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        String schema = schema(op);
        org.apache.flink.core.fs.Path[] paths = TextSourceTranslator.matchedFiles(op);
        DataStream<byte[]> out;
        if (paths.length == 0) {
            out = TextSourceTranslator.emptySource(op, ctx);
        } else {
            long minSplit = op.optLong("minSplitBytes", 4L << 20);
            FileSource<byte[]> src = FileSource.forRecordStreamFormat(new AvroRecordFormat(schema), paths)
                    .setFileEnumerator(SplittingEnumerator.provider(minSplit)).build();
            out = ctx.env.fromSource(src, WatermarkStrategy.noWatermarks(), op.name(), TranslationContext.RECORD)
                    .uid(ctx.uid(op, "")).setParallelism(ctx.parallelism(op));
        }
        ctx.setOutput(op, "main", out);
    }

    /** The payload's {@code schema} (a JSON object or array, JSON text, or a primitive type name) as Avro schema JSON, checked. */
    static String schema(OperatorSpec op) {
        JsonNode n = op.field("schema");
        String json;
        if (n.isTextual()) {
            String s = n.asText().trim();
            json = s.startsWith("{") || s.startsWith("[") || s.startsWith("\"") ? s : n.toString();
        } else if (n.isObject() || n.isArray()) {
            json = n.toString();
        } else {
            throw op.error("payload.schema must be an Avro schema (a JSON object, array or type name)");
        }
        try {
            new Schema.Parser().parse(json);
        } catch (SchemaParseException | NullPointerException e) {
            throw op.error("payload.schema is not a valid Avro schema: " + e.getMessage());
        }
        return json;
    }
}
