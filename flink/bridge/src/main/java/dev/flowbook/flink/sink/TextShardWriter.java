package dev.flowbook.flink.sink;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.plan.Windowing;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * First half of the atomic text sink: each subtask writes its lines to a temp file of its own
 * attempt under {@code <dir>/.flowbook-tmp-<jobId>/}, and at the end of its input sends
 * (shard, shard count, temp path) to the committer.
 */
public final class TextShardWriter extends AbstractStreamOperator<byte[]>
        implements OneInputStreamOperator<byte[], byte[]>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final String prefix;
    private final boolean gzip;
    private final Windowing windowing;
    private transient OutputStream out;
    private transient Path tmp;
    private transient int shard;
    private transient int numShards;
    private transient WindowedValues.View view;

    public TextShardWriter(String prefix, boolean gzip, Windowing windowing) {
        this.prefix = prefix;
        this.gzip = gzip;
        this.windowing = windowing;
    }

    public static Path tempDir(String prefix, String jobId) {
        Path p = Path.of(prefix).toAbsolutePath();
        Path dir = p.getParent() == null ? Path.of("/") : p.getParent();
        return dir.resolve(".flowbook-tmp-" + jobId);
    }

    @Override
    public void open() throws Exception {
        super.open();
        view = new WindowedValues.View();
        shard = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        numShards = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        Path dir = tempDir(prefix, getRuntimeContext().getJobInfo().getJobId().toString());
        Files.createDirectories(dir);
        tmp = dir.resolve(String.format("%05d.attempt-%d", shard, attempt));
        OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
        out = gzip ? new GZIPOutputStream(o, 1 << 16) : o;
    }

    @Override
    public void processElement(StreamRecord<byte[]> element) throws IOException {
        byte[] rec = element.getValue();
        view.parse(rec, windowing.windowCoder());
        ByteIn in = view.valueIn();
        int n = in.readVarInt();
        if (n > in.remaining()) throw new IOException("sink:text: a value is not a string_utf8 encoding");
        out.write(rec, in.pos, n);
        out.write('\n');
    }

    @Override
    public void endInput() throws Exception {
        out.close();
        out = null;
        ByteOut c = new ByteOut(64);
        c.writeVarLong(shard).writeVarLong(numShards);
        byte[] p = tmp.toString().getBytes(StandardCharsets.UTF_8);
        c.writeVarLong(p.length).write(p);
        output.collect(new StreamRecord<>(c.toByteArray()));
    }

    @Override
    public void close() throws Exception {
        if (out != null) {
            // Not finished (failure or cancel): drop this attempt's file.
            try {
                out.close();
            } catch (IOException ignored) {
                // already broken
            }
            Files.deleteIfExists(tmp);
        }
        super.close();
    }
}
