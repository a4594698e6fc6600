package dev.flowbook.flink.source;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;

/**
 * A StreamFormat read through Flink's own adapter, with the file's name added to every read
 * error: a StreamFormat never learns which file it reads, so a corrupt .gz failed the job with
 * a bare "Not in GZIP format" or "Unexpected end of ZLIB input stream", naming no file (issue
 * 12, point 8). The local runner's message for the same file names it too.
 */
public final class FileNamingFormat<T> implements BulkFormat<T, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private final StreamFormatAdapter<T> inner;
    private final String what;

    public FileNamingFormat(StreamFormat<T> format, String what) {
        this.inner = new StreamFormatAdapter<>(format);
        this.what = what;
    }

    /** An error while reading one file, naming it. */
    public static final class FileReadException extends IOException {
        private static final long serialVersionUID = 1L;

        FileReadException(String message, Throwable cause) {
            // No cause: the client shows a failed job's innermost exception, which must be this one.
            super(message);
            setStackTrace(cause.getStackTrace());
        }
    }

    private IOException named(FileSourceSplit split, IOException e) {
        if (e instanceof FileReadException) return e;
        String file = split.path().toString();
        String gz = file.endsWith(".gz") || file.endsWith(".gzip") ? " (is it a complete gzip file?)" : "";
        String why = e instanceof SplittableTextFormat.LineTooLongException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return new FileReadException(what + ": cannot read " + file + gz + ": " + why, e);
    }

    @Override
    public Reader<T> createReader(Configuration config, FileSourceSplit split) throws IOException {
        try {
            return new Named(inner.createReader(config, split), split);
        } catch (IOException e) {
            throw named(split, e);
        }
    }

    @Override
    public Reader<T> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        try {
            return new Named(inner.restoreReader(config, split), split);
        } catch (IOException e) {
            throw named(split, e);
        }
    }

    @Override
    public boolean isSplittable() {
        return inner.isSplittable();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return inner.getProducedType();
    }

    private final class Named implements Reader<T> {
        private final Reader<T> r;
        private final FileSourceSplit split;

        Named(Reader<T> r, FileSourceSplit split) {
            this.r = r;
            this.split = split;
        }

        @Override
        public RecordIterator<T> readBatch() throws IOException {
            try {
                return r.readBatch();
            } catch (IOException e) {
                throw named(split, e);
            }
        }

        @Override
        public void close() throws IOException {
            r.close();
        }
    }
}
