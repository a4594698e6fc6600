package dev.flowbook.flink.runtime;

import dev.flowbook.flink.windowing.BeamTime;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;

/**
 * Live samples (show/chart of an unbounded PCollection): pushes the encoded windowed values
 * (pane included, exactly as they reached this operator) to the client's live-sample server
 * over a plain TCP connection while the job runs. Records are sent in batches: a batch ends
 * at each watermark (a grouping's firings come before the watermark that fired them), before
 * each checkpoint barrier, at the end of input, and at most {@link #FLUSH_MS} after its first
 * record. Nothing is kept after it was sent, so memory stays bounded however long the job runs.
 *
 * <p>Frames (big-endian): hello {@code "FLBL" int version, UTF token, UTF pcollection, int
 * subtask, int attempt}; batch {@code byte 1, long watermark (Beam's; MIN_VALUE: none yet),
 * int count, int bytes, then count × (int length, bytes)}; end of input {@code byte 2}. A
 * cancelled task sends what it holds and closes the connection without the end frame.
 */
public final class LiveCollectOperator extends AbstractStreamOperator<byte[]>
        implements OneInputStreamOperator<byte[], byte[]>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    static final int VERSION = 1;
    /** A batch is sent at most this long after its first record (the display updates about every second). */
    static final long FLUSH_MS = 200;
    /** A batch is sent once it holds this many bytes. */
    static final int MAX_BATCH_BYTES = 1 << 20;

    private final String host;
    private final int port;
    private final String token;
    private final String pcollection;

    private transient Socket socket;
    private transient DataOutputStream out;
    private transient ByteArrayOutputStream batch;
    private transient DataOutputStream batchOut;
    private transient int count;
    private transient long watermark;
    private transient boolean timerSet;
    private transient boolean ended;

    public LiveCollectOperator(String host, int port, String token, String pcollection) {
        this.host = host;
        this.port = port;
        this.token = token;
        this.pcollection = pcollection;
    }

    @Override
    public void open() throws Exception {
        super.open();
        batch = new ByteArrayOutputStream();
        batchOut = new DataOutputStream(batch);
        watermark = Long.MIN_VALUE;
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), 10_000);
        } catch (IOException e) {
            throw new IOException("the live sample of " + pcollection + " cannot reach the client at " + host + ":" + port
                    + " (show/chart of an unbounded PCollection needs the TaskManagers to reach the client; set flinkLiveSampleHost): " + e.getMessage(), e);
        }
        socket.setTcpNoDelay(true);
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        out.writeBytes("FLBL");
        out.writeInt(VERSION);
        out.writeUTF(token);
        out.writeUTF(pcollection);
        out.writeInt(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        out.writeInt(getRuntimeContext().getTaskInfo().getAttemptNumber());
        out.flush();
    }

    @Override
    public void processElement(StreamRecord<byte[]> element) throws Exception {
        byte[] v = element.getValue();
        batchOut.writeInt(v.length);
        batchOut.write(v);
        count++;
        if (batch.size() >= MAX_BATCH_BYTES) {
            flush();
        } else if (!timerSet) {
            timerSet = true;
            getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + FLUSH_MS, this);
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        timerSet = false;
        flush();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // The records before this watermark are the bundle it closes (a grouping fires, then forwards it).
        watermark = BeamTime.fromFlink(mark.getTimestamp());
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        out.writeByte(2);
        out.flush();
        ended = true;
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            // A cancelled task still hands over what it holds: those records were produced.
            if (!ended && out != null) flush();
        } catch (IOException ignored) {
            // the client is gone: nothing to hand over to
        } finally {
            if (socket != null) socket.close();
            super.close();
        }
    }

    private void flush() throws IOException {
        if (count == 0) return;
        batchOut.flush();
        out.writeByte(1);
        out.writeLong(watermark);
        out.writeInt(count);
        out.writeInt(batch.size());
        batch.writeTo(out);
        out.flush();
        batch.reset();
        count = 0;
    }
}
