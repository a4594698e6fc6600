package dev.flowbook.flink.translate;

import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.plan.InputSpec;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.runtime.EncodedKeySelector;
import dev.flowbook.flink.sink.ShardFiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** What translators share: the environment, the plan, and the streams of operators already translated. */
public final class TranslationContext {
    public static final TypeInformation<byte[]> RECORD = PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;

    public final StreamExecutionEnvironment env;
    public final Plan plan;
    private final Map<String, Map<String, DataStream<byte[]>>> streams = new HashMap<>();
    private final List<ShardFiles> tempFiles = new ArrayList<>();

    public TranslationContext(StreamExecutionEnvironment env, Plan plan) {
        this.env = env;
        this.plan = plan;
    }

    /**
     * Each printing subtask's share of {@code plan.console.maxBytes} (usercode operators,
     * both halves of a usercode combine, console sinks): the job's bound holds however the
     * printing is spread, and no accumulator outgrows a heartbeat.
     */
    public long consoleBytesPerSubtask() {
        long printers = 0;
        for (OperatorSpec o : plan.operators()) {
            switch (o.kind()) {
                case "usercode", "sink:console" -> printers += parallelism(o);
                case "combine" -> printers += "usercode".equals(o.optString("mode", "native")) ? 2L * parallelism(o) : 0;
                default -> { }
            }
        }
        return plan.consoleMaxBytes() / Math.max(1, printers);
    }

    private String testStreamClock;

    /**
     * The synthetic processing-time clock of a job with a TestStream (its source and windowing
     * operators share it: windowing/SyntheticClock), or null: processing time is the wall clock.
     */
    public String testStreamClock() {
        if (testStreamClock == null && plan.operators().stream().anyMatch(o -> o.kind().equals("source:test_stream"))) {
            testStreamClock = java.util.UUID.randomUUID().toString();
        }
        return testStreamClock;
    }

    /** Where the synthetic clock starts (the TestStream's {@code clockStart}; 0 without one). */
    public long testStreamClockStart() {
        return plan.operators().stream().filter(o -> o.kind().equals("source:test_stream")).findFirst()
                .map(o -> o.optLong("clockStart", 0)).orElse(0L);
    }

    public int parallelism(OperatorSpec op) {
        return plan.parallelismOf(op);
    }

    /** The stream an input names, before its ship strategy. */
    public DataStream<byte[]> raw(OperatorSpec op, int index) {
        if (index >= op.inputs().size()) throw op.error("needs an input #" + index + ", has " + op.inputs().size());
        InputSpec in = op.inputs().get(index);
        DataStream<byte[]> s = streams.getOrDefault(in.from(), Map.of()).get(in.output());
        if (s == null) throw op.error("input '" + in.from() + "'." + in.output() + " produces no stream (a sink?)");
        return s;
    }

    /** The stream an input names, shipped as it says (hash needs the input's keyCoder). */
    public DataStream<byte[]> input(OperatorSpec op, int index) {
        InputSpec in = op.inputs().get(index);
        DataStream<byte[]> s = raw(op, index);
        return switch (in.ship()) {
            case InputSpec.REBALANCE -> s.rebalance();
            case InputSpec.BROADCAST -> s.broadcast();
            case InputSpec.HASH -> {
                if (in.keyCoder() == null) throw op.error("inputs[" + index + "] ships by hash but gives no keyCoder");
                yield keyed(s, in.keyCoder(), in.windowing());
            }
            default -> s; // forward: Flink forwards, or rebalances when the parallelisms differ
        };
    }

    public KeyedStream<byte[], String> keyed(DataStream<byte[]> s, CoderSpec keyCoder, Windowing windowing) {
        return s.keyBy(new EncodedKeySelector(keyCoder, windowing.windowCoder()), org.apache.flink.api.common.typeinfo.Types.STRING);
    }

    public void setOutput(OperatorSpec op, String tag, DataStream<byte[]> s) {
        streams.computeIfAbsent(op.id(), k -> new HashMap<>()).put(tag, s);
    }

    private Map<String, String> stableIds;

    /**
     * The uid of (a part of) an operator, by which a savepoint's or checkpoint's state finds it
     * again: the operator's name (its transforms' full names), not its id in the plan, so a
     * pipeline that gained or lost other transforms still restores the state of these; an
     * operator whose name an earlier one has gets "#2", "#3", ….
     */
    public String uid(OperatorSpec op, String part) {
        if (stableIds == null) {
            stableIds = new HashMap<>();
            Map<String, Integer> seen = new HashMap<>();
            for (OperatorSpec o : plan.operators()) {
                int n = seen.merge(o.name(), 1, Integer::sum);
                stableIds.put(o.id(), n == 1 ? o.name() : o.name() + "#" + n);
            }
        }
        return stableIds.getOrDefault(op.id(), op.id()) + (part.isEmpty() ? "" : "|" + part);
    }

    /**
     * The id an operator's accumulators carry ({@code flowbook.console/op2},
     * {@code flowbook.records/op2/PreCombine/in}): the plan operator's id, which the client maps
     * back to the plan (docs/flink-plan.md). Not {@link #uid}: that one follows names so that a
     * savepoint survives plan changes, and the client cannot map it back to an operator.
     */
    public String accumulatorId(OperatorSpec op, String part) {
        return op.id() + (part.isEmpty() ? "" : "/" + part);
    }

    /** Registers the temp files of an atomic sink (removed if the job fails or is cancelled). */
    public void addTempFiles(ShardFiles files) {
        tempFiles.add(files);
    }

    public List<ShardFiles> tempFiles() {
        return List.copyOf(tempFiles);
    }
}
