package dev.flowbook.flink.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Cuts the (already matched) files into byte ranges so that one big file is read by all
 * subtasks: about four splits per subtask, at least {@code minSplitBytes} each; compressed
 * files stay whole. (Flink's own enumerator splits by block, and a local file is one block.)
 */
public final class SplittingEnumerator implements FileEnumerator {
    private final long minSplitBytes;
    private int nextId;

    public SplittingEnumerator(long minSplitBytes) {
        this.minSplitBytes = Math.max(1, minSplitBytes);
    }

    public static Provider provider(long minSplitBytes) {
        return () -> new SplittingEnumerator(minSplitBytes);
    }

    @Override
    public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredSplits) throws IOException {
        List<FileStatus> files = new ArrayList<>();
        long total = 0;
        for (Path p : paths) {
            FileStatus st = p.getFileSystem().getFileStatus(p);
            if (st.isDir()) continue;
            files.add(st);
            total += st.getLen();
        }
        long target = Math.max(minSplitBytes, (total + 4L * minDesiredSplits - 1) / (4L * Math.max(1, minDesiredSplits)));
        List<FileSourceSplit> out = new ArrayList<>();
        for (FileStatus st : files) {
            Path p = st.getPath();
            long len = st.getLen();
            boolean compressed = StandardDeCompressors.getDecompressorForFileName(p.getPath()) != null;
            if (compressed || len <= target) {
                out.add(new FileSourceSplit(String.valueOf(nextId++), p, 0, len, st.getModificationTime(), len));
                continue;
            }
            for (long off = 0; off < len; off += target) {
                out.add(new FileSourceSplit(String.valueOf(nextId++), p, off, Math.min(target, len - off), st.getModificationTime(), len));
            }
        }
        return out;
    }

    static FileSystem fs(Path p) throws IOException {
        return p.getFileSystem();
    }
}
