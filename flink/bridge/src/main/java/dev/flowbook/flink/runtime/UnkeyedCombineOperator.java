package dev.flowbook.flink.runtime;

import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Windowing;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The Merge half of a native Combine.globally (parallelism 1, BATCH): merges the partial
 * accumulators per window at end of input; with global windowing and no input at all it
 * emits the fn's empty value, as Beam does.
 */
public final class UnkeyedCombineOperator extends AbstractStreamOperator<byte[]>
        implements OneInputStreamOperator<byte[], byte[]>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final Windowing windowing;
    private final NativeCombineFn fn;
    private transient List<byte[]> records;

    public UnkeyedCombineOperator(Windowing windowing, NativeCombineFn fn) {
        this.windowing = windowing;
        this.fn = fn;
    }

    @Override
    public void open() throws Exception {
        super.open();
        records = new ArrayList<>();
    }

    @Override
    public void processElement(StreamRecord<byte[]> element) {
        records.add(element.getValue());
    }

    @Override
    public void endInput() {
        WindowGrouper grouper = new WindowGrouper(null, windowing, fn.mergeAggregation());
        WindowGrouper.Result r = grouper.group(records, Long.MAX_VALUE, false);
        StreamRecord<byte[]> reuse = new StreamRecord<>(null);
        for (WindowGrouper.Group g : r.fired) grouper.emit(null, g, b -> output.collect(reuse.replace(b)));
        if (!r.any && "global".equals(windowing.type())) {
            ByteOut o = new ByteOut(32);
            WindowedValues.writeHeader(o, Windows.TIMESTAMP_MIN, Windows.GLOBAL, WindowedValues.WindowCoder.GLOBAL, WindowedValues.PANE_NO_FIRING);
            fn.encodeOutput(fn.create(), o);
            output.collect(reuse.replace(o.toByteArray()));
        }
        records.clear();
    }
}
