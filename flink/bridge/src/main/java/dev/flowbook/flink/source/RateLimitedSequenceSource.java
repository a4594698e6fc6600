package dev.flowbook.flink.source;

import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * GenerateSequence with a rate, a maximum read time or no end: Beam's UnboundedCountingSource,
 * as a FLIP-27 source whose split state (the last number emitted, the split's start, its
 * watermark) is checkpointed, so a restore neither loses nor repeats a number.
 *
 * <p>The rules are the local runner's (src/io/sequence/unbounded_sequence.ts), exactly: split i
 * of n reads from + i, from + i + n, …; the number with index k is due k · period / elements ms
 * after the split's first poll (no rate: at once); each is stamped with the time it is emitted;
 * a split ends before the first number at or past {@code to}, and with a maximum read time M
 * before the first number due at or after start + M (no rate: at start + M). The watermark
 * (Beam's) of a split is the time of its latest poll; Flink's is one less (Flink's watermark t
 * says no element at or before t follows, Beam's no element before t).
 */
public final class RateLimitedSequenceSource implements Source<byte[], RateLimitedSequenceSource.Split, List<RateLimitedSequenceSource.Split>> {
    private static final long serialVersionUID = 1L;
    /** At most this many numbers per poll of a split (as the local runner's MAX_NUMBERS_PER_POLL). */
    static final int MAX_PER_POLL = 10_000;
    static final long UNSET = Long.MIN_VALUE;

    private final long from;
    private final Long to;
    private final long rateElements;
    private final double ratePeriodMs;
    private final Long maxReadTimeMs;
    private final int splits;

    /** {@code rateElements} 0: no rate. {@code to}, {@code maxReadTimeMs} null: none. */
    public RateLimitedSequenceSource(long from, Long to, long rateElements, double ratePeriodMs, Long maxReadTimeMs, int splits) {
        if (splits < 1) throw new IllegalArgumentException("splits must be positive");
        this.from = from;
        this.to = to;
        this.rateElements = rateElements;
        this.ratePeriodMs = ratePeriodMs;
        this.maxReadTimeMs = maxReadTimeMs;
        this.splits = splits;
    }

    /** One reader's share and where it is: every {@code count}-th number from from + index. */
    public static final class Split implements SourceSplit {
        final int index;
        final int count;
        /** The last number emitted; valid when {@link #emitted}. */
        long last;
        boolean emitted;
        /** The first poll's time, or UNSET. */
        long startedAt = UNSET;
        /** Beam's watermark of the split (the latest poll's time), or TIMESTAMP_MIN. */
        long watermark = Windows.TIMESTAMP_MIN;
        boolean ended;

        Split(int index, int count) {
            this.index = index;
            this.count = count;
        }

        Split copy() {
            Split s = new Split(index, count);
            s.last = last;
            s.emitted = emitted;
            s.startedAt = startedAt;
            s.watermark = watermark;
            s.ended = ended;
            return s;
        }

        @Override
        public String splitId() {
            return index + "/" + count;
        }

        @Override
        public String toString() {
            return "sequence split " + splitId() + (emitted ? " after " + last : " (not started)");
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SplitEnumerator<Split, List<Split>> createEnumerator(SplitEnumeratorContext<Split> ctx) {
        List<Split> all = new ArrayList<>();
        for (int i = 0; i < splits; i++) all.add(new Split(i, splits));
        return new Enumerator(ctx, all);
    }

    @Override
    public SplitEnumerator<Split, List<Split>> restoreEnumerator(SplitEnumeratorContext<Split> ctx, List<Split> unassigned) {
        return new Enumerator(ctx, new ArrayList<>(unassigned));
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<List<Split>> getEnumeratorCheckpointSerializer() {
        return new SplitListSerializer();
    }

    @Override
    public SourceReader<byte[], Split> createReader(SourceReaderContext ctx) {
        return new Reader(this, System::currentTimeMillis);
    }

    /** Hands split i to subtask i mod parallelism (each reader its fixed share), then no more. */
    static final class Enumerator implements SplitEnumerator<Split, List<Split>> {
        private final SplitEnumeratorContext<Split> ctx;
        private final List<Split> unassigned;

        Enumerator(SplitEnumeratorContext<Split> ctx, List<Split> unassigned) {
            this.ctx = ctx;
            this.unassigned = unassigned;
        }

        @Override
        public void start() { }

        @Override
        public void handleSplitRequest(int subtask, String host) { }

        @Override
        public void addSplitsBack(List<Split> back, int subtask) {
            unassigned.addAll(back);
        }

        @Override
        public void addReader(int subtask) {
            int n = ctx.currentParallelism();
            List<Split> mine = new ArrayList<>();
            unassigned.removeIf(s -> {
                if (s.index % n != subtask) return false;
                mine.add(s);
                return true;
            });
            for (Split s : mine) ctx.assignSplit(s, subtask);
            ctx.signalNoMoreSplits(subtask);
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            List<Split> out = new ArrayList<>();
            for (Split s : unassigned) out.add(s.copy());
            return out;
        }

        @Override
        public void close() { }
    }

    /** Reads its splits on the schedule; waits (off the task thread) for the next number due. */
    static final class Reader implements SourceReader<byte[], Split> {
        private final RateLimitedSequenceSource src;
        private final LongSupplier clock;
        private final List<Split> splits = new ArrayList<>();
        private boolean noMoreSplits;
        private CompletableFuture<Void> splitsArrived = new CompletableFuture<>();
        private long emittedWatermark = Long.MIN_VALUE;

        Reader(RateLimitedSequenceSource src, LongSupplier clock) {
            this.src = src;
            this.clock = clock;
        }

        @Override
        public void start() { }

        private long next(Split s) {
            return s.emitted ? s.last + s.count : src.from + s.index;
        }

        private double due(Split s, long k) {
            return src.rateElements > 0 ? s.startedAt + (k * src.ratePeriodMs) / src.rateElements : s.startedAt;
        }

        private boolean pastEnd(Split s, long v, long now) {
            if (src.to != null && v >= src.to) return true;
            if (s.emitted && v < s.last) return true; // overflow past Long.MAX_VALUE
            if (src.maxReadTimeMs == null) return false;
            return src.rateElements > 0 ? due(s, v - src.from) >= s.startedAt + src.maxReadTimeMs : now >= s.startedAt + src.maxReadTimeMs;
        }

        /** Emits the numbers of {@code s} due by now; returns true if more are due at once. */
        private boolean take(Split s, long now, ReaderOutput<byte[]> out) {
            if (s.startedAt == UNSET) s.startedAt = now;
            long stamp = Math.max(now, s.watermark);
            int n = 0;
            while (n < MAX_PER_POLL) {
                long v = next(s);
                if (pastEnd(s, v, now)) {
                    s.ended = true;
                    break;
                }
                if (due(s, v - src.from) > now) break;
                ByteOut o = new ByteOut(24);
                WindowedValues.writeHeader(o, stamp, Windows.GLOBAL, WindowedValues.WindowCoder.GLOBAL, WindowedValues.PANE_NO_FIRING);
                o.writeVarLong(v);
                out.collect(o.toByteArray(), stamp);
                s.last = v;
                s.emitted = true;
                n++;
            }
            s.watermark = stamp;
            return n == MAX_PER_POLL;
        }

        @Override
        public InputStatus pollNext(ReaderOutput<byte[]> out) {
            long now = clock.getAsLong();
            boolean more = false;
            for (Split s : splits) if (!s.ended) more |= take(s, now, out);
            splits.removeIf(s -> s.ended);
            if (!splits.isEmpty()) {
                long wm = Long.MAX_VALUE;
                for (Split s : splits) wm = Math.min(wm, s.watermark);
                // Beam's watermark w is Flink's w - 1.
                if (wm - 1 > emittedWatermark) {
                    emittedWatermark = wm - 1;
                    out.emitWatermark(new Watermark(emittedWatermark));
                }
            }
            if (splits.isEmpty() && noMoreSplits) return InputStatus.END_OF_INPUT;
            return more ? InputStatus.MORE_AVAILABLE : InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            if (splits.isEmpty()) return noMoreSplits ? CompletableFuture.completedFuture(null) : splitsArrived;
            long now = clock.getAsLong();
            double at = Double.MAX_VALUE;
            for (Split s : splits) {
                if (s.startedAt == UNSET) return CompletableFuture.completedFuture(null);
                at = Math.min(at, due(s, next(s) - src.from));
                if (src.maxReadTimeMs != null) at = Math.min(at, s.startedAt + src.maxReadTimeMs);
            }
            long wait = (long) Math.ceil(at - now);
            if (wait <= 0) return CompletableFuture.completedFuture(null);
            return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS));
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            List<Split> out = new ArrayList<>();
            for (Split s : splits) out.add(s.copy());
            return out;
        }

        @Override
        public void addSplits(List<Split> added) {
            splits.addAll(added);
            splitsArrived.complete(null);
            splitsArrived = new CompletableFuture<>();
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
            splitsArrived.complete(null);
        }

        @Override
        public void close() { }
    }

    static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split s) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(48);
            DataOutputStream o = new DataOutputStream(b);
            write(s, o);
            o.flush();
            return b.toByteArray();
        }

        static void write(Split s, DataOutputStream o) throws IOException {
            o.writeInt(s.index);
            o.writeInt(s.count);
            o.writeBoolean(s.emitted);
            o.writeLong(s.last);
            o.writeLong(s.startedAt);
            o.writeLong(s.watermark);
            o.writeBoolean(s.ended);
        }

        static Split read(DataInputStream in) throws IOException {
            Split s = new Split(in.readInt(), in.readInt());
            s.emitted = in.readBoolean();
            s.last = in.readLong();
            s.startedAt = in.readLong();
            s.watermark = in.readLong();
            s.ended = in.readBoolean();
            return s;
        }

        @Override
        public Split deserialize(int version, byte[] bytes) throws IOException {
            if (version != 1) throw new IOException("unknown sequence split version " + version);
            return read(new DataInputStream(new ByteArrayInputStream(bytes)));
        }
    }

    static final class SplitListSerializer implements SimpleVersionedSerializer<List<Split>> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(List<Split> list) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(b);
            o.writeInt(list.size());
            for (Split s : list) SplitSerializer.write(s, o);
            o.flush();
            return b.toByteArray();
        }

        @Override
        public List<Split> deserialize(int version, byte[] bytes) throws IOException {
            if (version != 1) throw new IOException("unknown sequence enumerator state version " + version);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            int n = in.readInt();
            List<Split> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(SplitSerializer.read(in));
            return out;
        }
    }
}
