package dev.flowbook.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.plan.PlanException;
import dev.flowbook.flink.sink.ShardFiles;
import dev.flowbook.flink.sink.ShardNames;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** source:text → sink:text, the atomic rename, and a failing job leaving no final files. */
class TextIOTest {
    static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> out = new ArrayList<>(s.map(p -> p.getFileName().toString()).toList());
            Collections.sort(out);
            return out;
        }
    }

    @Test
    void shardNames() {
        assertEquals("/o/wc-00002-of-00010.txt", ShardNames.name("/o/wc", "-SSSSS-of-NNNNN", ".txt", 2, 10));
        assertEquals("/o/wc-3of7", ShardNames.name("/o/wc", "-SofN", "", 3, 7));
    }

    @Test
    void readsGlobsAndGzipAndWritesShardsAtomically(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        List<String> want = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                String line = "file" + f + " line " + i + (i % 10 == 0 ? " ünïcødé" : "");
                sb.append(line).append(i % 2 == 0 ? "\n" : "\r\n");
                want.add(line);
            }
            Files.writeString(data.resolve("part-" + f + ".txt"), sb.toString());
        }
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(data.resolve("more.gz")))) {
            o.write("zipped one\nzipped two\n".getBytes(StandardCharsets.UTF_8));
        }
        want.add("zipped one");
        want.add("zipped two");
        Files.writeString(data.resolve("ignored.csv"), "not matched\n");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("old-file.txt"), "kept\n");
        String json = """
            {"format":"flowbook.flinkplan/v1","jobName":"textio","parallelism":2,"runtimeMode":"BATCH",
             "operators":[
               {"id":"op1","name":"Read","kind":"source:text","payload":{"filePatterns":["%s/part-*.txt","%s/*.gz"]}},
               {"id":"op2","name":"Write","kind":"sink:text","inputs":[{"from":"op1","ship":"rebalance"}],"outputs":[],
                "payload":{"prefix":"%s/lines","suffix":".txt","numShards":3}}
             ]}""".formatted(data, data, out);
        TestCluster.run(json);
        assertEquals(List.of("lines-00000-of-00003.txt", "lines-00001-of-00003.txt", "lines-00002-of-00003.txt", "old-file.txt"), listing(out));
        List<String> got = new ArrayList<>();
        for (int s = 0; s < 3; s++) got.addAll(Files.readAllLines(out.resolve("lines-0000" + s + "-of-00003.txt")));
        Collections.sort(got);
        Collections.sort(want);
        assertEquals(want, got);

        String noMatch = json.replace("/part-*.txt", "/nothing-*.txt");
        PlanException e = assertThrows(PlanException.class, () -> TestCluster.run(noMatch));
        assertTrue(e.getMessage().contains("No files matched spec: " + data + "/nothing-*.txt"), e.getMessage());
    }

    @Test
    void splitsBigFilesIntoByteRangesWithoutLosingOrDuplicatingLines(@TempDir Path tmp) throws Exception {
        StringBuilder sb = new StringBuilder();
        List<String> want = new ArrayList<>();
        String[] terms = {"\n", "\r\n", "\r"};
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 20000; i++) {
            String line = i % 17 == 0 ? "" : "l" + i + "-" + "é".repeat(rnd.nextInt(5)) + "x".repeat(rnd.nextInt(40));
            want.add(line);
            // A lone \r before an empty line ending in \n would read as one \r\n: avoid writing that ambiguity.
            sb.append(line).append((i + 1) % 17 == 0 ? "\n" : terms[rnd.nextInt(3)]);
        }
        sb.append("last line without terminator");
        want.add("last line without terminator");
        Path f = tmp.resolve("big.txt");
        Files.writeString(f, sb.toString());
        String json = """
            {"format":"flowbook.flinkplan/v1","jobName":"split","parallelism":2,"runtimeMode":"BATCH",
             "operators":[
               {"id":"op1","name":"Read","kind":"source:text","payload":{"filePatterns":["%s"],"minSplitBytes":997}},
               {"id":"op9","name":"Collect","kind":"collect","inputs":[{"from":"op1"}],"outputs":[],"payload":{"limit":1000000,"maxBytes":100000000}}
             ]}""".formatted(f);
        var r = TestCluster.run(json);
        List<String> got = new ArrayList<>();
        for (Object o : Records.values(r.getAccumulatorResult("flowbook.collect/op9"), Records.STR, dev.flowbook.flink.coders.WindowedValues.WindowCoder.GLOBAL)) {
            got.add((String) o);
        }
        Collections.sort(got);
        Collections.sort(want);
        assertEquals(want.size(), got.size());
        assertEquals(want, got);
    }

    @Test
    void aFailedJobLeavesNoFinalFiles(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) sb.append("w").append(i).append('\n');
        sb.append("boom\n");
        Files.writeString(data.resolve("in.txt"), sb.toString());
        Path out = Files.createDirectories(tmp.resolve("out"));
        String json = """
            {"format":"flowbook.flinkplan/v1","jobName":"textfail","parallelism":2,"runtimeMode":"BATCH",
             "worker":{"command":["node","%s"]},
             "stages":{"s1":{"op":"upper","failOn":"boom"}},
             "operators":[
               {"id":"op1","name":"Read","kind":"source:text","payload":{"filePatterns":["%s/in.txt"]}},
               {"id":"op2","name":"Upper","kind":"usercode","transforms":["Upper"],"inputs":[{"from":"op1","ship":"rebalance"}],"payload":{"stage":"s1"}},
               {"id":"op3","name":"Write","kind":"sink:text","inputs":[{"from":"op2"}],"outputs":[],"payload":{"prefix":"%s/upper"}}
             ]}""".formatted(UserCodeTest.workerPath(), data, out);
        assertThrows(Exception.class, () -> TestCluster.run(json));
        for (String f : listing(out)) assertTrue(!f.startsWith("upper"), "no final file may exist, found " + f);
        // The same pipeline without the failing element writes both shards.
        Files.writeString(data.resolve("in.txt"), sb.toString().replace("boom\n", ""));
        TestCluster.run(json);
        List<String> files = listing(out);
        assertEquals(List.of("upper-00000-of-00002", "upper-00001-of-00002"), files.stream().filter(f -> !f.startsWith(".")).toList());
        assertTrue(files.stream().noneMatch(f -> f.startsWith(".flowbook-tmp") && Files.isDirectory(out.resolve(f)) && f.contains("textfail")));
        long lines = Files.readAllLines(out.resolve("upper-00000-of-00002")).size() + Files.readAllLines(out.resolve("upper-00001-of-00002")).size();
        assertEquals(2000, lines);
    }

    /** Names in {@code dir} other than {@code keep}: temp directories included. */
    static List<String> leftovers(Path dir, String... keep) throws Exception {
        List<String> out = new ArrayList<>(listing(dir));
        out.removeAll(List.of(keep));
        return out;
    }

    @Test
    void aFailedJobCommitsNoSinkEvenOneWhoseBranchFinishedFirst(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("old-file.txt"), "kept\n");
        String json = UserCodeTest.plan("twosinks", """
                {"s1":{"op":"upper","failOn":"boom","failAfterMs":3000}}""", """
                {"id":"op1","name":"Quick","kind":"source:create","payload":{"elements":%s}},
                {"id":"op2","name":"WriteQuick","kind":"sink:text","inputs":[{"from":"op1"}],"outputs":[],"payload":{"prefix":"%s/quick"}},
                {"id":"op3","name":"Slow","kind":"source:create","payload":{"elements":%s}},
                {"id":"op4","name":"Upper","kind":"usercode","transforms":["Upper"],"inputs":[{"from":"op3","ship":"rebalance"}],"payload":{"stage":"s1"}},
                {"id":"op5","name":"WriteSlow","kind":"sink:text","inputs":[{"from":"op4"}],"outputs":[],"payload":{"prefix":"%s/slow"}}
                """.formatted(Records.elements(UserCodeTest.strings(List.of("a", "b", "c"))), out,
                Records.elements(UserCodeTest.strings(List.of("x", "boom", "y"))), out));
        assertThrows(Exception.class, () -> TestCluster.run(json));
        // Nothing under a final name, and the failed job's temp directories are gone too.
        assertEquals(List.of(), leftovers(out, "old-file.txt"));

        // Without the failing element both sinks commit, and only then.
        TestCluster.run(json.replace("\"failOn\":\"boom\"", "\"failOn\":\"none\""));
        assertEquals(List.of("quick-00000-of-00002", "quick-00001-of-00002", "slow-00000-of-00002", "slow-00001-of-00002"),
                leftovers(out, "old-file.txt"));
        List<String> got = new ArrayList<>();
        for (String f : List.of("slow-00000-of-00002", "slow-00001-of-00002")) got.addAll(Files.readAllLines(out.resolve(f)));
        Collections.sort(got);
        assertEquals(List.of("BOOM", "X", "Y"), got);
    }

    @Test
    void aRestartedWriterCommitsOnlyItsFinishedAttempt(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path marker = tmp.resolve("died");
        List<String> in = UserCodeTest.words(5000);
        // The worker dies in the middle of a shard (usercode and writer are one chained task):
        // the writer's first attempt of that shard never finishes; its second one is committed.
        String json = UserCodeTest.plan("sinkrestart", """
                {"s1":{"op":"upper","dieOnceAt":"w2500","marker":"%s"}}""".formatted(marker), """
                {"id":"op1","name":"Create","kind":"source:create","payload":{"elements":%s}},
                {"id":"op2","name":"Upper","kind":"usercode","transforms":["Upper"],"inputs":[{"from":"op1","ship":"rebalance"}],"payload":{"stage":"s1"}},
                {"id":"op3","name":"Write","kind":"sink:text","inputs":[{"from":"op2"}],"outputs":[],"payload":{"prefix":"%s/upper"}}
                """.formatted(Records.elements(UserCodeTest.strings(in)), out));
        TestCluster.run(json);
        assertTrue(Files.exists(marker), "the worker died once");
        assertEquals(List.of("upper-00000-of-00002", "upper-00001-of-00002"), listing(out));
        List<String> got = new ArrayList<>();
        for (String f : listing(out)) got.addAll(Files.readAllLines(out.resolve(f)));
        List<String> want = new ArrayList<>();
        for (String s : in) want.add(s.toUpperCase());
        Collections.sort(got);
        Collections.sort(want);
        assertEquals(want, got);
    }

    @Test
    void theCommitTakesEachShardsFinishedAttemptOnlyAndChecksAllBeforeRenaming(@TempDir Path tmp) throws Exception {
        ShardFiles files = ShardFiles.create(tmp.resolve("out/part").toString(), "-SSSSS-of-NNNNN", ".txt");
        Files.createDirectories(Path.of(files.tempDir));
        Files.writeString(files.tempFile(0, 0), "partial attempt of shard 0\n");
        Files.writeString(files.tempFile(0, 1), "shard 0\n");
        Files.writeString(files.tempFile(1, 0), "shard 1\n");
        // Shard 2's file is missing: nothing is renamed.
        IOException e = assertThrows(IOException.class, () -> files.commit(3, s -> s == 0 ? 1 : 0));
        assertTrue(e.getMessage().contains("shard 2"), e.getMessage());
        assertEquals(List.of(Path.of(files.tempDir).getFileName().toString()), listing(tmp.resolve("out")));
        // With every shard there: the finished attempts become the final files, the rest goes.
        Files.writeString(files.tempFile(2, 3), "shard 2\n");
        files.commit(3, s -> s == 0 ? 1 : s == 1 ? 0 : 3);
        assertEquals(List.of("part-00000-of-00003.txt", "part-00001-of-00003.txt", "part-00002-of-00003.txt"), listing(tmp.resolve("out")));
        for (int s = 0; s < 3; s++) {
            assertEquals("shard " + s + "\n", Files.readString(tmp.resolve("out/part-0000" + s + "-of-00003.txt")));
        }
        // A prefix naming a directory keeps its temp files inside it.
        assertEquals(tmp.resolve("dir"), Path.of(ShardFiles.create(tmp.resolve("dir") + "/", "-SSSSS-of-NNNNN", "").tempDir).getParent());
    }
}
