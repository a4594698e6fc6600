package dev.flowbook.flink.sink;

import dev.flowbook.flink.plan.Windowing;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A file sink of a STREAMING job, exactly once through Flink's two-phase commit (Sink V2):
 *
 * <ol>
 * <li>the writers ({@link CheckpointedFileWriter}) fill {@code .inprogress} files in the temp
 *     directory, one per shard and window; at a checkpoint's barrier they finish them
 *     ({@code .pending}) and hand them on;</li>
 * <li>a naming step gives each its final name, which carries the checkpoint's id
 *     ({@link StreamingFileNames});</li>
 * <li>the committer ({@link FileCommitter}) keeps them in its checkpointed state and renames
 *     them once the checkpoint completed (again, harmlessly, after a restore from it).</li>
 * </ol>
 *
 * So a final name only ever holds a whole file whose records are in a completed checkpoint:
 * a restore replays only what came after it, a failed or cancelled job leaves its unfinished
 * files in the temp directory (removed by {@link TempDirCleanup}). Without checkpoints
 * everything is committed at the end of the input.
 */
public final class CheckpointedFileSink implements Sink<byte[]>, SupportsCommitter<FileCommittable>,
        SupportsPreCommitTopology<PendingFile, FileCommittable> {
    private static final long serialVersionUID = 1L;

    private final ShardFiles files;
    private final Windowing windowing;
    private final RecordFormat format;
    private final String label;
    private final String uid;

    /**
     * @param label the operator, for messages
     * @param uid   the sink's uid; its naming step is {@code <uid>/Name}
     */
    public CheckpointedFileSink(ShardFiles files, Windowing windowing, RecordFormat format, String label, String uid) {
        if (!files.checkpointed) throw new IllegalArgumentException("a checkpointed sink needs ShardFiles.checkpointed(...)");
        this.files = files;
        this.windowing = windowing;
        this.format = format;
        this.label = label;
        this.uid = uid;
    }

    @Override
    public CommittingSinkWriter<byte[], PendingFile> createWriter(WriterInitContext context) {
        return new CheckpointedFileWriter(files, windowing, format,
                context.getTaskInfo().getIndexOfThisSubtask(), context.getTaskInfo().getNumberOfParallelSubtasks());
    }

    @Override
    public Committer<FileCommittable> createCommitter(CommitterInitContext context) {
        return new FileCommitter(label);
    }

    @Override
    public SimpleVersionedSerializer<FileCommittable> getCommittableSerializer() {
        return new FileCommittable.Serializer();
    }

    @Override
    public SimpleVersionedSerializer<PendingFile> getWriteResultSerializer() {
        return new PendingFile.Serializer();
    }

    @Override
    public DataStream<CommittableMessage<FileCommittable>> addPreCommitTopology(DataStream<CommittableMessage<PendingFile>> pending) {
        return pending.map(new Name(files), CommittableMessageTypeInfo.of(FileCommittable.Serializer::new))
                .name(label + "/Name").uid(uid + "/Name").setParallelism(pending.getParallelism());
    }

    /** Gives each pending file its final name, from the checkpoint it belongs to. */
    static final class Name implements MapFunction<CommittableMessage<PendingFile>, CommittableMessage<FileCommittable>> {
        private static final long serialVersionUID = 1L;
        private final ShardFiles files;

        Name(ShardFiles files) {
            this.files = files;
        }

        @Override
        public CommittableMessage<FileCommittable> map(CommittableMessage<PendingFile> m) {
            if (m instanceof CommittableWithLineage<PendingFile> c) {
                return c.map(f -> new FileCommittable(f.tempPath(), StreamingFileNames.finalName(files, f, c.getCheckpointId())));
            }
            return ((CommittableSummary<PendingFile>) m).map();
        }
    }
}
