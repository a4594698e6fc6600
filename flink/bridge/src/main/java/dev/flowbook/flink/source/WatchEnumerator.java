package dev.flowbook.flink.source;

import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.translate.TextSourceTranslator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * The watching text source's enumerator (on the JobManager): lists the pattern every poll
 * interval (off the coordinator thread), keeps the files seen but not yet complete, queues the
 * complete ones in (modification time, path) order and hands one to each reader that asks.
 * See {@link WatchedTextSource} for the rules.
 */
final class WatchEnumerator implements SplitEnumerator<WatchedTextSource.FileSplit, WatchedTextSource.EnumState> {
    /**
     * How far a new file's modification time may lag the wall clock (a kernel's coarse clock, file
     * systems with whole seconds): the watermark stays this far behind a listing's start, as the
     * local runner's reader does (MTIME_SLACK_MS in src/io/text/watch_source.ts).
     */
    static final long MTIME_SLACK_MS = 1000;

    private final WatchedTextSource src;
    private final SplitEnumeratorContext<WatchedTextSource.FileSplit> ctx;
    private final WatchedTextSource.EnumState st;
    /** Readers that asked for a split and got none yet. */
    private final Set<Integer> waiting = new LinkedHashSet<>();
    private boolean readersStarted;

    WatchEnumerator(WatchedTextSource src, SplitEnumeratorContext<WatchedTextSource.FileSplit> ctx, WatchedTextSource.EnumState restored) {
        this.src = src;
        this.ctx = ctx;
        this.st = restored != null ? restored
                : new WatchedTextSource.EnumState(new LinkedHashSet<>(), new LinkedHashMap<>(), new ArrayList<>(), System.currentTimeMillis(),
                        Windows.TIMESTAMP_MIN, Windows.TIMESTAMP_MIN, false);
    }

    /** One listing's result: when it began and each matched file's {size, mtime ms}. */
    record Listing(long startedAt, Map<String, long[]> files) { }

    @Override
    public void start() {
        ctx.callAsync(this::list, this::onListed, 0, src.pollIntervalMs);
    }

    private Listing list() throws IOException {
        long started = System.currentTimeMillis();
        Map<String, long[]> files = new LinkedHashMap<>();
        for (Path p : TextSourceTranslator.expand(src.pattern)) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                files.put(p.toString(), new long[] {a.size(), Math.floorDiv(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), 1_000_000L)});
            } catch (NoSuchFileException e) {
                // removed since the match: not seen
            }
        }
        return new Listing(started, files);
    }

    private void onListed(Listing l, Throwable err) {
        if (err != null) throw new FlinkRuntimeException(src.what + ": cannot list " + src.pattern + ": " + err, err);
        if (st.finished) return;
        List<WatchedTextSource.FileSplit> complete = new ArrayList<>();
        Map<String, long[]> seen = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : l.files().entrySet()) {
            if (st.taken.contains(e.getKey())) continue;
            long[] now = e.getValue();
            long[] before = st.pending.get(e.getKey());
            if (before == null) st.lastNewFileAt = l.startedAt();
            else if (before[0] == now[0] && before[1] == now[1]) complete.add(new WatchedTextSource.FileSplit(e.getKey(), now[0], now[1], 0));
            seen.put(e.getKey(), now);
        }
        st.pending.clear();
        st.pending.putAll(seen);
        for (WatchedTextSource.FileSplit f : complete) {
            st.pending.remove(f.path);
            st.taken.add(f.path);
            st.queue.add(f);
        }
        st.queue.sort(WatchedTextSource.FileSplit::order);
        st.listedAt = l.startedAt() - MTIME_SLACK_MS;
        assignWaiting();
        advanceWatermark();
        if (readersStarted && src.stopAfterNoNewFilesMs >= 0 && st.pending.isEmpty() && st.queue.isEmpty()
                && System.currentTimeMillis() - st.lastNewFileAt >= src.stopAfterNoNewFilesMs) {
            st.finished = true;
            for (int r : waiting) ctx.signalNoMoreSplits(r);
            waiting.clear();
        }
    }

    private void assignWaiting() {
        while (!waiting.isEmpty() && !st.queue.isEmpty()) {
            int r = waiting.iterator().next();
            waiting.remove(r);
            if (!ctx.registeredReaders().containsKey(r)) continue;
            ctx.assignSplit(st.queue.remove(0), r);
        }
    }

    /** The enumerator's bound: the latest listing's start, the pending and the queued files' times. */
    private void advanceWatermark() {
        long w = st.listedAt;
        for (long[] p : st.pending.values()) w = Math.min(w, p[1]);
        for (WatchedTextSource.FileSplit f : st.queue) w = Math.min(w, f.mtime);
        if (w > st.watermark) {
            st.watermark = w;
            broadcast();
        }
    }

    private void broadcast() {
        for (int r : ctx.registeredReaders().keySet()) ctx.sendEventToSourceReader(r, new WatchedTextSource.EnumeratorWatermark(st.watermark));
    }

    @Override
    public void handleSplitRequest(int subtask, String host) {
        if (!st.queue.isEmpty()) {
            ctx.assignSplit(st.queue.remove(0), subtask);
            advanceWatermark();
        } else if (st.finished) {
            ctx.signalNoMoreSplits(subtask);
        } else {
            waiting.add(subtask);
        }
    }

    @Override
    public void addSplitsBack(List<WatchedTextSource.FileSplit> back, int subtask) {
        // Splits handed out after the last checkpoint: read again from their checkpointed offsets.
        // The bound goes back down to their times (the restored downstream never saw past them).
        for (WatchedTextSource.FileSplit f : back) {
            st.queue.add(f);
            st.watermark = Math.min(st.watermark, f.mtime);
        }
        st.queue.sort(WatchedTextSource.FileSplit::order);
        waiting.remove(subtask);
    }

    @Override
    public void addReader(int subtask) {
        // The time without a new file counts from when the readers run, as the local runner's
        // reader does from its start: the enumerator starts long before the tasks (Node workers
        // start first), and a file found then must not use up the wait before anyone reads.
        if (!readersStarted) {
            readersStarted = true;
            st.lastNewFileAt = Math.max(st.lastNewFileAt, System.currentTimeMillis());
        }
        if (st.watermark != Windows.TIMESTAMP_MIN) ctx.sendEventToSourceReader(subtask, new WatchedTextSource.EnumeratorWatermark(st.watermark));
    }

    @Override
    public WatchedTextSource.EnumState snapshotState(long checkpointId) {
        List<WatchedTextSource.FileSplit> queue = new ArrayList<>();
        for (WatchedTextSource.FileSplit f : st.queue) queue.add(f.copy());
        Map<String, long[]> pending = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : st.pending.entrySet()) pending.put(e.getKey(), e.getValue().clone());
        return new WatchedTextSource.EnumState(new LinkedHashSet<>(st.taken), pending, queue, st.lastNewFileAt, st.listedAt, st.watermark, st.finished);
    }

    @Override
    public void close() { }
}
