package dev.flowbook.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.WindowedValues.WindowCoder;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** source:avro and sink:avro: records in AvroCoder's layout, container files, the atomic commit. */
class AvroIOTest {
    static final String USER = """
        {"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}""";
    /** USER with a field added (with a default): files written with USER read with it. */
    static final String USER2 = """
        {"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"},
         {"name":"email","type":["null","string"],"default":null}]}""";
    static final CoderSpec BYTES = CoderSpec.of(CoderSpec.Kind.BYTES);

    static GenericRecord user(Schema s, String name, int age) {
        GenericRecord r = new GenericData.Record(s);
        r.put("name", name);
        r.put("age", age);
        return r;
    }

    /** The Avro binary encoding of a datum (what AvroCoder puts after the varint length). */
    static byte[] binary(Schema s, Object datum) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bos, null);
        new GenericDatumWriter<>(s).write(datum, enc);
        enc.flush();
        return bos.toByteArray();
    }

    /** Runs a Read → Collect plan over the bridge's native Avro source; the records it collected. */
    static List<GenericRecord> readThroughBridge(String job, int parallelism, String pattern, String schema, int minSplitBytes) throws Exception {
        String plan = """
            {"format":"flowbook.flinkplan/v1","jobName":"%s","parallelism":%d,"runtimeMode":"BATCH",
             "operators":[
               {"id":"op1","name":"Read","kind":"source:avro","payload":{"filePatterns":["%s"],"schema":%s,"minSplitBytes":%d}},
               {"id":"op9","name":"Collect","kind":"collect","inputs":[{"from":"op1"}],"outputs":[],"payload":{"limit":100000,"maxBytes":100000000}}
             ]}""".formatted(job, parallelism, pattern, schema, minSplitBytes);
        var result = TestCluster.run(plan);
        Schema s = new Schema.Parser().parse(schema);
        List<GenericRecord> records = new ArrayList<>();
        for (Object v : Records.values(result.getAccumulatorResult("flowbook.collect/op9"), BYTES, WindowCoder.GLOBAL)) {
            records.add((GenericRecord) decode(s, (byte[]) v));
        }
        return records;
    }

    static Object decode(Schema s, byte[] b) throws Exception {
        return new GenericDatumReader<>(s).read(null, DecoderFactory.get().binaryDecoder(b, null));
    }

    static List<String> listing(Path dir) throws Exception {
        return TextIOTest.listing(dir);
    }

    @Test
    void theCoderLayoutIsDocs() throws Exception {
        // docs/coders.md, flowbook:coder:avro:v1: record User {name: string, age: int}, {name: "ab", age: 30} → 04 04 61 62 3c
        Schema s = new Schema.Parser().parse(USER);
        assertEquals("0461623c", HexFormat.of().formatHex(binary(s, user(s, "ab", 30))));
        assertEquals("040461623c", HexFormat.of().formatHex(BYTES.encodeToBytes(binary(s, user(s, "ab", 30)))));
    }

    @Test
    void writesShardedContainerFilesAndReadsThemBackSplitAtSyncMarkers(@TempDir Path tmp) throws Exception {
        Schema s = new Schema.Parser().parse(USER);
        List<byte[]> recs = new ArrayList<>();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            recs.add(Records.global(BYTES, binary(s, user(s, "u" + i + "-é", i))));
            want.add("u" + i + "-é/" + i);
        }
        Collections.sort(want);
        Path out = Files.createDirectories(tmp.resolve("out"));
        String write = """
            {"format":"flowbook.flinkplan/v1","jobName":"avrowrite","parallelism":2,"runtimeMode":"BATCH",
             "operators":[
               {"id":"op1","name":"Create","kind":"source:create","payload":{"elements":%s}},
               {"id":"op2","name":"Write","kind":"sink:avro","inputs":[{"from":"op1","ship":"rebalance"}],"outputs":[],
                "payload":{"prefix":"%s/users","suffix":".avro","numShards":3,"schema":%s,"codec":"deflate","syncInterval":2048}}
             ]}""".formatted(Records.elements(recs), out, USER);
        TestCluster.run(write);
        assertEquals(List.of("users-00000-of-00003.avro", "users-00001-of-00003.avro", "users-00002-of-00003.avro"), listing(out));
        List<String> inFiles = new ArrayList<>();
        for (String f : listing(out)) {
            try (DataFileReader<GenericRecord> r = new DataFileReader<>(out.resolve(f).toFile(), new GenericDatumReader<>())) {
                assertEquals(s, r.getSchema());
                assertEquals("deflate", r.getMetaString("avro.codec"));
                for (GenericRecord g : r) inFiles.add(g.get("name") + "/" + g.get("age"));
            }
        }
        Collections.sort(inFiles);
        assertEquals(want, inFiles);

        // Read back with a newer reader schema, files cut into many byte ranges (small blocks,
        // small splits): every record exactly once, resolved (the new field gets its default).
        List<String> got = new ArrayList<>();
        for (GenericRecord g : readThroughBridge("avroread", 2, out + "/users-*.avro", USER2, 1000)) {
            assertEquals(null, g.get("email"));
            got.add(g.get("name") + "/" + g.get("age"));
        }
        Collections.sort(got);
        assertEquals(want, got);
    }

    @Test
    void readsFilesOfOtherWritersWithManyBlocks(@TempDir Path tmp) throws Exception {
        Schema s = new Schema.Parser().parse(USER);
        Path f = tmp.resolve("big.avro");
        List<String> want = new ArrayList<>();
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(s))) {
            w.setCodec(CodecFactory.nullCodec());
            w.setSyncInterval(100);
            w.create(s, f.toFile());
            for (int i = 0; i < 5000; i++) {
                w.append(user(s, "n" + i, i));
                want.add("n" + i);
            }
        }
        List<String> got = new ArrayList<>();
        for (GenericRecord g : readThroughBridge("avroread2", 3, f.toString(), USER, 777)) got.add(g.get("name").toString());
        Collections.sort(got);
        Collections.sort(want);
        assertEquals(want, got);
    }

    @Test
    void aFailedJobLeavesNoAvroFile(@TempDir Path tmp) throws Exception {
        Schema s = new Schema.Parser().parse(USER);
        Path out = Files.createDirectories(tmp.resolve("out"));
        String json = UserCodeTest.plan("avrofail", """
                {"s1":{"op":"upper","failOn":"boom","failAfterMs":2000}}""", """
                {"id":"op1","name":"Users","kind":"source:create","payload":{"elements":%s}},
                {"id":"op2","name":"WriteUsers","kind":"sink:avro","inputs":[{"from":"op1"}],"outputs":[],"payload":{"prefix":"%s/users","schema":%s}},
                {"id":"op3","name":"Words","kind":"source:create","payload":{"elements":%s}},
                {"id":"op4","name":"Upper","kind":"usercode","transforms":["Upper"],"inputs":[{"from":"op3","ship":"rebalance"}],"payload":{"stage":"s1"}},
                {"id":"op5","name":"WriteWords","kind":"sink:text","inputs":[{"from":"op4"}],"outputs":[],"payload":{"prefix":"%s/words"}}
                """.formatted(Records.elements(List.of(Records.global(BYTES, binary(s, user(s, "a", 1))))), out, USER,
                Records.elements(UserCodeTest.strings(List.of("x", "boom"))), out));
        assertThrows(Exception.class, () -> TestCluster.run(json));
        assertEquals(List.of(), listing(out));
    }

    @Test
    void plansAreChecked() {
        String base = """
            {"format":"flowbook.flinkplan/v1","jobName":"bad","parallelism":1,"runtimeMode":"BATCH",
             "operators":[{"id":"op1","name":"Read","kind":"source:avro","payload":{"filePatterns":["/nonexistent/*.avro"],"emptyMatch":"allow","schema":SCHEMA}}]}""";
        assertTrue(PlanTest.error(base.replace("SCHEMA", "{\"type\":\"record\"}")).contains("payload.schema is not a valid Avro schema"));
        assertTrue(PlanTest.error(base.replace("SCHEMA", "42")).contains("payload.schema must be an Avro schema"));
        assertTrue(PlanTest.error(base.replace("SCHEMA", USER).replace(",\"emptyMatch\":\"allow\"", "")).contains("No files matched spec: /nonexistent/*.avro"));
    }
}
