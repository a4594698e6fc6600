package dev.flowbook.flink.metrics;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.Accumulator;

/**
 * Users' console output (a DoFn's console.log, ConsoleIO) on its way back to the client, which
 * polls it over REST while the job runs and once more after it ended (docs/flink-plan.md,
 * "Console output"). One instance per operator subtask is one <em>source</em>; its lines are
 * numbered from 0, so the client emits each line once however often it reads the value, and
 * the JobManager's merge of the subtasks' instances keeps every source's lines apart and in order.
 *
 * <p>Bounded: once a source holds {@code maxBytes} of text, further lines are only counted
 * ({@code dropped}), so what is kept is always a prefix of what was printed. Added on the task
 * thread and serialized by the TaskManager's heartbeat on another: both hold the lock.
 *
 * <p>Value (REST): {@code {"maxBytes":N,"dropped":D,"sources":{"<source>":[[firstLine,"stdout","<transform>","text\n"],...]}}}.
 */
public final class ConsoleAccumulator implements Accumulator<ConsoleAccumulator.Line, String> {
    private static final long serialVersionUID = 1L;
    /** Consecutive lines of one stream and transform share an entry up to this size. */
    static final int ENTRY_CHARS = 32 * 1024;

    /** Whole lines (each ending in '\n') of one stream, printed by one transform (null: unknown). */
    public record Line(String stream, String transform, String text) implements Serializable { }

    private static final class Entry implements Serializable {
        private static final long serialVersionUID = 1L;
        final long firstLine;
        final String stream;
        final String transform;
        final StringBuilder text = new StringBuilder();

        Entry(long firstLine, String stream, String transform) {
            this.firstLine = firstLine;
            this.stream = stream;
            this.transform = transform;
        }

        Entry copy() {
            Entry e = new Entry(firstLine, stream, transform);
            e.text.append(text);
            return e;
        }
    }

    private static final class Source implements Serializable {
        private static final long serialVersionUID = 1L;
        final ArrayList<Entry> entries = new ArrayList<>();
        long lines;

        Source copy() {
            Source s = new Source();
            for (Entry e : entries) s.entries.add(e.copy());
            s.lines = lines;
            return s;
        }
    }

    private final String source;
    private final long maxBytes;
    private LinkedHashMap<String, Source> sources = new LinkedHashMap<>();
    private long bytes;
    private long dropped;

    /** @param source this subtask's name among all sources of the job (operator, subtask, attempt) */
    public ConsoleAccumulator(String source, long maxBytes) {
        this.source = source;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized void add(Line line) {
        String text = line.text();
        if (text.isEmpty()) return;
        if (text.charAt(text.length() - 1) != '\n') text = text + "\n";
        Source s = sources.computeIfAbsent(source, k -> new Source());
        int n = countLines(text);
        if (dropped > 0) {
            dropped += n;
            return;
        }
        long size = utf8Length(text);
        if (bytes + size > maxBytes) {
            // Keep the lines that still fit, so what the client gets is a prefix of the output.
            int end = 0;
            long kept = 0;
            for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
                long len = utf8Length(text.substring(end, i + 1));
                if (bytes + kept + len > maxBytes) break;
                kept += len;
                end = i + 1;
            }
            String head = text.substring(0, end);
            dropped += n - countLines(head);
            text = head;
            size = kept;
            if (text.isEmpty()) return;
            n = countLines(text);
        }
        Entry last = s.entries.isEmpty() ? null : s.entries.get(s.entries.size() - 1);
        if (last == null || !last.stream.equals(line.stream()) || !java.util.Objects.equals(last.transform, line.transform())
                || last.text.length() + text.length() > ENTRY_CHARS) {
            last = new Entry(s.lines, line.stream(), line.transform());
            s.entries.add(last);
        }
        last.text.append(text);
        s.lines += n;
        bytes += size;
    }

    static int countLines(String text) {
        int n = 0;
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
        return n;
    }

    static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    public synchronized long dropped() {
        return dropped;
    }

    /** Every kept line of every source, in order per source (for tests). */
    public synchronized Map<String, List<String>> lines() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        sources.forEach((k, s) -> {
            List<String> l = new ArrayList<>();
            for (Entry e : s.entries) for (String x : e.text.toString().split("\n")) l.add(x);
            out.put(k, l);
        });
        return out;
    }

    @Override
    public synchronized String getLocalValue() {
        StringBuilder sb = new StringBuilder(64 + (int) Math.min(Integer.MAX_VALUE / 2, bytes + bytes / 8));
        sb.append("{\"maxBytes\":").append(maxBytes).append(",\"dropped\":").append(dropped).append(",\"sources\":{");
        boolean firstSource = true;
        for (Map.Entry<String, Source> s : sources.entrySet()) {
            if (!firstSource) sb.append(',');
            firstSource = false;
            sb.append(MetricNames.quote(s.getKey())).append(":[");
            boolean first = true;
            for (Entry e : s.getValue().entries) {
                if (!first) sb.append(',');
                first = false;
                sb.append('[').append(e.firstLine).append(',').append(MetricNames.quote(e.stream)).append(',')
                        .append(e.transform == null ? "null" : MetricNames.quote(e.transform)).append(',')
                        .append(MetricNames.quote(e.text.toString())).append(']');
            }
            sb.append(']');
        }
        return sb.append("}}").toString();
    }

    @Override
    public synchronized void resetLocal() {
        sources = new LinkedHashMap<>();
        bytes = 0;
        dropped = 0;
    }

    /** The JobManager's merge of subtasks' instances: sources side by side, nothing dropped. */
    @Override
    public synchronized void merge(Accumulator<Line, String> other) {
        ConsoleAccumulator o = (ConsoleAccumulator) other;
        synchronized (o) {
            o.sources.forEach((k, s) -> sources.put(k, s.copy()));
            bytes += o.bytes;
            dropped += o.dropped;
        }
    }

    @Override
    public synchronized ConsoleAccumulator clone() {
        ConsoleAccumulator c = new ConsoleAccumulator(source, maxBytes);
        sources.forEach((k, s) -> c.sources.put(k, s.copy()));
        c.bytes = bytes;
        c.dropped = dropped;
        return c;
    }

    private synchronized void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
    }

    @Override
    public String toString() {
        return "ConsoleAccumulator(" + sources.size() + " sources, " + bytes + " bytes, " + dropped + " dropped)";
    }
}
