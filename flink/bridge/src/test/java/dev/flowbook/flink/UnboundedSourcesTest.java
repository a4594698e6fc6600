package dev.flowbook.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.source.RateLimitedSequenceSource;
import dev.flowbook.flink.source.ReaderWatermarks;
import dev.flowbook.flink.source.WatchedTextSource;
import dev.flowbook.flink.translate.WatchedTextSourceTranslator;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge's unbounded sources on the MiniCluster, in STREAMING jobs: GenerateSequence with a
 * rate (RateLimitedSequenceSource) and TextIO's watchForNewFiles (WatchedTextSource). Each
 * element is checked against the watermark it arrives under (never behind it), and a job that
 * fails once in the middle and restores from its last checkpoint gives every number or line once.
 */
class UnboundedSourcesTest {
    /** Set once Observe failed the job on its {@code failOn} element (it passes it after the restore). */
    static final TypeInformation<byte[]> BYTES = PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    static final AtomicBoolean FAILED = new AtomicBoolean();
    /** The first element's value after the failure (the restored attempt's first). */
    static final AtomicReference<String> FIRST_AFTER = new AtomicReference<>();

    /** "value|timestamp|late?|watermark" per element: late if the timestamp is not after Flink's current watermark. */
    static final class Observe extends ProcessFunction<byte[], String> {
        private static final long serialVersionUID = 1L;
        private final boolean numbers;
        private final String failOn;

        Observe(boolean numbers, String failOn) {
            this.numbers = numbers;
            this.failOn = failOn;
        }

        @Override
        public void processElement(byte[] rec, Context c, Collector<String> out) {
            WindowedValues.View v = new WindowedValues.View().parse(rec, WindowedValues.WindowCoder.GLOBAL);
            ByteIn in = v.valueIn();
            String value = numbers ? Long.toString(in.readVarLong()) : new String(in.readBytes((int) in.readVarLong()), StandardCharsets.UTF_8);
            if (value.equals(failOn) && FAILED.compareAndSet(false, true)) throw new IllegalStateException("injected failure at " + value);
            if (FAILED.get()) FIRST_AFTER.compareAndSet(null, value);
            long wm = c.timerService().currentWatermark();
            if (c.timestamp() == null || c.timestamp() != v.timestamp) throw new IllegalStateException("record timestamp differs from the element's");
            out.collect(value + "|" + v.timestamp + "|" + (v.timestamp <= wm ? "late" : "ok") + "|" + wm);
        }
    }

    static StreamExecutionEnvironment streaming(boolean failOnce) throws Exception {
        StreamExecutionEnvironment env = TestCluster.env();
        Configuration conf = new Configuration();
        if (failOnce) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        env.configure(conf);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(50);
        return env;
    }

    static List<String> collect(DataStream<String> s) throws Exception {
        List<String> out = new ArrayList<>();
        try (CloseableIterator<String> it = s.collectAsync()) {
            s.getExecutionEnvironment().executeAsync("unbounded-source-test");
            while (it.hasNext()) out.add(it.next());
        }
        return out;
    }

    @Test
    void sequenceAtARateEndsAtItsReadTimeWithEveryNumberDueOnceAndNoneLate() throws Exception {
        StreamExecutionEnvironment env = streaming(false);
        // 200 a second for 400 ms: exactly the numbers due before 400 ms, 10 … 89, over 3 splits on 2 subtasks.
        DataStream<String> s = env.fromSource(new RateLimitedSequenceSource(10, null, 200, 1000, 400L, 3), ReaderWatermarks.<byte[]>fromReaders(), "Seq", BYTES)
                .setParallelism(2)
                .process(new Observe(true, null), Types.STRING).setParallelism(2);
        List<String> got = collect(s);
        List<Long> values = new ArrayList<>();
        int underAWatermark = 0;
        for (String g : got) {
            String[] p = g.split("\\|");
            values.add(Long.parseLong(p[0]));
            assertEquals("ok", p[2], g);
            if (Long.parseLong(p[3]) > Long.MIN_VALUE) underAWatermark++;
        }
        // The readers' watermarks reach the next operator (Flink drops them under noWatermarks()).
        assertTrue(underAWatermark > 0, "no element came after a watermark: " + got);
        values.sort(null);
        List<Long> want = new ArrayList<>();
        for (long v = 10; v < 90; v++) want.add(v);
        assertEquals(want, values);
    }

    @Test
    void sequenceRestoredFromACheckpointNeitherLosesNorRepeatsANumber() throws Exception {
        FAILED.set(false);
        FIRST_AFTER.set(null);
        StreamExecutionEnvironment env = streaming(true);
        DataStream<String> s = env.fromSource(new RateLimitedSequenceSource(0, 300L, 250, 1000, null, 2), ReaderWatermarks.<byte[]>fromReaders(), "Seq", BYTES)
                .setParallelism(2)
                .process(new Observe(true, "150"), Types.STRING).setParallelism(2);
        List<String> got = collect(s);
        assertTrue(FAILED.get(), "the job did not fail as planned");
        // Restored from a checkpoint, not started over: the readers go on after their last numbers.
        assertTrue(Long.parseLong(FIRST_AFTER.get()) > 1, "the restored job started again at " + FIRST_AFTER.get());
        List<Long> values = new ArrayList<>();
        for (String g : got) values.add(Long.parseLong(g.split("\\|")[0]));
        values.sort(null);
        List<Long> want = new ArrayList<>();
        for (long v = 0; v < 300; v++) want.add(v);
        assertEquals(want, values);
    }

    static long setMtime(Path f, long ms) throws Exception {
        Files.setLastModifiedTime(f, FileTime.fromMillis(ms));
        return ms;
    }

    @Test
    void watchReadsFilesThereAndFilesWrittenLaterStampedWithTheirModificationTime(@TempDir Path dir) throws Exception {
        long t0 = setMtime(Files.writeString(dir.resolve("b.txt"), "\uFEFFb1\r\nb2\n"), System.currentTimeMillis() / 1000 * 1000 - 60_000);
        long t1 = setMtime(Files.writeString(dir.resolve("a.txt"), "a1\n"), t0 + 1000);
        Files.writeString(dir.resolve("skip.csv"), "not matched\n");
        StreamExecutionEnvironment env = streaming(false);
        DataStream<String> s = env.fromSource(new WatchedTextSource(dir + "/*.txt", 50, 1500, 1 << 20, "Watch"), ReaderWatermarks.<byte[]>fromReaders(), "Watch", BYTES)
                .setParallelism(2)
                .process(new WatchedTextSourceTranslator.LinesToRecords("Watch"), BYTES).setParallelism(2)
                .process(new Observe(false, null), Types.STRING).setParallelism(2);
        List<String> got = new ArrayList<>();
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(600);
                Files.writeString(dir.resolve("c.txt"), "c1\nc2");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (CloseableIterator<String> it = s.collectAsync()) {
            env.executeAsync("watch-test");
            writer.start();
            while (it.hasNext()) got.add(it.next());
        }
        writer.join();
        long t2 = Files.getLastModifiedTime(dir.resolve("c.txt")).toMillis();
        TreeMap<String, String> byLine = new TreeMap<>();
        TreeMap<String, Long> wmOf = new TreeMap<>();
        for (String g : got) {
            String[] p = g.split("\\|");
            byLine.put(p[0], p[1] + "|" + p[2]);
            wmOf.put(p[0], Long.parseLong(p[3]));
        }
        // The later file came after listings that had put the watermark past the first files' times.
        assertTrue(wmOf.get("c1") >= t1, "the watermark when c1 came: " + wmOf);
        assertEquals(5, got.size(), got.toString());
        assertEquals(t0 + "|ok", byLine.get("b1"));
        assertEquals(t0 + "|ok", byLine.get("b2"));
        assertEquals(t1 + "|ok", byLine.get("a1"));
        assertEquals(t2 + "|ok", byLine.get("c1"));
        assertEquals(t2 + "|ok", byLine.get("c2"));
    }

    @Test
    void watchReadsCompressedFilesWhole(@TempDir Path dir) throws Exception {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve("z.gz")))) {
            o.write("\uFEFFz1\nz2\r\nz3".getBytes(StandardCharsets.UTF_8));
        }
        long t = setMtime(dir.resolve("z.gz"), System.currentTimeMillis() / 1000 * 1000 - 5000);
        StreamExecutionEnvironment env = streaming(false);
        DataStream<String> s = env.fromSource(new WatchedTextSource(dir + "/*.gz", 50, 300, 1 << 20, "Watch"), ReaderWatermarks.<byte[]>fromReaders(), "Watch", BYTES)
                .setParallelism(1)
                .process(new WatchedTextSourceTranslator.LinesToRecords("Watch"), BYTES).setParallelism(1)
                .process(new Observe(false, null), Types.STRING).setParallelism(1);
        List<String> got = collect(s);
        List<String> lines = new ArrayList<>();
        for (String g : got) {
            String[] p = g.split("\\|");
            lines.add(p[0] + "@" + p[1]);
        }
        assertEquals(List.of("z1@" + t, "z2@" + t, "z3@" + t), lines);
    }

    @Test
    void watchRestoredFromACheckpointNeitherLosesNorRepeatsALine(@TempDir Path dir) throws Exception {
        FAILED.set(false);
        Set<String> want = new HashSet<>();
        for (int f = 0; f < 4; f++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3000; i++) {
                String line = "f" + f + "-" + i;
                sb.append(line).append('\n');
                want.add(line);
            }
            Files.writeString(dir.resolve("part-" + f + ".txt"), sb.toString());
        }
        StreamExecutionEnvironment env = streaming(true);
        DataStream<String> s = env.fromSource(new WatchedTextSource(dir + "/*.txt", 50, 800, 1 << 20, "Watch"), ReaderWatermarks.<byte[]>fromReaders(), "Watch", BYTES)
                .setParallelism(2)
                .process(new WatchedTextSourceTranslator.LinesToRecords("Watch"), BYTES).setParallelism(2)
                .process(new Observe(false, "f2-1500"), Types.STRING).setParallelism(2);
        List<String> got = collect(s);
        assertTrue(FAILED.get(), "the job did not fail as planned");
        List<String> lines = new ArrayList<>();
        for (String g : got) lines.add(g.split("\\|")[0]);
        assertEquals(want.size(), lines.size(), "lines read (a repeat or a loss)");
        assertEquals(want, new HashSet<>(lines));
    }
}
