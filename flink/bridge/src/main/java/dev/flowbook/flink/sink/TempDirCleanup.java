package dev.flowbook.flink.sink;

import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobStatusHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a job's file sinks left in their temp directories once the job is over (on the
 * JobManager, once every task is over). A batch sink's successful commit removes its own
 * directory; a failed or cancelled one is removed whole. A checkpointed (STREAMING) sink's
 * directory is removed whole when the job finished (a stop with a savepoint commits everything
 * first) or was cancelled; when the job failed, its {@code .pending} files stay, since a job
 * restored from a savepoint may still commit them, and only the unfinished
 * {@code .inprogress} ones go.
 */
public final class TempDirCleanup implements JobStatusHook {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TempDirCleanup.class);

    private final List<ShardFiles> sinks;

    public TempDirCleanup(List<ShardFiles> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    @Override
    public void onCreated(JobID jobId) { }

    @Override
    public void onFinished(JobID jobId) {
        for (ShardFiles f : sinks) if (f.checkpointed) clean(jobId, f, false);
    }

    @Override
    public void onFailed(JobID jobId, Throwable cause) {
        for (ShardFiles f : sinks) clean(jobId, f, f.checkpointed);
    }

    @Override
    public void onCanceled(JobID jobId) {
        for (ShardFiles f : sinks) clean(jobId, f, false);
    }

    private static void clean(JobID jobId, ShardFiles f, boolean keepPending) {
        try {
            boolean gone = keepPending ? f.deleteInTempDir(p -> !p.getFileName().toString().endsWith(".pending")) : f.deleteTempDir();
            if (!gone && !keepPending) LOG.warn("job {}: could not remove {}", jobId, f.tempDir);
        } catch (Exception e) {
            LOG.warn("job {}: could not remove {}: {}", jobId, f.tempDir, e.toString());
        }
    }
}
