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
        JsonNode pats = op.field("filePatterns");
        if (!pats.isArray() || pats.isEmpty()) throw op.error("payload.filePatterns must be a non-empty array of paths or globs");
        boolean allowEmpty = "allow".equals(op.optString("emptyMatch", "disallow"));
        String schema = schema(op);
        TreeSet<String> files = new TreeSet<>();
        for (JsonNode p : pats) {
            List<Path> matched;
            try {
                matched = TextSourceTranslator.expand(p.asText());
            } catch (IOException e) {
                throw op.error("cannot list files of '" + p.asText() + "': " + e);
            }
            if (matched.isEmpty() && !allowEmpty) throw op.error("No files matched spec: " + p.asText());
            for (Path f : matched) files.add(f.toString());
        }
        DataStream<byte[]> out;
        if (files.isEmpty()) {
            out = ctx.env.fromSequence(0, 0).name(op.name()).uid(ctx.uid(op, "")).setParallelism(1)
                    .flatMap(new CreateTranslator.PickRecords(new byte[0][]), TranslationContext.RECORD).setParallelism(1);
        } else {
            org.apache.flink.core.fs.Path[] paths = files.stream().map(org.apache.flink.core.fs.Path::new).toArray(org.apache.flink.core.fs.Path[]::new);
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
