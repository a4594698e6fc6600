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
 * Where the files of one file sink live before and after the commit.
 *
 * <p>Batch (atomic): each writer subtask writes {@code <tempDir>/<shard>.attempt-<n>};
 * {@code tempDir} is {@code <dir of prefix>/.flowbook-tmp-<uuid>}, one per sink and job
 * submission (chosen when the job is built, so the JobManager and every TaskManager agree on
 * it). The commit renames the files of the finished attempts to the final shard names and
 * removes the directory.
 *
 * <p>Checkpointed (STREAMING): {@code tempDir} is {@code <dir of prefix>/.flowbook-tmp-stream-<hash>},
 * the same for every submission writing the same names, so a job restored from a savepoint or a
 * checkpoint finds (and commits, or cleans up) the files its predecessor left pending. See
 * {@link CheckpointedFileSink}.
 */
public final class ShardFiles implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String TEMP_PREFIX = ".flowbook-tmp-";

    public final String prefix;
    public final String template;
    public final String suffix;
    public final String tempDir;
    /** True for a {@link CheckpointedFileSink}'s files (committed on checkpoints). */
    public final boolean checkpointed;

    public ShardFiles(String prefix, String template, String suffix, String tempDir) {
        this(prefix, template, suffix, tempDir, false);
    }

    private ShardFiles(String prefix, String template, String suffix, String tempDir, boolean checkpointed) {
        this.prefix = prefix;
        this.template = template;
        this.suffix = suffix;
        this.tempDir = tempDir;
        this.checkpointed = checkpointed;
    }

    /** A new temp directory name beside {@code prefix} (nothing is created yet). */
    public static ShardFiles create(String prefix, String template, String suffix) {
        return new ShardFiles(prefix, template, suffix, dirOf(prefix).resolve(TEMP_PREFIX + UUID.randomUUID()).toString());
    }

    /** The files of a checkpointed sink: a temp directory named after the final names alone (stable across submissions). */
    public static ShardFiles checkpointed(String prefix, String template, String suffix) {
        String names = Path.of(prefix).toAbsolutePath() + (prefix.endsWith("/") ? "/" : "") + "\0" + template + "\0" + suffix;
        String hash = UUID.nameUUIDFromBytes(names.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString().substring(0, 13);
        return new ShardFiles(prefix, template, suffix, dirOf(prefix).resolve(TEMP_PREFIX + "stream-" + hash).toString(), true);
    }

    private static Path dirOf(String prefix) {
        Path p = Path.of(prefix).toAbsolutePath();
        // "/out/" names files in /out itself (Path drops the trailing slash).
        return prefix.endsWith("/") ? p : p.getParent() == null ? Path.of("/") : p.getParent();
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
        return deleteInTempDir(p -> true);
    }

    /**
     * Removes the temp directory's files that {@code which} accepts, then the directory if it
     * is empty; true if the directory is gone.
     */
    public boolean deleteInTempDir(java.util.function.Predicate<Path> which) throws IOException {
        Path dir = Path.of(tempDir);
        if (!Files.exists(dir)) return true;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    if (p.equals(dir) || Files.isDirectory(p) || which.test(p)) Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    if (p.equals(dir)) return false; // files kept, or a writer still running
                }
            }
        }
        return !Files.exists(dir);
    }
}
