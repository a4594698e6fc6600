package dev.flowbook.flink.sink;

import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobStatusHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the temp directories of a job's file sinks when the job fails or is cancelled (on
 * the JobManager, once every task is over). A successful job's commit removes them itself.
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
    public void onFinished(JobID jobId) { }

    @Override
    public void onFailed(JobID jobId, Throwable cause) {
        clean(jobId);
    }

    @Override
    public void onCanceled(JobID jobId) {
        clean(jobId);
    }

    private void clean(JobID jobId) {
        for (ShardFiles f : sinks) {
            try {
                if (!f.deleteTempDir()) LOG.warn("job {}: could not remove {}", jobId, f.tempDir);
            } catch (Exception e) {
                LOG.warn("job {}: could not remove {}: {}", jobId, f.tempDir, e.toString());
            }
        }
    }
}
