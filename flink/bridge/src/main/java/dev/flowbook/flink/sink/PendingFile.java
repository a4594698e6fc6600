package dev.flowbook.flink.sink;

import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A finished file of a {@link CheckpointedFileWriter}, not yet under its final name: what the
 * writer hands on at a checkpoint. Its final name needs the checkpoint's id, which the writer
 * does not know; {@link CheckpointedFileSink#addPreCommitTopology} adds it.
 *
 * @param tempPath    the closed file in the sink's temp directory ({@code .pending})
 * @param windowLabel the window part of the final name ("" for the global window)
 * @param shard       the writing subtask
 * @param numShards   the sink's parallelism
 */
public record PendingFile(String tempPath, String windowLabel, int shard, int numShards) {

    /** Flink's serializer of pending files (between the writer and the naming step). */
    public static final class Serializer implements SimpleVersionedSerializer<PendingFile> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(PendingFile f) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(128);
            out.writeUTF(f.tempPath);
            out.writeUTF(f.windowLabel);
            out.writeInt(f.shard);
            out.writeInt(f.numShards);
            return out.getCopyOfBuffer();
        }

        @Override
        public PendingFile deserialize(int version, byte[] bytes) throws IOException {
            if (version != 1) throw new IOException("pending file: unknown serializer version " + version);
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            return new PendingFile(in.readUTF(), in.readUTF(), in.readInt(), in.readInt());
        }
    }
}
