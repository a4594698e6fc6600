package dev.flowbook.flink.sink;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Where the shards of one atomic file sink live before and after the commit.
 *
 * <p>Each writer subtask writes {@code <tempDir>/<shard>.attempt-<n>}; {@code tempDir} is
 * {@code <dir of prefix>/.flowbook-tmp-<uuid>}, one per sink and job submission (chosen when the
 * job is built, so the JobManager and every TaskManager agree on it). The commit renames the
 * files of the finished attempts to the final shard names and removes the directory.
 */
public final class ShardFiles implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String TEMP_PREFIX = ".flowbook-tmp-";

    public final String prefix;
    public final String template;
    public final String suffix;
    public final String tempDir;

    public ShardFiles(String prefix, String template, String suffix, String tempDir) {
        this.prefix = prefix;
        this.template = template;
        this.suffix = suffix;
        this.tempDir = tempDir;
    }

    /** A new temp directory name beside {@code prefix} (nothing is created yet). */
    public static ShardFiles create(String prefix, String template, String suffix) {
        Path p = Path.of(prefix).toAbsolutePath();
        // "/out/" names files in /out itself (Path drops the trailing slash).
        Path dir = prefix.endsWith("/") ? p : p.getParent() == null ? Path.of("/") : p.getParent();
        return new ShardFiles(prefix, template, suffix, dir.resolve(TEMP_PREFIX + UUID.randomUUID()).toString());
    }

    public Path tempFile(int shard, int attempt) {
        return Path.of(tempDir).resolve(String.format("%05d.attempt-%d", shard, attempt));
    }

    public Path finalFile(int shard, int numShards) {
        return Path.of(ShardNames.name(prefix, template, suffix, shard, numShards));
    }

    /**
     * Renames the temp file of each shard's finished attempt to its final name, then removes
     * the temp directory (with the files of failed attempts). Checks that every file is there
     * before renaming any.
     */
    public void commit(int numShards, java.util.function.IntUnaryOperator finishedAttempt) throws IOException {
        List<Path> temps = new ArrayList<>(numShards);
        for (int s = 0; s < numShards; s++) {
            Path tmp = tempFile(s, finishedAttempt.applyAsInt(s));
            if (!Files.isRegularFile(tmp)) {
                throw new IOException("sink " + prefix + ": the file of shard " + s + " (" + tmp + ") is missing; nothing committed");
            }
            temps.add(tmp);
        }
        for (int s = 0; s < numShards; s++) {
            Path fin = finalFile(s, numShards).toAbsolutePath();
            Files.createDirectories(fin.getParent());
            try {
                Files.move(temps.get(s), fin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temps.get(s), fin, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        deleteTempDir();
    }

    /** Removes the temp directory and whatever is left in it; true if it is gone. */
    public boolean deleteTempDir() throws IOException {
        Path dir = Path.of(tempDir);
        if (!Files.exists(dir)) return true;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    return false; // a writer still running (should not happen once the job is over)
                }
            }
        }
        return !Files.exists(dir);
    }
}
