package dev.flowbook.flink.sink;

import dev.flowbook.flink.coders.ByteIn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.TreeMap;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Second half of the atomic text sink (parallelism 1): once every shard's temp file arrived,
 * renames them to their final names. Idempotent, so a restarted committer finishes the job.
 */
public final class TextCommitter extends AbstractStreamOperator<byte[]>
        implements OneInputStreamOperator<byte[], byte[]>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TextCommitter.class);

    private final String prefix;
    private final String template;
    private final String suffix;
    private transient TreeMap<Integer, String> shards;
    private transient int numShards;

    public TextCommitter(String prefix, String template, String suffix) {
        this.prefix = prefix;
        this.template = template;
        this.suffix = suffix;
    }

    @Override
    public void open() throws Exception {
        super.open();
        shards = new TreeMap<>();
    }

    @Override
    public void processElement(StreamRecord<byte[]> element) {
        ByteIn in = new ByteIn(element.getValue());
        int shard = in.readVarInt();
        numShards = in.readVarInt();
        int n = in.readVarInt();
        String path = new String(in.buf, in.pos, n, StandardCharsets.UTF_8);
        shards.put(shard, path);
    }

    @Override
    public void endInput() throws Exception {
        if (shards.size() != numShards) {
            throw new IOException("sink:text " + prefix + ": got " + shards.size() + " of " + numShards + " shards; not committing");
        }
        Path tmpDir = null;
        for (var e : shards.entrySet()) {
            Path tmp = Path.of(e.getValue());
            tmpDir = tmp.getParent();
            Path fin = Path.of(ShardNames.name(prefix, template, suffix, e.getKey(), numShards));
            if (Files.exists(tmp)) {
                Files.createDirectories(fin.toAbsolutePath().getParent());
                try {
                    Files.move(tmp, fin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException ex) {
                    Files.move(tmp, fin, StandardCopyOption.REPLACE_EXISTING);
                }
            } else if (!Files.exists(fin)) {
                throw new IOException("sink:text: temp file " + tmp + " of shard " + e.getKey() + " is missing");
            } // else: renamed by an earlier attempt of this committer
        }
        if (tmpDir != null) {
            // Files of failed writer attempts may remain; remove them and the directory.
            try (var s = Files.list(tmpDir)) {
                for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
            } catch (IOException ex) {
                LOG.warn("could not clean {}: {}", tmpDir, ex.toString());
            }
            try {
                Files.deleteIfExists(tmpDir);
            } catch (DirectoryNotEmptyException ex) {
                LOG.warn("could not remove {}: not empty", tmpDir);
            }
        }
    }
}
