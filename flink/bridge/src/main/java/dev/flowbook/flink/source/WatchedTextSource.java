package dev.flowbook.flink.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * TextIO.read().watchForNewFiles(…) on Flink: a FLIP-27 source whose enumerator lists the file
 * pattern every poll interval and hands each new file, once complete, to a reader as one split;
 * readers emit its lines (raw bytes) stamped with the file's modification time. Split state (the
 * byte offset of the next line) and the enumerator's state (files taken, files pending, files
 * queued) are checkpointed: a restore neither loses nor repeats a line.
 *
 * <p>The rules are the local runner's (src/io/text/watch_source.ts), exactly: a file is complete
 * once two listings in a row found the same size and modification time; it is read once; lines
 * carry its modification time in ms (floored); files are handed out in order of that time, then
 * path. Watermark (Beam's): the least of the latest listing's start and the modification times of
 * files found and not wholly read. The enumerator knows the first two and the queued files and
 * sends that bound to every reader ({@link EnumeratorWatermark}); a reader's watermark is the
 * least of it and its own unfinished files' times (Flink's is one less). With
 * {@code stopAfterNoNewFilesMs} the readers are told there are no more splits once no listing
 * found a new file for that long (counted from the first reader's start at the earliest, as the
 * local runner counts from its reader's start) and nothing found is left to hand out.
 */
public final class WatchedTextSource implements Source<byte[], WatchedTextSource.FileSplit, WatchedTextSource.EnumState> {
    private static final long serialVersionUID = 1L;

    final String pattern;
    final long pollIntervalMs;
    /** Negative: never stop. */
    final long stopAfterNoNewFilesMs;
    final long maxLineBytes;
    final String what;

    public WatchedTextSource(String pattern, long pollIntervalMs, long stopAfterNoNewFilesMs, long maxLineBytes, String what) {
        if (pollIntervalMs <= 0) throw new IllegalArgumentException("the poll interval must be positive");
        this.pattern = pattern;
        this.pollIntervalMs = pollIntervalMs;
        this.stopAfterNoNewFilesMs = stopAfterNoNewFilesMs;
        this.maxLineBytes = maxLineBytes;
        this.what = what;
    }

    /** A complete file to read from {@code offset} (the byte where its next line starts). */
    public static final class FileSplit implements SourceSplit {
        final String path;
        final long size;
        final long mtime;
        long offset;

        FileSplit(String path, long size, long mtime, long offset) {
            this.path = path;
            this.size = size;
            this.mtime = mtime;
            this.offset = offset;
        }

        FileSplit copy() {
            return new FileSplit(path, size, mtime, offset);
        }

        @Override
        public String splitId() {
            return path;
        }

        static int order(FileSplit a, FileSplit b) {
            int c = Long.compare(a.mtime, b.mtime);
            return c != 0 ? c : a.path.compareTo(b.path);
        }

        @Override
        public String toString() {
            return path + " @" + offset + " (mtime " + mtime + ")";
        }
    }

    /** The enumerator's checkpoint. */
    public static final class EnumState {
        final Set<String> taken;
        /** path → {size, mtime}. */
        final Map<String, long[]> pending;
        final List<FileSplit> queue;
        long lastNewFileAt;
        long listedAt;
        long watermark;
        boolean finished;

        EnumState(Set<String> taken, Map<String, long[]> pending, List<FileSplit> queue, long lastNewFileAt, long listedAt, long watermark, boolean finished) {
            this.taken = taken;
            this.pending = pending;
            this.queue = queue;
            this.lastNewFileAt = lastNewFileAt;
            this.listedAt = listedAt;
            this.watermark = watermark;
            this.finished = finished;
        }
    }

    /** The enumerator's part of the watermark (Beam's), sent to every reader. */
    public static final class EnumeratorWatermark implements SourceEvent {
        private static final long serialVersionUID = 1L;
        final long watermark;

        EnumeratorWatermark(long watermark) {
            this.watermark = watermark;
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SplitEnumerator<FileSplit, EnumState> createEnumerator(SplitEnumeratorContext<FileSplit> ctx) {
        return new WatchEnumerator(this, ctx, null);
    }

    @Override
    public SplitEnumerator<FileSplit, EnumState> restoreEnumerator(SplitEnumeratorContext<FileSplit> ctx, EnumState state) {
        return new WatchEnumerator(this, ctx, state);
    }

    @Override
    public SimpleVersionedSerializer<FileSplit> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumState> getEnumeratorCheckpointSerializer() {
        return new StateSerializer();
    }

    @Override
    public SourceReader<byte[], FileSplit> createReader(SourceReaderContext ctx) {
        return new WatchReader(this, ctx);
    }

    static void write(FileSplit s, DataOutputStream o) throws IOException {
        o.writeUTF(s.path);
        o.writeLong(s.size);
        o.writeLong(s.mtime);
        o.writeLong(s.offset);
    }

    static FileSplit read(DataInputStream in) throws IOException {
        return new FileSplit(in.readUTF(), in.readLong(), in.readLong(), in.readLong());
    }

    static final class SplitSerializer implements SimpleVersionedSerializer<FileSplit> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(FileSplit s) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(b);
            write(s, o);
            o.flush();
            return b.toByteArray();
        }

        @Override
        public FileSplit deserialize(int version, byte[] bytes) throws IOException {
            if (version != 1) throw new IOException("unknown watched file split version " + version);
            return read(new DataInputStream(new ByteArrayInputStream(bytes)));
        }
    }

    static final class StateSerializer implements SimpleVersionedSerializer<EnumState> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(EnumState s) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(b);
            o.writeInt(s.taken.size());
            for (String t : s.taken) o.writeUTF(t);
            o.writeInt(s.pending.size());
            for (Map.Entry<String, long[]> e : s.pending.entrySet()) {
                o.writeUTF(e.getKey());
                o.writeLong(e.getValue()[0]);
                o.writeLong(e.getValue()[1]);
            }
            o.writeInt(s.queue.size());
            for (FileSplit f : s.queue) write(f, o);
            o.writeLong(s.lastNewFileAt);
            o.writeLong(s.listedAt);
            o.writeLong(s.watermark);
            o.writeBoolean(s.finished);
            o.flush();
            return b.toByteArray();
        }

        @Override
        public EnumState deserialize(int version, byte[] bytes) throws IOException {
            if (version != 1) throw new IOException("unknown watched text enumerator state version " + version);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            Set<String> taken = new LinkedHashSet<>();
            for (int i = in.readInt(); i > 0; i--) taken.add(in.readUTF());
            Map<String, long[]> pending = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) pending.put(in.readUTF(), new long[] {in.readLong(), in.readLong()});
            List<FileSplit> queue = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) queue.add(read(in));
            return new EnumState(taken, pending, queue, in.readLong(), in.readLong(), in.readLong(), in.readBoolean());
        }
    }
}
