package dev.flowbook.flink.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowbook.flink.coders.CoderSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/** A parsed FlinkPlan (docs/flink-plan.md). */
public record Plan(String jobName, int parallelism, String runtimeMode, int restartAttempts, long restartDelayMs,
                   WorkerConfig worker, Map<String, JsonNode> stages, List<OperatorSpec> operators, long consoleMaxBytes,
                   long checkpointIntervalMs, String checkpointDir) {

    public static final String FORMAT = "flowbook.flinkplan/v1";
    /**
     * Users' console output kept per job by default ({@code plan.console.maxBytes}): with the
     * collect accumulators it must fit Pekko's 10 MiB frame of a TaskManager's heartbeat.
     */
    public static final long DEFAULT_CONSOLE_MAX_BYTES = 4L << 20;
    public static final ObjectMapper JSON = new ObjectMapper();

    public boolean isBatch() {
        return "BATCH".equals(runtimeMode);
    }

    public int parallelismOf(OperatorSpec op) {
        return op.parallelism() != null ? op.parallelism() : parallelism;
    }

    /** Decodes {@code --plan-base64}: base64 of gzip(JSON) or of the JSON itself. */
    public static String decodeBase64(String b64) {
        byte[] raw;
        try {
            raw = Base64.getMimeDecoder().decode(b64.trim());
        } catch (IllegalArgumentException e) {
            throw new PlanException("--plan-base64 is not base64: " + e.getMessage());
        }
        return bytesToJson(raw);
    }

    public static String bytesToJson(byte[] raw) {
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new PlanException("the plan is not valid gzip: " + e.getMessage());
            }
        }
        return new String(raw, StandardCharsets.UTF_8);
    }

    public static Plan parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new PlanException("the plan is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new PlanException("the plan must be a JSON object");
        String format = root.path("format").asText("");
        if (!FORMAT.equals(format)) throw new PlanException("plan.format must be '" + FORMAT + "', got '" + format + "'");
        String jobName = root.path("jobName").asText("flowbook");
        int parallelism = root.path("parallelism").asInt(1);
        if (parallelism < 1) throw new PlanException("plan.parallelism must be >= 1");
        String mode = root.path("runtimeMode").asText("BATCH");
        if (!mode.equals("BATCH") && !mode.equals("STREAMING")) throw new PlanException("plan.runtimeMode must be BATCH or STREAMING, got '" + mode + "'");
        int attempts = root.path("restart").path("attempts").asInt(3);
        long delay = root.path("restart").path("delayMs").asLong(200);

        WorkerConfig worker = WorkerConfig.DEFAULT;
        JsonNode w = root.get("worker");
        if (w != null && !w.isNull()) {
            List<String> cmd = new ArrayList<>();
            if (w.has("command")) {
                if (!w.get("command").isArray()) throw new PlanException("plan.worker.command must be an array of strings");
                w.get("command").forEach(n -> cmd.add(n.asText()));
            }
            Map<String, String> env = new LinkedHashMap<>();
            if (w.has("env")) w.get("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            String cwd = w.hasNonNull("cwd") ? w.get("cwd").asText() : null;
            worker = new WorkerConfig(cmd, env, cwd, w.path("batchBytes").asInt(65536), w.path("bundleSize").asInt(0));
        }

        Map<String, JsonNode> stages = new LinkedHashMap<>();
        JsonNode st = root.get("stages");
        if (st != null && st.isObject()) st.fields().forEachRemaining(e -> stages.put(e.getKey(), e.getValue()));

        JsonNode ops = root.get("operators");
        if (ops == null || !ops.isArray() || ops.isEmpty()) throw new PlanException("plan.operators must be a non-empty array");
        List<OperatorSpec> operators = new ArrayList<>();
        Map<String, OperatorSpec> seen = new LinkedHashMap<>();
        for (JsonNode o : ops) {
            OperatorSpec op = parseOperator(o, seen);
            seen.put(op.id(), op);
            operators.add(op);
        }
        long consoleMax = root.path("console").path("maxBytes").asLong(DEFAULT_CONSOLE_MAX_BYTES);
        if (consoleMax < 0) throw new PlanException("plan.console.maxBytes must be >= 0");
        // STREAMING jobs checkpoint every checkpoint.intervalMs (the TS option flinkCheckpointIntervalMs); 0: off
        long checkpointMs = root.path("checkpoint").path("intervalMs").asLong(0);
        if (checkpointMs < 0 || (checkpointMs > 0 && checkpointMs < 10)) throw new PlanException("plan.checkpoint.intervalMs must be 0 (off) or at least 10, got " + checkpointMs);
        // checkpoint.dir (the TS option flinkCheckpointDir, a URI): file-system checkpoints there; absent: the cluster's config
        JsonNode dirNode = root.path("checkpoint").path("dir");
        String checkpointDir = dirNode.isTextual() && !dirNode.asText().isEmpty() ? dirNode.asText() : null;
        if (checkpointDir != null && !checkpointDir.matches("(?i)^[a-z][a-z0-9+.-]*:/.*")) {
            throw new PlanException("plan.checkpoint.dir must be a URI such as file:///dir or s3://bucket/dir, got '" + checkpointDir + "'");
        }
        return new Plan(jobName, parallelism, mode, attempts, delay, worker, stages, operators, consoleMax, checkpointMs, checkpointDir);
    }

    private static OperatorSpec parseOperator(JsonNode o, Map<String, OperatorSpec> earlier) {
        String id = o.path("id").asText("");
        if (id.isEmpty()) throw new PlanException("an operator has no 'id': " + o);
        if (earlier.containsKey(id)) throw new PlanException("operator id '" + id + "' is used twice");
        String kind = o.path("kind").asText("");
        String name = o.path("name").asText(id);
        List<String> transforms = new ArrayList<>();
        o.path("transforms").forEach(t -> transforms.add(t.asText()));
        Integer par = o.hasNonNull("parallelism") ? o.get("parallelism").asInt() : null;
        if (par != null && par < 1) throw new PlanException("operator '" + id + "': parallelism must be >= 1");
        List<String> outputs = new ArrayList<>();
        if (o.has("outputs")) o.get("outputs").forEach(t -> outputs.add(t.asText()));
        else outputs.add("main");
        Set<String> uniq = new HashSet<>(outputs);
        if (uniq.size() != outputs.size()) throw new PlanException("operator '" + id + "': duplicate output tags " + outputs);

        List<InputSpec> inputs = new ArrayList<>();
        int i = 0;
        for (JsonNode in : o.path("inputs")) {
            String where = "operator '" + id + "' inputs[" + i++ + "]";
            String from = in.path("from").asText("");
            OperatorSpec src = earlier.get(from);
            if (src == null) throw new PlanException(where + ": 'from' names '" + from + "', which is not an earlier operator");
            String output = in.path("output").asText("main");
            if (!src.outputs().contains(output)) {
                throw new PlanException(where + ": operator '" + from + "' has no output '" + output + "' (it has " + src.outputs() + ")");
            }
            String ship = in.path("ship").asText(InputSpec.FORWARD);
            if (!List.of(InputSpec.FORWARD, InputSpec.REBALANCE, InputSpec.BROADCAST, InputSpec.HASH).contains(ship)) {
                throw new PlanException(where + ": ship must be forward, rebalance, broadcast or hash, got '" + ship + "'");
            }
            CoderSpec keyCoder = null;
            if (in.hasNonNull("keyCoder")) {
                try {
                    keyCoder = CoderSpec.fromJson(in.get("keyCoder"), where + ".keyCoder");
                } catch (IllegalArgumentException e) {
                    throw new PlanException(e.getMessage());
                }
            }
            Windowing windowing;
            try {
                windowing = Windowing.fromJson(in.get("windowing"), where + ".windowing");
            } catch (IllegalArgumentException e) {
                throw new PlanException(e.getMessage());
            }
            inputs.add(new InputSpec(from, output, ship, keyCoder, windowing));
        }
        JsonNode payload = o.get("payload");
        if (payload != null && !payload.isNull() && !payload.isObject()) throw new PlanException("operator '" + id + "': payload must be an object");
        return new OperatorSpec(id, name, kind, List.copyOf(transforms), par, List.copyOf(inputs), List.copyOf(outputs), payload);
    }
}
