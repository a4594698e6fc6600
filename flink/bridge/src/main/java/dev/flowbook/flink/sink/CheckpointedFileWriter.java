package dev.flowbook.flink.sink;

import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Windowing;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;

/**
 * The writing half of a {@link CheckpointedFileSink} (one per sink subtask): one open file per
 * window in the temp directory ({@code <shard>-<writer uuid>-<n>.inprogress}). At each checkpoint
 * (and at the end of input) every open file is finished, renamed {@code .pending} and handed on
 * as a {@link PendingFile}; nothing is kept across checkpoints, so the writer has no state: after
 * a failure the sources replay what came after the last checkpoint and it is written afresh.
 * {@link #close} (a failure, a cancel) deletes the files still open.
 */
final class CheckpointedFileWriter implements CommittingSinkWriter<byte[], PendingFile> {
    private final ShardFiles files;
    private final Windowing windowing;
    private final RecordFormat format;
    private final int shard;
    private final int numShards;
    private final String writerId = UUID.randomUUID().toString().substring(0, 8);
    private final WindowedValues.View view = new WindowedValues.View();
    private final Map<Windows.Window, Open> open = new LinkedHashMap<>();
    private long sequence;

    private record Open(Path path, OutputStream out, RecordFormat.RecordFile file, String windowLabel) { }

    CheckpointedFileWriter(ShardFiles files, Windowing windowing, RecordFormat format, int shard, int numShards) {
        this.files = files;
        this.windowing = windowing;
        this.format = format;
        this.shard = shard;
        this.numShards = numShards;
    }

    @Override
    public void write(byte[] rec, Context context) throws IOException {
        view.parse(rec, windowing.windowCoder());
        if (view.windowCount == 1 && windowing.windowCoder() == WindowedValues.WindowCoder.GLOBAL) {
            fileOf(Windows.GLOBAL).file.write(rec, view);
            return;
        }
        // An element in several windows (sliding) goes into the file of each, as Beam's windowed writes do.
        for (Windows.Window w : view.windows(windowing.windowCoder())) fileOf(w).file.write(rec, view);
    }

    private Open fileOf(Windows.Window w) throws IOException {
        Open o = open.get(w);
        if (o != null) return o;
        Path path = Path.of(files.tempDir).resolve(String.format("%05d-%s-%d.inprogress", shard, writerId, sequence++));
        Files.createDirectories(path.getParent());
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
        o = new Open(path, out, format.open(out), StreamingFileNames.windowLabel(w));
        open.put(w, o);
        return o;
    }

    @Override
    public void flush(boolean endOfInput) {
        // Files are finished in prepareCommit, which Flink calls right after this.
    }

    @Override
    public Collection<PendingFile> prepareCommit() throws IOException {
        List<PendingFile> pending = new ArrayList<>(open.size());
        for (Open o : open.values()) {
            o.file.finish();
            o.out.close();
            String name = o.path.getFileName().toString();
            Path done = o.path.resolveSibling(name.substring(0, name.length() - ".inprogress".length()) + ".pending");
            Files.move(o.path, done, StandardCopyOption.ATOMIC_MOVE);
            pending.add(new PendingFile(done.toString(), o.windowLabel, shard, numShards));
        }
        open.clear();
        return pending;
    }

    @Override
    public void close() throws IOException {
        // Failed, cancelled, or finished after prepareCommit (then nothing is open).
        for (Open o : open.values()) {
            try {
                o.out.close();
            } catch (IOException ignored) {
                // already broken
            }
            Files.deleteIfExists(o.path);
        }
        open.clear();
    }
}
