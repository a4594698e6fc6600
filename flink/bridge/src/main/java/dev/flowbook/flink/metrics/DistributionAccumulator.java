package dev.flowbook.flink.metrics;

import org.apache.flink.api.common.accumulators.Accumulator;

/** A user Distribution metric: sum, count, min, max. Value: {"sum":..,"count":..,"min":..,"max":..}. */
public final class DistributionAccumulator implements Accumulator<long[], String> {
    private static final long serialVersionUID = 1L;
    private long sum;
    private long count;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;

    /** Adds a partial distribution {sum, count, min, max}. */
    @Override
    public void add(long[] v) {
        if (v[1] == 0) return;
        sum += v[0];
        count += v[1];
        min = Math.min(min, v[2]);
        max = Math.max(max, v[3]);
    }

    @Override
    public String getLocalValue() {
        return count == 0 ? "{\"sum\":0,\"count\":0,\"min\":null,\"max\":null}"
                : "{\"sum\":" + sum + ",\"count\":" + count + ",\"min\":" + min + ",\"max\":" + max + "}";
    }

    @Override
    public void resetLocal() {
        sum = 0;
        count = 0;
        min = Long.MAX_VALUE;
        max = Long.MIN_VALUE;
    }

    @Override
    public void merge(Accumulator<long[], String> other) {
        DistributionAccumulator o = (DistributionAccumulator) other;
        add(new long[] {o.sum, o.count, o.min, o.max});
    }

    @Override
    public DistributionAccumulator clone() {
        DistributionAccumulator c = new DistributionAccumulator();
        c.merge(this);
        return c;
    }
}
