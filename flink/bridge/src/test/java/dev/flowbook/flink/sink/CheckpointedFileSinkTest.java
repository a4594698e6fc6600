package dev.flowbook.flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.TestCluster;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.Windowing;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpointed file sink in STREAMING jobs on the MiniCluster, each failing once after a
 * checkpoint was committed: every number is in exactly one final file, whole files only, and
 * nothing is left in the temp directory.
 */
class CheckpointedFileSinkTest {
    static final int N = 3000;
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final String AVRO_SCHEMA = "{\"type\":\"record\",\"name\":\"N\",\"fields\":[{\"name\":\"n\",\"type\":\"long\"}]}";

    /** Number → record (text: its decimal string; Avro: {n}), timestamped n ms, in fixed 500 ms windows or the global window. */
    static final class ToRecord implements MapFunction<Long, byte[]> {
        private static final long serialVersionUID = 1L;
        private final boolean avro;
        private final Windowing windowing;
        private final String outDir;

        ToRecord(boolean avro, Windowing windowing, String outDir) {
            this.avro = avro;
            this.windowing = windowing;
            this.outDir = outDir;
        }

        @Override
        public byte[] map(Long n) throws Exception {
            Thread.sleep(n % 4 == 0 ? 1 : 0); // spread the input over several checkpoints
            // Fail once, mid-input, after some checkpoint's files were committed.
            if (n >= N / 2 && !FAILED.get() && finalFiles(Path.of(outDir)).size() > 0 && FAILED.compareAndSet(false, true)) {
                throw new RuntimeException("injected failure at " + n);
            }
            ByteOut o = new ByteOut(32);
            List<Windows.Window> ws = windowing.assign(n);
            WindowedValues.writeHeader(o, n, ws.get(0), windowing.windowCoder(), WindowedValues.PANE_NO_FIRING);
            byte[] value;
            if (avro) {
                Schema schema = new Schema.Parser().parse(AVRO_SCHEMA);
                GenericRecord r = new GenericData.Record(schema);
                r.put("n", n);
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                BinaryEncoder e = EncoderFactory.get().binaryEncoder(b, null);
                new GenericDatumWriter<GenericRecord>(schema).write(r, e);
                e.flush();
                value = b.toByteArray();
            } else {
                value = Long.toString(n).getBytes(StandardCharsets.UTF_8);
            }
            o.writeVarLong(value.length).write(value);
            return o.toByteArray();
        }
    }

    static List<Path> finalFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(ShardFiles.TEMP_PREFIX)).sorted().toList();
        }
    }

    static Set<String> runFailingOnce(Path out, boolean avro, Windowing windowing, RecordFormat format) throws Exception {
        FAILED.set(false);
        StreamExecutionEnvironment env = TestCluster.env();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        env.configure(conf);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(150);
        env.setParallelism(2);
        ShardFiles files = ShardFiles.checkpointed(out.resolve("part").toString(), "-SSSSS-of-NNNNN", avro ? ".avro" : ".txt");
        env.fromSequence(0, N - 1).setParallelism(1)
                .map(new ToRecord(avro, windowing, out.toString()), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO).setParallelism(1)
                .rebalance()
                .sinkTo(new CheckpointedFileSink(files, windowing, format, "Write", "op9/Write")).name("Write").uid("op9/Write");
        var graph = env.getStreamGraph();
        graph.registerJobStatusHook(new TempDirCleanup(List.of(files)));
        env.execute(graph);
        assertTrue(FAILED.get(), "the job failed once");
        Set<String> labels = new TreeSet<>();
        for (Path f : finalFiles(out)) labels.add(f.getFileName().toString().replaceAll("-cp\\d+-|-final-", "-<cp>-"));
        assertFalse(Files.exists(Path.of(files.tempDir)), "the temp directory is removed once the job finished");
        return labels;
    }

    static List<Long> sortedNumbers(List<Long> got) {
        List<Long> s = new ArrayList<>(got);
        Collections.sort(s);
        return s;
    }

    static List<Long> expected() {
        List<Long> want = new ArrayList<>();
        for (long i = 0; i < N; i++) want.add(i);
        return want;
    }

    @Test
    void textInTheGlobalWindowIsWrittenExactlyOnceAcrossARestore(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Set<String> shapes = runFailingOnce(out, false, Windowing.GLOBAL, new TextRecordFormat(false));
        List<Long> got = new ArrayList<>();
        Set<String> checkpoints = new TreeSet<>();
        for (Path f : finalFiles(out)) {
            String name = f.getFileName().toString();
            assertTrue(name.matches("part-(cp\\d{6,}|final)-0000[01]-of-00002\\.txt"), name);
            checkpoints.add(name.replaceAll("-0000[01]-of-00002\\.txt", ""));
            for (String line : Files.readAllLines(f)) got.add(Long.parseLong(line));
        }
        assertEquals(expected(), sortedNumbers(got), "each number once (files " + shapes + ")");
        assertTrue(checkpoints.size() >= 2, "files of several checkpoints: " + checkpoints);
    }

    @Test
    void avroInFixedWindowsIsWrittenExactlyOnceAcrossARestore(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Windowing fixed = Windowing.fromJson(Plan.JSON.readTree("{\"windowFn\":{\"type\":\"fixed\",\"sizeMs\":500}}"), "windowing");
        runFailingOnce(out, true, fixed, new AvroRecordFormat(AVRO_SCHEMA, "deflate", 6, 0));
        List<Long> got = new ArrayList<>();
        for (Path f : finalFiles(out)) {
            String name = f.getFileName().toString();
            var m = java.util.regex.Pattern.compile("part-1970-01-01T00:00:(\\d\\d)\\.(\\d)00Z-1970-01-01T00:00:\\d\\d\\.\\d00Z-(cp\\d{6,}|final)-0000[01]-of-00002\\.avro").matcher(name);
            assertTrue(m.matches(), name);
            long windowStart = Long.parseLong(m.group(1)) * 1000 + Long.parseLong(m.group(2)) * 100;
            try (DataFileReader<GenericRecord> r = new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
                for (GenericRecord rec : r) {
                    long n = (Long) rec.get("n");
                    assertEquals(n - n % 500, windowStart, n + " is in the file of its window");
                    got.add(n);
                }
            }
        }
        assertEquals(expected(), sortedNumbers(got));
    }

    @Test
    void theCommitterIsIdempotentAndKeepsGoingPastAFileAlreadyCommitted(@TempDir Path tmp) throws Exception {
        Path pending = tmp.resolve(".flowbook-tmp-stream-x/00000-abc-0.pending");
        Files.createDirectories(pending.getParent());
        Files.writeString(pending, "a\n");
        FileCommittable c = new FileCommittable(pending.toString(), tmp.resolve("out/part-cp000003-00000-of-00001").toString());
        FileCommitter committer = new FileCommitter("Write");
        Request first = new Request(c);
        committer.commit(List.of(first));
        assertEquals("committed", first.outcome);
        assertEquals("a\n", Files.readString(Path.of(c.finalPath())));
        assertFalse(Files.exists(pending));
        // Restored from the checkpoint: the same committable again is already committed.
        Request again = new Request(c);
        committer.commit(List.of(again));
        assertEquals("already committed", again.outcome);
        assertEquals("a\n", Files.readString(Path.of(c.finalPath())));
        // Neither file there (its temp directory was removed): failed for a known reason, not retried forever.
        Request lost = new Request(new FileCommittable(tmp.resolve("gone.pending").toString(), tmp.resolve("out/never").toString()));
        committer.commit(List.of(lost));
        assertTrue(lost.outcome.startsWith("failed: Write: the pending file"), lost.outcome);
    }

    /** A commit request that remembers what the committer said. */
    static final class Request implements Committer.CommitRequest<FileCommittable> {
        final FileCommittable c;
        String outcome = "committed";

        Request(FileCommittable c) {
            this.c = c;
        }

        @Override public FileCommittable getCommittable() { return c; }
        @Override public int getNumberOfRetries() { return 0; }
        @Override public void signalFailedWithKnownReason(Throwable t) { outcome = "failed: " + t.getMessage(); }
        @Override public void signalFailedWithUnknownReason(Throwable t) { outcome = "failed (unknown): " + t.getMessage(); }
        @Override public void retryLater() { outcome = "retry"; }
        @Override public void updateAndRetryLater(FileCommittable x) { outcome = "retry"; }
        @Override public void signalAlreadyCommitted() { outcome = "already committed"; }
    }

    @Test
    void streamingNamesCarryTheWindowAndTheCheckpoint() {
        ShardFiles f = ShardFiles.checkpointed("/out/counts", "", ".txt");
        PendingFile p = new PendingFile("/x", StreamingFileNames.windowLabel(new Windows.Interval(10_000, 20_000)), 1, 2);
        assertEquals("/out/counts-1970-01-01T00:00:10.000Z-1970-01-01T00:00:20.000Z-cp000004-00001-of-00002.txt", StreamingFileNames.finalName(f, p, 4));
        assertEquals("/out/cp1234567-00001-of-00002.txt", StreamingFileNames.finalName(ShardFiles.checkpointed("/out/", "", ".txt"),
                new PendingFile("/x", "", 1, 2), 1234567));
        assertEquals(ShardFiles.checkpointed("/out/counts", "", ".txt").tempDir, f.tempDir, "the same names, the same temp directory");
        assertFalse(ShardFiles.checkpointed("/out/other", "", ".txt").tempDir.equals(f.tempDir));
    }
}
