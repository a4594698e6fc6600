package dev.flowbook.flink.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.metrics.MetricNames;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.source.ReaderWatermarks;
import dev.flowbook.flink.source.WatchedTextSource;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code source:text} with a {@code watch} payload ({@code {pollIntervalMillis,
 * stopAfterNoNewFilesMillis?}}): TextIO.read().watchForNewFiles(…), the unbounded
 * {@link WatchedTextSource} over the one pattern, each line a WindowedValue&lt;string&gt; in the
 * global window at its file's modification time. {@link TextSourceTranslator} hands such
 * payloads here.
 */
public final class WatchedTextSourceTranslator implements Translator {
    static boolean isWatch(OperatorSpec op) {
        return !op.field("watch").isNull();
    }

    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        JsonNode pats = op.field("filePatterns");
        if (!pats.isArray() || pats.size() != 1) throw op.error("a watching read needs payload.filePatterns with exactly one pattern");
        JsonNode w = op.field("watch");
        if (!w.path("pollIntervalMillis").isNumber() || w.path("pollIntervalMillis").asDouble() <= 0) throw op.error("payload.watch.pollIntervalMillis must be positive");
        long poll = Math.max(1, w.path("pollIntervalMillis").asLong());
        JsonNode stopNode = w.path("stopAfterNoNewFilesMillis");
        if (!stopNode.isMissingNode() && (!stopNode.isNumber() || stopNode.asDouble() < 0)) throw op.error("payload.watch.stopAfterNoNewFilesMillis must be a non-negative number");
        long stop = stopNode.isMissingNode() ? -1 : stopNode.asLong();
        String step = op.transforms().isEmpty() ? op.name() : op.transforms().get(0);
        WatchedTextSource src = new WatchedTextSource(pats.get(0).asText(), poll, stop, op.optLong("maxLineBytes", 32L << 20), op.name());
        // One enumerator lists; files are spread over the readers (one file each at a time).
        int par = ctx.parallelism(op);
        DataStream<byte[]> out = ctx.env.fromSource(src, ReaderWatermarks.fromReaders(), op.name(), TranslationContext.RECORD)
                .uid(ctx.uid(op, "")).setParallelism(par)
                .process(new LinesToRecords(step), TranslationContext.RECORD).name(op.name() + "/ToRecord").uid(ctx.uid(op, "ToRecord")).setParallelism(par);
        ctx.setOutput(op, "main", out);
    }

    /**
     * A line's bytes → WindowedValue&lt;string&gt; in the global window at the record's timestamp
     * (its file's modification time), NO_FIRING; invalid UTF-8 decoded with U+FFFD and counted as
     * {@code flowbook.io/invalidUtf8Lines} of the read transform, as the bounded read does.
     */
    public static final class LinesToRecords extends ProcessFunction<byte[], byte[]> {
        private static final long serialVersionUID = 1L;
        private final String step;
        private transient LongCounter invalid;

        public LinesToRecords(String step) {
            this.step = step;
        }

        @Override
        public void open(OpenContext openContext) {
            invalid = getRuntimeContext().getLongCounter(MetricNames.metric("counter", step, "flowbook.io", "invalidUtf8Lines"));
        }

        @Override
        public void processElement(byte[] line, Context c, Collector<byte[]> out) {
            byte[] b = line;
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line));
            } catch (CharacterCodingException e) {
                invalid.add(1L);
                b = new String(line, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
            }
            Long ts = c.timestamp();
            ByteOut o = new ByteOut(b.length + 24);
            WindowedValues.writeHeader(o, ts == null ? Windows.TIMESTAMP_MIN : ts, Windows.GLOBAL, WindowedValues.WindowCoder.GLOBAL, WindowedValues.PANE_NO_FIRING);
            o.writeVarLong(b.length).write(b);
            out.collect(o.toByteArray());
        }
    }
}
