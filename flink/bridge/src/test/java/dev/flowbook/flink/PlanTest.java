package dev.flowbook.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.PlanException;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.translate.JobBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.runtime.jobgraph.InputOutputFormatVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** Plan parsing: the documented shape, and errors that name the operator and field. */
class PlanTest {
    static final String WORDCOUNT = """
        {"format":"flowbook.flinkplan/v1","jobName":"wordcount","parallelism":2,"runtimeMode":"BATCH",
         "stages":{"s1":{"transforms":["CountWords/ExtractWords"]},"s2":{"transforms":["Format"]}},
         "operators":[
           {"id":"op1","name":"ReadLines","kind":"source:text","transforms":["ReadLines"],"inputs":[],"outputs":["main"],
            "payload":{"filePatterns":["/nonexistent/*.txt"],"emptyMatch":"allow"}},
           {"id":"op2","name":"CountWords/ExtractWords","kind":"usercode","transforms":["CountWords/ExtractWords"],
            "inputs":[{"from":"op1","ship":"forward"}],"outputs":["main"],"payload":{"stage":"s1"}},
           {"id":"op3","name":"CountWords/Count.PerElement/Combine.perKey","kind":"combine","transforms":["CountWords/Count.PerElement/Combine.perKey"],
            "inputs":[{"from":"op2","ship":"hash"}],"outputs":["main"],
            "payload":{"mode":"native","fn":"count","keyed":true,"keyCoder":{"urn":"beam:coder:string_utf8:v1"},
                       "inputCoder":{"urn":"beam:coder:varint:v1"},"windowing":{"windowFn":{"type":"global"}}}},
           {"id":"op4","name":"Format","kind":"usercode","transforms":["Format"],"inputs":[{"from":"op3","ship":"forward"}],"outputs":["main"],
            "payload":{"stage":"s2"}},
           {"id":"op5","name":"WriteCounts","kind":"sink:text","transforms":["WriteCounts"],"inputs":[{"from":"op4","ship":"forward"}],"outputs":[],
            "payload":{"prefix":"/tmp/out/wordcounts","suffix":"","numShards":0,"windowing":{"windowFn":{"type":"global"}}}}
         ]}""";

    @Test
    void theDocumentedWordCountPlanBuilds() throws Exception {
        Plan plan = Plan.parse(WORDCOUNT);
        assertEquals("wordcount", plan.jobName());
        assertEquals(5, plan.operators().size());
        assertEquals("hash", plan.operators().get(2).inputs().get(0).ship());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobBuilder.configure(env, plan);
        var built = JobBuilder.build(env, plan);
        String graph = env.getExecutionPlan();
        for (String name : List.of("CountWords/ExtractWords", "Combine.perKey/PreCombine", "Combine.perKey/Merge", "WriteCounts/Write")) {
            assertTrue(graph.contains(name), name + " in " + graph);
        }
        // The text sink commits on the JobManager: its writers' job vertex (chained to Format)
        // finalizes on master, and a hook removes temp files if the job fails.
        JobGraph job = JobBuilder.streamGraph(env, plan, built).getJobGraph();
        JobVertex sink = null;
        for (JobVertex v : job.getVertices()) if (v.getName().contains("WriteCounts/Write")) sink = v;
        assertNotNull(sink, "a vertex with the sink");
        assertTrue(sink.getName().contains("Format"), sink.getName() + ": the writer is chained to its producer");
        assertInstanceOf(InputOutputFormatVertex.class, sink);
        assertEquals(1, job.getJobStatusHooks().size());
        assertEquals("wordcount", job.getName());
    }

    @Test
    void gzipBase64RoundTrip() throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(WORDCOUNT.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(WORDCOUNT, Plan.decodeBase64(Base64.getEncoder().encodeToString(bos.toByteArray())));
        assertEquals(WORDCOUNT, Plan.decodeBase64(Base64.getEncoder().encodeToString(WORDCOUNT.getBytes(StandardCharsets.UTF_8))));
    }

    static String error(String json) {
        return assertThrows(PlanException.class, () -> {
            Plan plan = Plan.parse(json);
            JobBuilder.build(StreamExecutionEnvironment.getExecutionEnvironment(), plan);
        }).getMessage();
    }

    @Test
    void errorsNameTheOperatorAndField() {
        assertTrue(error("{\"format\":\"x\"}").contains("plan.format must be 'flowbook.flinkplan/v1'"));
        assertTrue(error(WORDCOUNT.replace("\"from\":\"op3\"", "\"from\":\"op7\"")).contains("operator 'op4' inputs[0]: 'from' names 'op7'"));
        assertTrue(error(WORDCOUNT.replace("\"kind\":\"combine\"", "\"kind\":\"combin\"")).contains("unknown kind 'combin'"));
        assertTrue(error(WORDCOUNT.replace("\"fn\":\"count\"", "\"fn\":\"median\"")).contains("operator 'op3' (combine 'CountWords/Count.PerElement/Combine.perKey'): payload.fn must be"));
        assertTrue(error(WORDCOUNT.replace("beam:coder:string_utf8:v1", "my:coder")).contains("wrap it in beam:coder:length_prefix:v1"));
        assertTrue(error(WORDCOUNT.replace("\"stage\":\"s2\"", "\"stage\":\"s9\"")).contains("stage 's9' is not in plan.stages"));
        assertTrue(error(WORDCOUNT.replace(",\"emptyMatch\":\"allow\"", "")).contains("No files matched spec: /nonexistent/*.txt"));
    }

    @Test
    void checkpointDirIsAUriOrAbsent() {
        String withDir = WORDCOUNT.replace("\"runtimeMode\":\"BATCH\",", "\"runtimeMode\":\"BATCH\",\"checkpoint\":{\"intervalMs\":1000,\"dir\":\"file:///tmp/cp\"},");
        assertEquals("file:///tmp/cp", Plan.parse(withDir).checkpointDir());
        assertEquals(1000, Plan.parse(withDir).checkpointIntervalMs());
        assertEquals(null, Plan.parse(WORDCOUNT).checkpointDir()); // the cluster's config decides
        assertTrue(error(withDir.replace("file:///tmp/cp", "tmp/cp")).contains("plan.checkpoint.dir must be a URI"));
    }

    @Test
    void windowFns() {
        Windowing fixed = Windowing.windowFn(Plan.JSON.valueToTree(java.util.Map.of("type", "fixed", "sizeMs", 1000)), "w", Windowing.TimestampCombiner.END_OF_WINDOW);
        assertEquals(List.of(new Windows.Interval(-1000, 0)), fixed.assign(-1));
        Windowing sliding = Windowing.windowFn(Plan.JSON.valueToTree(java.util.Map.of("type", "sliding", "sizeMs", 3000, "periodMs", 1000)), "w",
                Windowing.TimestampCombiner.END_OF_WINDOW);
        assertEquals(List.of(new Windows.Interval(2000, 5000), new Windows.Interval(1000, 4000), new Windows.Interval(0, 3000)), sliding.assign(2500));
    }
}
