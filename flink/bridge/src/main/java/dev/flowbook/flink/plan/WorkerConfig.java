package dev.flowbook.flink.plan;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/** How to start Node workers ({@code plan.worker}). */
public record WorkerConfig(List<String> command, Map<String, String> env, String cwd, int batchBytes, int bundleSize)
        implements Serializable {
    public static final WorkerConfig DEFAULT = new WorkerConfig(List.of(), Map.of(), null, 65536, 0);
}
