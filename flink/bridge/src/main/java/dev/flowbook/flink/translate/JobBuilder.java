package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.PlanException;
import dev.flowbook.flink.runtime.TestStreamSource;
import dev.flowbook.flink.sink.TempDirCleanup;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * Builds the Flink job of a plan. The registry below is the translation table of
 * docs/flink-plan.md: one translator per operator kind.
 */
public final class JobBuilder {
    private static final Map<String, Translator> TRANSLATORS = new LinkedHashMap<>();

    static {
        TRANSLATORS.put("source:create", new CreateTranslator());
        TRANSLATORS.put("source:sequence", new SequenceSourceTranslator());
        TRANSLATORS.put("source:text", new TextSourceTranslator());
        TRANSLATORS.put("source:test_stream", new TestStreamTranslator());
        TRANSLATORS.put("window:assign", new WindowAssignTranslator());
        TRANSLATORS.put("usercode", new UserCodeTranslator());
        TRANSLATORS.put("group_by_key", new GroupByKeyTranslator());
        TRANSLATORS.put("combine", new CombineTranslator());
        TRANSLATORS.put("flatten", new FlattenTranslator());
        TRANSLATORS.put("sink:text", new TextSinkTranslator());
        TRANSLATORS.put("source:avro", new AvroSourceTranslator());
        TRANSLATORS.put("sink:avro", new AvroSinkTranslator());
        TRANSLATORS.put("sink:console", new ConsoleSinkTranslator());
        TRANSLATORS.put("collect", new CollectTranslator());
    }

    private JobBuilder() { }

    /** Applies the plan's runtime mode, parallelism and restart strategy to {@code env}. */
    public static void configure(StreamExecutionEnvironment env, Plan plan) {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, plan.isBatch() ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        if (plan.restartAttempts() > 0) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, plan.restartAttempts());
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(plan.restartDelayMs()));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        if (!plan.isBatch() && plan.checkpointDir() != null) {
            // The job's own checkpoint location (flinkCheckpointDir) over the cluster's config.
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, plan.checkpointDir());
        }
        env.configure(conf);
        env.setParallelism(plan.parallelism());
        if (!plan.isBatch()) {
            // STREAMING: exactly-once checkpoints; a TestStream job waits for one after each event (TestStreamSource)
            boolean testStream = plan.operators().stream().anyMatch(o -> o.kind().equals("source:test_stream"));
            long interval = testStream ? TestStreamSource.CHECKPOINT_INTERVAL_MS : plan.checkpointIntervalMs();
            if (interval > 0) {
                env.enableCheckpointing(interval, org.apache.flink.core.execution.CheckpointingMode.EXACTLY_ONCE);
                if (testStream) env.getCheckpointConfig().setMinPauseBetweenCheckpoints(0);
            }
        }
    }

    /**
     * Adds the plan's operators to {@code env} (after {@link #configure}); returns what
     * {@link #streamGraph} needs besides them.
     */
    public static TranslationContext build(StreamExecutionEnvironment env, Plan plan) {
        TranslationContext ctx = new TranslationContext(env, plan);
        for (OperatorSpec op : plan.operators()) {
            Translator t = TRANSLATORS.get(op.kind());
            if (t == null) {
                throw new PlanException(op.where() + ": unknown kind '" + op.kind() + "' (known: " + String.join(", ", TRANSLATORS.keySet()) + ")");
            }
            t.translate(op, ctx);
        }
        return ctx;
    }

    /**
     * The job of a built plan: the stream graph of {@code env}'s operators under the plan's job
     * name, with a hook that removes the file sinks' temp directories if the job fails. Execute
     * it with {@code env.execute(graph)}.
     */
    public static StreamGraph streamGraph(StreamExecutionEnvironment env, Plan plan, TranslationContext built) {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(plan.jobName());
        if (!built.tempFiles().isEmpty()) graph.registerJobStatusHook(new TempDirCleanup(built.tempFiles()));
        return graph;
    }
}
