package dev.flowbook.flink.sink;

import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.plan.Windowing;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The writing half of an atomic file sink: each subtask (one shard) writes its records to
 * {@link ShardFiles#tempFile} of its own attempt. Nothing is renamed here: the JobManager
 * commits once the whole job finished ({@link ShardCommitFormat}). An attempt that does not
 * reach the end of its input deletes its file.
 */
public final class ShardWriter extends AbstractStreamOperator<Object>
        implements OneInputStreamOperator<byte[], Object>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final ShardFiles files;
    private final Windowing windowing;
    private final RecordFormat format;
    private transient OutputStream out;
    private transient RecordFormat.RecordFile file;
    private transient Path tmp;
    private transient boolean finished;
    private transient WindowedValues.View view;

    public ShardWriter(ShardFiles files, Windowing windowing, RecordFormat format) {
        this.files = files;
        this.windowing = windowing;
        this.format = format;
    }

    @Override
    public void open() throws Exception {
        super.open();
        view = new WindowedValues.View();
        int shard = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        tmp = files.tempFile(shard, attempt);
        Files.createDirectories(tmp.getParent());
        out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
        file = format.open(out);
    }

    @Override
    public void processElement(StreamRecord<byte[]> element) throws IOException {
        byte[] rec = element.getValue();
        view.parse(rec, windowing.windowCoder());
        file.write(rec, view);
    }

    @Override
    public void endInput() throws Exception {
        file.finish();
        out.close();
        finished = true;
    }

    @Override
    public void close() throws Exception {
        if (!finished && out != null) {
            // Failed or cancelled: this attempt's file is never committed; drop it.
            try {
                out.close();
            } catch (IOException ignored) {
                // already broken
            }
            Files.deleteIfExists(tmp);
        }
        out = null;
        super.close();
    }
}
