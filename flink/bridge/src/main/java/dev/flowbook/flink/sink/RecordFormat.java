package dev.flowbook.flink.sink;

import dev.flowbook.flink.coders.WindowedValues;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;

/**
 * How a file sink turns records into one file's bytes (text lines, an Avro container), apart
 * from when files are opened and committed: the batch writer ({@link ShardWriter}) and the
 * checkpointed one ({@link CheckpointedFileWriter}) share it.
 */
public interface RecordFormat extends Serializable {
    /** Starts a file over {@code out} (the caller closes {@code out} after {@link RecordFile#finish}). */
    RecordFile open(OutputStream out) throws IOException;

    /** One open file. */
    interface RecordFile {
        /** Writes the value of {@code record}; {@code view} is already parsed for it. */
        void write(byte[] record, WindowedValues.View view) throws IOException;

        /** Writes whatever is buffered and any trailer. */
        void finish() throws IOException;
    }
}
