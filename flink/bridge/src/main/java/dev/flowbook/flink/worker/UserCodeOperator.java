package dev.flowbook.flink.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.metrics.ConsoleAccumulator;
import dev.flowbook.flink.metrics.DistributionAccumulator;
import dev.flowbook.flink.metrics.GaugeAccumulator;
import dev.flowbook.flink.metrics.MetricNames;
import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.WorkerConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InputSelectable;
import org.apache.flink.streaming.api.operators.InputSelection;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * A fused chain of user transforms, run by one Node worker per subtask
 * (docs/worker-protocol.md). {@link OneInput} without side inputs, else a two-input operator:
 * input 1 is the main input; input 2 (optional) carries all side
 * inputs, each record prefixed with its side-input index as a varint. Main records that arrive
 * before the side inputs ended wait in a {@link SpillBuffer} (memory, then a local file) and go
 * to the worker after SIDE_INPUTS_DONE. Output 0 is the main output, output i &gt; 0 the side output {@code outputs[i]}.
 */
public class UserCodeOperator extends AbstractStreamOperator<byte[]>
        implements TwoInputStreamOperator<byte[], byte[], byte[]>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;

    public static UserCodeOperator withSideInputs(String hello, List<String> outputs, WorkerConfig worker, boolean batch, String label, ConsoleSpec console) {
        // Flink refuses checkpoints for InputSelectable operators: STREAMING jobs buffer early main records instead (pending)
        return batch ? new SideInputsFirst(hello, outputs, worker, label, console) : new UserCodeOperator(hello, outputs, true, worker, false, label, console);
    }

    /** BATCH with side inputs: the bridge reads input 2 until it ended (main records that still come early are buffered). */
    public static final class SideInputsFirst extends UserCodeOperator implements InputSelectable {
        private static final long serialVersionUID = 1L;

        SideInputsFirst(String hello, List<String> outputs, WorkerConfig worker, String label, ConsoleSpec console) {
            super(hello, outputs, true, worker, true, label, console);
        }

        @Override
        public InputSelection nextSelection() {
            return sideInputsDone() ? InputSelection.ALL : InputSelection.SECOND;
        }
    }

    boolean sideInputsDone() {
        return sideDone;
    }

    /** Where the workers' console output goes: the accumulator {@code flowbook.console/<accumulatorId>} (the plan operator's id), bounded per subtask. */
    public record ConsoleSpec(String accumulatorId, long maxBytes) implements java.io.Serializable { }

    private final String hello; // HELLO JSON without subtask/parallelism/attempt
    private final List<String> outputs;
    private final boolean hasSideInputs;
    private final WorkerConfig worker;
    private final boolean batch;
    private final String label;
    private final ConsoleSpec console;

    private transient WorkerClient client;
    private transient ConsoleAccumulator consoleOut;
    private transient LongCounter recordsIn;
    private transient LongCounter recordsOut;
    private transient OutputTag<byte[]>[] tags;
    private transient StreamRecord<byte[]> reuse;
    private transient boolean sideDone;
    private transient boolean mainEnded;
    private transient boolean inputEnded;
    private transient Map<String, Accumulator<?, ?>> metrics;
    private transient SpillBuffer pending;
    private transient Watermark heldWatermark; // held while main elements wait for the side inputs

    protected UserCodeOperator(String hello, List<String> outputs, boolean hasSideInputs, WorkerConfig worker, boolean batch, String label,
                               ConsoleSpec console) {
        this.console = console;
        this.hello = hello;
        this.outputs = List.copyOf(outputs);
        this.hasSideInputs = hasSideInputs;
        this.worker = worker;
        this.batch = batch;
        this.label = label;
    }

    public static OutputTag<byte[]> tag(String name) {
        return new OutputTag<>(name, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open();
        reuse = new StreamRecord<>(null);
        metrics = new HashMap<>();
        recordsIn = getRuntimeContext().getLongCounter(MetricNames.records(console.accumulatorId(), "in"));
        recordsOut = getRuntimeContext().getLongCounter(MetricNames.records(console.accumulatorId(), "out"));
        tags = new OutputTag[outputs.size()];
        for (int i = 1; i < outputs.size(); i++) tags[i] = tag(outputs.get(i));
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        ObjectNode h = (ObjectNode) Plan.JSON.readTree(hello);
        h.put("subtask", subtask);
        h.put("parallelism", getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
        h.put("attempt", attempt);
        int bundleSize = worker.bundleSize() > 0 ? worker.bundleSize() : (batch ? 0 : 1000);
        client = new WorkerClient(worker.command(), worker.env(), worker.cwd(), label + " subtask " + subtask + " attempt " + attempt,
                worker.batchBytes(), bundleSize, new WorkerClient.Handler() {
                    @Override
                    public void output(int index, byte[] record) {
                        emit(index, record);
                    }

                    @Override
                    public void metrics(JsonNode updates) {
                        addMetrics(updates);
                    }

                    @Override
                    public void elements(JsonNode counts) {
                        for (JsonNode c : counts) {
                            String t = c.path("transform").asText("");
                            if (c.has("in")) getRuntimeContext().getLongCounter(MetricNames.elements(t, "in")).add(c.get("in").asLong());
                            if (c.has("out")) getRuntimeContext().getLongCounter(MetricNames.elements(t, "out")).add(c.get("out").asLong());
                            // The transform's own time in the worker (ms, estimated from timed elements): where a fused stage's time goes.
                            if (c.has("ms")) getRuntimeContext().getLongCounter(MetricNames.elements(t, "ms")).add(c.get("ms").asLong());
                        }
                    }

                    @Override
                    public void console(String stream, String transform, String text) {
                        if (consoleOut == null) {
                            consoleOut = new ConsoleAccumulator(console.accumulatorId() + "/" + subtask + "/" + attempt, console.maxBytes());
                            getRuntimeContext().addAccumulator(MetricNames.console(console.accumulatorId()), consoleOut);
                        }
                        consoleOut.add(new ConsoleAccumulator.Line(stream, transform, text));
                    }
                });
        client.start(Plan.JSON.writeValueAsBytes(h));
        if (!batch) {
            // STREAMING: a bundle also ends after 1 s, so outputs do not wait for the next element.
            getProcessingTimeService().scheduleWithFixedDelay(t -> {
                if (client != null && !client.isDead() && sideDone && !inputEnded) client.finishBundle();
            }, 1000, 1000);
        }
        if (!hasSideInputs) {
            sideDone = true;
            client.sideInputsDone();
        }
    }

    private void emit(int index, byte[] record) {
        recordsOut.add(1L);
        if (index == 0) output.collect(reuse.replace(record));
        else if (index > 0 && index < tags.length) output.collect(tags[index], new StreamRecord<>(record));
        else throw new IllegalStateException("the worker of " + label + " sent output index " + index + ", but the operator has outputs " + outputs);
    }

    private void addMetrics(JsonNode updates) {
        for (JsonNode u : updates) {
            String kind = u.path("kind").asText();
            String name = MetricNames.metric(kind, u.path("step").asText(""), u.path("namespace").asText(""), u.path("name").asText(""));
            switch (kind) {
                case "counter" -> ((LongCounter) metric(name, LongCounter::new)).add(u.path("value").asLong());
                case "distribution" -> ((DistributionAccumulator) metric(name, DistributionAccumulator::new)).add(new long[] {
                        u.path("sum").asLong(), u.path("count").asLong(), u.path("min").asLong(), u.path("max").asLong()});
                case "gauge" -> ((GaugeAccumulator) metric(name, GaugeAccumulator::new)).add(new long[] {
                        u.path("value").asLong(), u.path("timestamp").asLong(System.currentTimeMillis())});
                default -> LOG.warn("{}: ignoring a metric update of unknown kind '{}'", label, kind);
            }
        }
    }

    private Accumulator<?, ?> metric(String name, java.util.function.Supplier<Accumulator<?, ?>> make) {
        Accumulator<?, ?> a = metrics.get(name);
        if (a == null) {
            a = make.get();
            getRuntimeContext().addAccumulator(name, a);
            metrics.put(name, a);
        }
        return a;
    }

    /** Without side inputs: a one-input operator (Flink calls BoundedOneInput.endInput() first if implemented). */
    public static final class OneInput extends UserCodeOperator implements OneInputStreamOperator<byte[], byte[]>, BoundedOneInput {
        private static final long serialVersionUID = 1L;

        public OneInput(String hello, List<String> outputs, WorkerConfig worker, boolean batch, String label, ConsoleSpec console) {
            super(hello, outputs, false, worker, batch, label, console);
        }

        @Override
        public void processElement(StreamRecord<byte[]> element) throws Exception {
            processElement1(element);
        }

        @Override
        public void endInput() throws Exception {
            endInput(1);
        }
    }

    @Override
    public void processElement1(StreamRecord<byte[]> element) throws Exception {
        recordsIn.add(1L);
        if (sideDone) {
            client.element(element.getValue());
        } else {
            if (pending == null) pending = new SpillBuffer(32 << 20, label);
            pending.add(element.getValue());
        }
    }

    @Override
    public void processElement2(StreamRecord<byte[]> element) throws Exception {
        byte[] rec = element.getValue();
        ByteIn in = new ByteIn(rec);
        int index = in.readVarInt();
        client.sideInput(index, Arrays.copyOfRange(rec, in.pos, rec.length));
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 2) {
            sideDone = true;
            client.sideInputsDone();
            if (pending != null) {
                pending.drainTo(client::element);
                pending = null;
            }
            releaseHeldWatermark();
            if (mainEnded) {
                inputEnded = true;
                client.finish();
            }
        } else if (sideDone) {
            inputEnded = true;
            client.finish();
        } else {
            mainEnded = true; // finish once the side inputs ended
        }
    }

    /**
     * A watermark passes only after the worker's outputs for every element before it: the open
     * bundle is finished (its outputs emitted) first, else they would reach the next operator
     * behind the watermark, as late data. While the main input waits for the side inputs
     * (elements buffered in {@link #pending}), the watermark is held back and forwarded once
     * those elements went through the worker.
     */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (!sideDone && pending != null) {
            heldWatermark = mark;
            return;
        }
        finishBundleIfOpen();
        super.processWatermark(mark);
    }

    /** A dead worker throws here (the task fails) rather than letting a watermark or barrier pass its lost bundle. */
    private void finishBundleIfOpen() throws Exception {
        if (client != null && !inputEnded) client.finishBundle();
    }

    /** The held watermark (if any) goes out once the buffered main elements were processed. */
    private void releaseHeldWatermark() throws Exception {
        if (heldWatermark != null) {
            Watermark w = heldWatermark;
            heldWatermark = null;
            processWatermark(w);
        }
    }

    /** A checkpoint barrier likewise: the bundle is finished, its outputs emitted, before the barrier. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        finishBundleIfOpen();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void close() throws Exception {
        if (client != null) client.close();
        if (pending != null) pending.close();
        super.close();
    }

    static String describe(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
