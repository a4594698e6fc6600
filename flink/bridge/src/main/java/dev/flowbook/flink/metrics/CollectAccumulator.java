package dev.flowbook.flink.metrics;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.api.common.accumulators.Accumulator;

/**
 * Keeps up to {@code limit} encoded records (at most {@code maxBytes} in all) and counts all
 * of them. Its value, as REST shows it, is JSON: {"count":N,"truncated":b,"elements":[base64,...]}.
 */
public final class CollectAccumulator implements Accumulator<byte[], String> {
    private static final long serialVersionUID = 1L;

    private final int limit;
    private final long maxBytes;
    private long count;
    private long bytes;
    private boolean truncated;
    private ArrayList<byte[]> elements = new ArrayList<>();

    public CollectAccumulator(int limit, long maxBytes) {
        this.limit = limit;
        this.maxBytes = maxBytes;
    }

    @Override
    public void add(byte[] value) {
        count++;
        keep(value);
    }

    private void keep(byte[] value) {
        if (elements.size() < limit && bytes + value.length <= maxBytes) {
            elements.add(value);
            bytes += value.length;
        } else {
            truncated = true;
        }
    }

    public long count() {
        return count;
    }

    public List<byte[]> elements() {
        return elements;
    }

    @Override
    public String getLocalValue() {
        StringBuilder sb = new StringBuilder(64 + (int) Math.min(Integer.MAX_VALUE / 2, bytes * 4 / 3 + elements.size() * 3L));
        sb.append("{\"count\":").append(count).append(",\"truncated\":").append(truncated).append(",\"elements\":[");
        Base64.Encoder enc = Base64.getEncoder();
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append('"').append(enc.encodeToString(elements.get(i))).append('"');
        }
        return sb.append("]}").toString();
    }

    @Override
    public void resetLocal() {
        count = 0;
        bytes = 0;
        truncated = false;
        elements = new ArrayList<>();
    }

    @Override
    public void merge(Accumulator<byte[], String> other) {
        CollectAccumulator o = (CollectAccumulator) other;
        count += o.count;
        truncated |= o.truncated;
        for (byte[] e : o.elements) keep(e);
    }

    @Override
    public CollectAccumulator clone() {
        CollectAccumulator c = new CollectAccumulator(limit, maxBytes);
        c.count = count;
        c.bytes = bytes;
        c.truncated = truncated;
        c.elements = new ArrayList<>(elements);
        return c;
    }

    @Override
    public String toString() {
        return "CollectAccumulator(count=" + count + ", kept=" + elements.size() + ")";
    }
}
