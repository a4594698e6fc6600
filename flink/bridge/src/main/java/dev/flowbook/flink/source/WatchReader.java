package dev.flowbook.flink.source;

import dev.flowbook.flink.coders.Windows;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.InputStatus;

/**
 * The watching text source's reader: reads its files one after the other, each line (raw bytes,
 * a UTF-8 BOM at the file's start dropped) stamped with the file's modification time, and asks
 * the enumerator for the next file when done. Watermark: see {@link WatchedTextSource}.
 */
final class WatchReader implements SourceReader<byte[], WatchedTextSource.FileSplit> {
    /** Lines per pollNext (the task's mailbox gets a turn between). */
    private static final int LINES_PER_POLL = 1000;

    private final WatchedTextSource src;
    private final SourceReaderContext ctx;
    private final List<WatchedTextSource.FileSplit> splits = new ArrayList<>();
    private SplittableTextFormat.LineReader lines;
    private boolean noMoreSplits;
    private boolean asked;
    private CompletableFuture<Void> wake = new CompletableFuture<>();
    private long enumWatermark = Windows.TIMESTAMP_MIN;
    private long emitted = Long.MIN_VALUE;

    WatchReader(WatchedTextSource src, SourceReaderContext ctx) {
        this.src = src;
        this.ctx = ctx;
    }

    @Override
    public void start() {
        askIfIdle();
    }

    private void askIfIdle() {
        if (splits.isEmpty() && !noMoreSplits && !asked) {
            asked = true;
            ctx.sendSplitRequest();
        }
    }

    private void signal() {
        CompletableFuture<Void> w = wake;
        wake = new CompletableFuture<>();
        w.complete(null);
    }

    @Override
    public InputStatus pollNext(ReaderOutput<byte[]> out) throws Exception {
        if (!splits.isEmpty()) {
            WatchedTextSource.FileSplit f = splits.get(0);
            if (lines == null) lines = open(f);
            for (int n = 0; n < LINES_PER_POLL; n++) {
                long at = lines.position();
                byte[] line;
                try {
                    line = lines.read();
                } catch (IOException e) {
                    throw new IOException(src.what + ": cannot read " + f.path + ": " + e.getMessage(), e);
                }
                if (line == null) {
                    lines.close();
                    lines = null;
                    splits.remove(0);
                    break;
                }
                if (at == 0 && line.length >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB && (line[2] & 0xff) == 0xBF) {
                    line = Arrays.copyOfRange(line, 3, line.length);
                }
                out.collect(line, f.mtime);
                f.offset = lines.position();
            }
        }
        emitWatermark(out);
        if (!splits.isEmpty()) return InputStatus.MORE_AVAILABLE;
        if (noMoreSplits) return InputStatus.END_OF_INPUT;
        askIfIdle();
        return InputStatus.NOTHING_AVAILABLE;
    }

    private void emitWatermark(ReaderOutput<byte[]> out) {
        long w = enumWatermark;
        for (WatchedTextSource.FileSplit f : splits) w = Math.min(w, f.mtime);
        if (w == Windows.TIMESTAMP_MIN) return;
        // Beam's watermark w is Flink's w - 1.
        if (w - 1 > emitted) {
            emitted = w - 1;
            out.emitWatermark(new Watermark(emitted));
        }
    }

    /** A line reader at the split's offset: over the file, or over its decompressed bytes (.gz, .gzip, .deflate, .zz). */
    private SplittableTextFormat.LineReader open(WatchedTextSource.FileSplit f) throws IOException {
        Path p = new Path(f.path);
        FSDataInputStream raw;
        try {
            raw = p.getFileSystem().open(p);
        } catch (java.io.FileNotFoundException e) {
            // removed before it was read: nothing to read
            return new SplittableTextFormat.LineReader(new StreamAdapter(InputStream.nullInputStream()), Long.MAX_VALUE, 0, src.maxLineBytes, true);
        }
        String lower = f.path.toLowerCase();
        if (lower.endsWith(".gz") || lower.endsWith(".gzip") || lower.endsWith(".deflate") || lower.endsWith(".zz")) {
            InputStream in = lower.endsWith(".gz") || lower.endsWith(".gzip") ? new GZIPInputStream(raw, 1 << 16) : new InflaterInputStream(raw);
            StreamAdapter s = new StreamAdapter(in);
            s.seek(f.offset);
            return new SplittableTextFormat.LineReader(s, Long.MAX_VALUE, Long.MAX_VALUE, src.maxLineBytes, true);
        }
        raw.seek(f.offset);
        // Lines starting before the size the file had when found complete (as the local runner reads it).
        return new SplittableTextFormat.LineReader(raw, Long.MAX_VALUE, f.size, src.maxLineBytes, true);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        if (!splits.isEmpty() || noMoreSplits) return CompletableFuture.completedFuture(null);
        return wake;
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (event instanceof WatchedTextSource.EnumeratorWatermark w) {
            enumWatermark = Math.max(enumWatermark, w.watermark);
            signal(); // a pollNext emits it
        }
    }

    @Override
    public List<WatchedTextSource.FileSplit> snapshotState(long checkpointId) {
        List<WatchedTextSource.FileSplit> out = new ArrayList<>();
        for (WatchedTextSource.FileSplit f : splits) out.add(f.copy());
        return out;
    }

    @Override
    public void addSplits(List<WatchedTextSource.FileSplit> added) {
        splits.addAll(added);
        asked = false;
        signal();
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        signal();
    }

    @Override
    public void close() throws Exception {
        if (lines != null) lines.close();
    }

    /** A forward-only FSDataInputStream over a decompressing stream (seek skips ahead). */
    static final class StreamAdapter extends FSDataInputStream {
        private final InputStream in;
        private long pos;

        StreamAdapter(InputStream in) {
            this.in = in;
        }

        @Override
        public void seek(long target) throws IOException {
            if (target < pos) throw new IOException("cannot seek back in a compressed file (at " + pos + ", asked " + target + ")");
            while (pos < target) {
                long n = in.skip(target - pos);
                if (n <= 0) {
                    if (in.read() < 0) return;
                    n = 1;
                }
                pos += n;
            }
        }

        @Override
        public long getPos() {
            return pos;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) pos++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) pos += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
