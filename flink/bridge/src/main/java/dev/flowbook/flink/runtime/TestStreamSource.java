package dev.flowbook.flink.runtime;

import dev.flowbook.flink.windowing.BeamTime;
import dev.flowbook.flink.windowing.SyntheticClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * Beam's TestStream as a Flink source (parallelism 1): its events in order, each applied only
 * once the job is quiescent, as the local runner applies them.
 *
 * <ul>
 * <li><b>elements</b>: records (already whole WindowedValue records) at their timestamps;</li>
 * <li><b>watermark</b>: Beam's watermark {@code to}, emitted as Flink's ({@link BeamTime});</li>
 * <li><b>processing time</b>: the job's {@link SyntheticClock} advances; the windowing operators
 *     read it instead of the wall clock.</li>
 * </ul>
 *
 * <p><b>Quiescence.</b> After each event the reader waits for a checkpoint whose barrier it
 * emitted after the event to complete. A barrier passes an operator only after everything
 * before it (user-code operators finish their Node bundle first; windowing operators fire the
 * processing-time timers the clock made due first), and aligned checkpoints wait for the barrier
 * on every input: a completed checkpoint means every record the event caused went through the
 * whole job. TestStream jobs therefore run with checkpoints every {@link #CHECKPOINT_INTERVAL_MS}.
 * After the last event the source ends (Flink then emits the final watermark).
 */
public final class TestStreamSource implements Source<byte[], TestStreamSource.Split, Integer> {
    private static final long serialVersionUID = 1L;

    /** The checkpoint interval of TestStream jobs: each event waits for one checkpoint. */
    public static final long CHECKPOINT_INTERVAL_MS = 20;

    /** One event of the stream. */
    public sealed interface Event extends Serializable permits Elements, WatermarkTo, AdvanceProcessingTime { }

    /** Whole records with their timestamps. */
    public record Elements(List<byte[]> records, long[] timestamps) implements Event { }

    /** Beam's watermark to {@code to} (at or past TIMESTAMP_MAX: +∞). */
    public record WatermarkTo(long to) implements Event { }

    public record AdvanceProcessingTime(long millis) implements Event { }

    private final List<Event> events;
    private final String clockId;
    private final long clockStart;

    public TestStreamSource(List<Event> events, String clockId, long clockStart) {
        this.events = List.copyOf(events);
        this.clockId = clockId;
        this.clockStart = clockStart;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<byte[], Split> createReader(SourceReaderContext ctx) {
        return new Reader(events, clockId, clockStart);
    }

    @Override
    public SplitEnumerator<Split, Integer> createEnumerator(SplitEnumeratorContext<Split> ctx) {
        return new Enumerator(ctx, List.of(new Split(0)));
    }

    @Override
    public SplitEnumerator<Split, Integer> restoreEnumerator(SplitEnumeratorContext<Split> ctx, Integer checkpoint) {
        return new Enumerator(ctx, checkpoint == 1 ? List.of(new Split(0)) : List.of());
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Integer> getEnumeratorCheckpointSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Integer unassigned) {
                return new byte[] {(byte) (int) unassigned};
            }

            @Override
            public Integer deserialize(int version, byte[] b) {
                return (int) b[0];
            }
        };
    }

    /** The one split: the index of the next event. */
    public record Split(int next) implements SourceSplit {
        @Override
        public String splitId() {
            return "teststream";
        }
    }

    static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split s) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            new DataOutputStream(b).writeInt(s.next());
            return b.toByteArray();
        }

        @Override
        public Split deserialize(int version, byte[] b) throws IOException {
            return new Split(new DataInputStream(new ByteArrayInputStream(b)).readInt());
        }
    }

    /** Hands the one split to subtask 0 (again after a restore, if it was not assigned then). */
    static final class Enumerator implements SplitEnumerator<Split, Integer> {
        private final SplitEnumeratorContext<Split> ctx;
        private final List<Split> unassigned;

        Enumerator(SplitEnumeratorContext<Split> ctx, List<Split> unassigned) {
            this.ctx = ctx;
            this.unassigned = new ArrayList<>(unassigned);
        }

        @Override
        public void start() { }

        @Override
        public void handleSplitRequest(int subtask, String host) { }

        @Override
        public void addSplitsBack(List<Split> splits, int subtask) {
            unassigned.addAll(splits);
            assign();
        }

        @Override
        public void addReader(int subtask) {
            assign();
        }

        private void assign() {
            if (unassigned.isEmpty() || !ctx.registeredReaders().containsKey(0)) return;
            for (Split s : unassigned) ctx.assignSplit(s, 0);
            unassigned.clear();
            ctx.signalNoMoreSplits(0);
        }

        @Override
        public Integer snapshotState(long checkpointId) {
            return unassigned.size();
        }

        @Override
        public void close() { }
    }

    /** Emits one event, then waits for a checkpoint taken after it to complete. */
    static final class Reader implements SourceReader<byte[], Split> {
        private final List<Event> events;
        private final String clockId;
        private final long clockStart;
        private java.util.concurrent.atomic.AtomicLong clock;
        private Split split;
        private boolean noMoreSplits;
        private boolean waiting; // for the checkpoint after the last event
        private long barrierAfter = -1; // the first checkpoint whose barrier followed it
        private CompletableFuture<Void> available = new CompletableFuture<>();

        Reader(List<Event> events, String clockId, long clockStart) {
            this.events = events;
            this.clockId = clockId;
            this.clockStart = clockStart;
        }

        @Override
        public void start() {
            clock = SyntheticClock.of(clockId, clockStart);
            SyntheticClock.sourceStarted(clockId);
        }

        @Override
        public InputStatus pollNext(ReaderOutput<byte[]> out) {
            if (split == null) return noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
            if (waiting) return InputStatus.NOTHING_AVAILABLE;
            int i = split.next();
            if (i >= events.size()) return InputStatus.END_OF_INPUT;
            Event e = events.get(i);
            if (e instanceof Elements el) {
                for (int k = 0; k < el.records().size(); k++) out.collect(el.records().get(k), el.timestamps()[k]);
            } else if (e instanceof WatermarkTo w) {
                out.emitWatermark(new Watermark(BeamTime.toFlink(w.to())));
            } else if (e instanceof AdvanceProcessingTime p) {
                clock.addAndGet(p.millis());
            }
            split = new Split(i + 1);
            waiting = true;
            barrierAfter = -1;
            available = new CompletableFuture<>();
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            if (waiting && barrierAfter < 0) barrierAfter = checkpointId;
            return split == null ? List.of() : List.of(split);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (waiting && barrierAfter >= 0 && checkpointId >= barrierAfter) {
                waiting = false;
                available.complete(null);
            }
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<Split> splits) {
            for (Split s : splits) split = s;
            available.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
            available.complete(null);
        }

        @Override
        public void close() { }
    }
}
