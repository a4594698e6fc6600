package dev.flowbook.flink.sink;

import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * One rename the {@link FileCommitter} does once its checkpoint completed: kept in the
 * committer's state until then, so a job restored from that checkpoint does it (again).
 */
public record FileCommittable(String tempPath, String finalPath) {

    /** Flink's serializer of committables (checkpointed by the committer operator). */
    public static final class Serializer implements SimpleVersionedSerializer<FileCommittable> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(FileCommittable c) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(256);
            out.writeUTF(c.tempPath);
            out.writeUTF(c.finalPath);
            return out.getCopyOfBuffer();
        }

        @Override
        public FileCommittable deserialize(int version, byte[] bytes) throws IOException {
            if (version != 1) throw new IOException("file committable: unknown serializer version " + version);
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            return new FileCommittable(in.readUTF(), in.readUTF());
        }
    }
}
