package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.sink.TextRecordFormat;

/**
 * {@code sink:text}: lines of string_utf8 values, optionally gzipped; atomic in BATCH (committed
 * by the JobManager when the job finished), committed on checkpoints in STREAMING (see AtomicSinks).
 */
public final class TextSinkTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        String compression = op.optString("compression", "none");
        if (!compression.equals("none") && !compression.equals("gzip")) throw op.error("payload.compression must be none or gzip");
        AtomicSinks.add(op, ctx, new TextRecordFormat(compression.equals("gzip")));
    }
}
