package dev.flowbook.flink.metrics;

import org.apache.flink.api.common.accumulators.Accumulator;

/** A user Gauge metric: the latest value by timestamp. Value: {"value":..,"timestamp":..}. */
public final class GaugeAccumulator implements Accumulator<long[], String> {
    private static final long serialVersionUID = 1L;
    private long value;
    private long timestamp = Long.MIN_VALUE;

    /** Adds {value, timestamp}. */
    @Override
    public void add(long[] v) {
        if (v[1] >= timestamp) {
            value = v[0];
            timestamp = v[1];
        }
    }

    @Override
    public String getLocalValue() {
        return timestamp == Long.MIN_VALUE ? "{\"value\":null,\"timestamp\":null}" : "{\"value\":" + value + ",\"timestamp\":" + timestamp + "}";
    }

    @Override
    public void resetLocal() {
        value = 0;
        timestamp = Long.MIN_VALUE;
    }

    @Override
    public void merge(Accumulator<long[], String> other) {
        GaugeAccumulator o = (GaugeAccumulator) other;
        if (o.timestamp != Long.MIN_VALUE) add(new long[] {o.value, o.timestamp});
    }

    @Override
    public GaugeAccumulator clone() {
        GaugeAccumulator c = new GaugeAccumulator();
        c.merge(this);
        return c;
    }
}
