package dev.flowbook.flink.runtime;

import dev.flowbook.flink.metrics.CollectAccumulator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** Brings a sample of records back to the client through a job accumulator (no shared filesystem). */
public final class CollectOperator extends AbstractStreamOperator<byte[]> implements OneInputStreamOperator<byte[], byte[]> {
    private static final long serialVersionUID = 1L;
    private final String accumulatorName;
    private final int limit;
    private final long maxBytes;
    private transient CollectAccumulator acc;

    public CollectOperator(String accumulatorName, int limit, long maxBytes) {
        this.accumulatorName = accumulatorName;
        this.limit = limit;
        this.maxBytes = maxBytes;
    }

    @Override
    public void open() throws Exception {
        super.open();
        acc = new CollectAccumulator(limit, maxBytes);
        getRuntimeContext().addAccumulator(accumulatorName, acc);
    }

    @Override
    public void processElement(StreamRecord<byte[]> element) {
        acc.add(element.getValue());
    }
}
