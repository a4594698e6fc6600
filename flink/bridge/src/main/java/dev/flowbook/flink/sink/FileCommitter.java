package dev.flowbook.flink.sink;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committing half of a {@link CheckpointedFileSink}: once a checkpoint completed, renames
 * its pending files to their final names. Idempotent, since a job restored from that
 * checkpoint commits its committables again: a pending file already gone whose final file is
 * there was committed before the failure.
 */
final class FileCommitter implements Committer<FileCommittable> {
    private static final Logger LOG = LoggerFactory.getLogger(FileCommitter.class);

    private final String label;

    FileCommitter(String label) {
        this.label = label;
    }

    @Override
    public void commit(Collection<CommitRequest<FileCommittable>> requests) throws IOException {
        for (CommitRequest<FileCommittable> r : requests) {
            FileCommittable c = r.getCommittable();
            Path tmp = Path.of(c.tempPath());
            Path fin = Path.of(c.finalPath()).toAbsolutePath();
            if (!Files.exists(tmp)) {
                if (Files.exists(fin)) {
                    r.signalAlreadyCommitted();
                } else {
                    // Its temp directory was removed (the job it came from was cancelled or finished).
                    LOG.error("{}: {} was never committed and its pending file {} is gone", label, fin, tmp);
                    r.signalFailedWithKnownReason(new IOException(label + ": the pending file " + tmp + " of " + fin + " is gone"));
                }
                continue;
            }
            Files.createDirectories(fin.getParent());
            try {
                Files.move(tmp, fin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, fin, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Override
    public void close() { }
}
