package dev.flowbook.flink.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.metrics.MetricNames;
import dev.flowbook.flink.source.FileNamingFormat;
import dev.flowbook.flink.source.SplittableTextFormat;
import dev.flowbook.flink.source.SplittingEnumerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;

/** {@code source:text}: FileSource over the files the patterns match (expanded when the job is built). */
public final class TextSourceTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        if (WatchedTextSourceTranslator.isWatch(op)) { // TextIO.read().watchForNewFiles(…): unbounded
            new WatchedTextSourceTranslator().translate(op, ctx);
            return;
        }
        org.apache.flink.core.fs.Path[] paths = matchedFiles(op);
        DataStream<byte[]> out;
        int par = ctx.parallelism(op);
        if (paths.length == 0) {
            out = emptySource(op, ctx);
        } else {
            long minSplit = op.optLong("minSplitBytes", 4L << 20);
            long maxLine = op.optLong("maxLineBytes", 32L << 20);
            FileSource<byte[]> src = FileSource.forBulkFileFormat(new FileNamingFormat<>(new SplittableTextFormat(maxLine), op.name()), paths)
                    .setFileEnumerator(SplittingEnumerator.provider(minSplit)).build();
            String step = op.transforms().isEmpty() ? op.name() : op.transforms().get(0);
            out = ctx.env.fromSource(src, WatermarkStrategy.noWatermarks(), op.name())
                    .uid(ctx.uid(op, "")).setParallelism(par)
                    .map(new LineToRecord(step), TranslationContext.RECORD).name(op.name() + "/ToRecord").uid(ctx.uid(op, "ToRecord")).setParallelism(par);
        }
        ctx.setOutput(op, "main", out);
    }

    /** The files the payload's {@code filePatterns} match, sorted; refuses a pattern matching none unless emptyMatch is "allow". */
    static org.apache.flink.core.fs.Path[] matchedFiles(OperatorSpec op) {
        JsonNode pats = op.field("filePatterns");
        if (!pats.isArray() || pats.isEmpty()) throw op.error("payload.filePatterns must be a non-empty array of paths or globs");
        boolean allowEmpty = "allow".equals(op.optString("emptyMatch", "disallow"));
        TreeSet<String> files = new TreeSet<>();
        for (JsonNode p : pats) {
            List<Path> matched;
            try {
                matched = expand(p.asText());
            } catch (IOException e) {
                throw op.error("cannot list files of '" + p.asText() + "': " + e);
            }
            if (matched.isEmpty() && !allowEmpty) throw op.error("No files matched spec: " + p.asText());
            for (Path f : matched) files.add(f.toString());
        }
        return files.stream().map(org.apache.flink.core.fs.Path::new).toArray(org.apache.flink.core.fs.Path[]::new);
    }

    /** A source of no records, for patterns that matched no file. */
    static DataStream<byte[]> emptySource(OperatorSpec op, TranslationContext ctx) {
        return ctx.env.fromSequence(0, 0).name(op.name()).uid(ctx.uid(op, "")).setParallelism(1)
                .flatMap(new CreateTranslator.PickRecords(new byte[0][]), TranslationContext.RECORD).setParallelism(1);
    }

    /**
     * A line's bytes → WindowedValue&lt;string&gt; in the global window at TIMESTAMP_MIN, NO_FIRING.
     * A line that is not valid UTF-8 is decoded with U+FFFD replacement characters and counted
     * as {@code flowbook.io/invalidUtf8Lines} of the read transform, as the local runner does.
     */
    static final class LineToRecord extends RichMapFunction<byte[], byte[]> {
        private static final long serialVersionUID = 1L;
        private final String step;
        private transient LongCounter invalid;

        LineToRecord(String step) {
            this.step = step;
        }

        @Override
        public void open(OpenContext openContext) {
            invalid = getRuntimeContext().getLongCounter(MetricNames.metric("counter", step, "flowbook.io", "invalidUtf8Lines"));
        }

        @Override
        public byte[] map(byte[] line) {
            byte[] b = line;
            if (!isAscii(line)) {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(line));
                } catch (CharacterCodingException e) {
                    invalid.add(1L);
                    b = new String(line, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                }
            }
            ByteOut o = new ByteOut(b.length + 24);
            WindowedValues.writeHeader(o, Windows.TIMESTAMP_MIN, Windows.GLOBAL, WindowedValues.WindowCoder.GLOBAL, WindowedValues.PANE_NO_FIRING);
            o.writeVarLong(b.length).write(b);
            return o.toByteArray();
        }

        private static boolean isAscii(byte[] b) {
            for (byte x : b) if (x < 0) return false;
            return true;
        }
    }

    /** Expands a path or glob (java.nio glob syntax) into the regular files it names, sorted. */
    public static List<Path> expand(String pattern) throws IOException {
        if (pattern.startsWith("file://")) pattern = pattern.substring("file://".length());
        List<Path> out = new ArrayList<>();
        if (!hasGlob(pattern)) {
            Path p = Path.of(pattern);
            if (Files.isRegularFile(p)) out.add(p.toAbsolutePath());
            else if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().forEach(out::add);
                }
            }
            return out;
        }
        Path abs = Path.of(pattern.replaceAll("[*?\\[\\]{}]", "_")).toAbsolutePath();
        String absPattern = pattern.startsWith("/") ? pattern : Path.of("").toAbsolutePath() + "/" + pattern;
        // The base directory: the components before the first one with a glob character.
        String[] parts = absPattern.split("/");
        StringBuilder base = new StringBuilder();
        int depth = 0;
        for (String part : parts) {
            if (hasGlob(part)) break;
            if (!part.isEmpty()) base.append('/').append(part);
            depth++;
        }
        Path baseDir = Path.of(base.length() == 0 ? "/" : base.toString());
        if (!Files.isDirectory(baseDir)) return out;
        boolean recursive = absPattern.contains("**");
        int maxDepth = recursive ? Integer.MAX_VALUE : parts.length - depth;
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + absPattern);
        try (Stream<Path> s = Files.walk(baseDir, maxDepth)) {
            s.filter(Files::isRegularFile).filter(m::matches).sorted().forEach(out::add);
        }
        assert abs != null;
        return out;
    }

    private static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }
}
