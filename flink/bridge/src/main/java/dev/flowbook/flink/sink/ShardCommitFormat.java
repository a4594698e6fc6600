package dev.flowbook.flink.sink;

import java.io.IOException;
import org.apache.flink.api.common.io.FinalizeOnMaster;
import org.apache.flink.api.common.io.OutputFormat;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit of an atomic file sink, run by the JobManager. As the {@link OutputFormat} of the
 * writers' job vertex (an {@code InputOutputFormatVertex}), its {@link #finalizeGlobal} is called
 * once, on the JobManager, when every task of the job has finished, before the job is
 * FINISHED; an exception there fails the job. The context names the attempt of each subtask
 * that finished, so only its file is committed (never a failed or partial attempt's). On the
 * TaskManagers the format does nothing: the writer operator ({@link ShardWriter}) writes.
 */
public final class ShardCommitFormat implements OutputFormat<byte[]>, FinalizeOnMaster {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ShardCommitFormat.class);

    private final ShardFiles files;
    private final String label;

    public ShardCommitFormat(ShardFiles files, String label) {
        this.files = files;
        this.label = label;
    }

    @Override
    public void configure(Configuration parameters) { }

    @Override
    public void open(InitializationContext context) { }

    @Override
    public void writeRecord(byte[] record) {
        throw new UnsupportedOperationException("the writer operator writes; the format only commits");
    }

    @Override
    public void close() { }

    @Override
    public void finalizeGlobal(FinalizationContext context) throws IOException {
        int n = context.getParallelism();
        files.commit(n, context::getFinishedAttempt);
        LOG.info("{}: committed {} shard(s) of {}", label, n, files.prefix);
    }
}
