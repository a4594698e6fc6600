package dev.flowbook.flink.source;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Lines of text as their raw bytes (terminated by \n, \r\n or \r, as Beam's TextIO reads
 * them; decoded as UTF-8, and invalid lines counted, by the translator's LineToRecord), readable
 * from byte-range splits: a line belongs to the split holding its first byte. Compressed files
 * are never split (FileSource decompresses them whole).
 *
 * A line longer than {@code maxLineBytes} is refused with an error naming the limit and the
 * pipeline option that raises it: a line is held several times over in the TaskManager's heap
 * (the read buffer, the record, the network copy), and past the heap the job died with a bare
 * OutOfMemoryError.
 */
public final class SplittableTextFormat implements StreamFormat<byte[]> {
    private static final long serialVersionUID = 1L;
    /** The pipeline option that sets the limit (docs: src/runners/flink/README.md). */
    public static final String LIMIT_OPTION = "flinkMaxElementBytes";
    private final long maxLineBytes;

    public SplittableTextFormat() {
        this(32L << 20);
    }

    public SplittableTextFormat(long maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Reader<byte[]> createReader(Configuration config, FSDataInputStream stream, long fileLen, long splitEnd) throws IOException {
        return new LineReader(stream, fileLen, splitEnd, maxLineBytes);
    }

    @Override
    public Reader<byte[]> restoreReader(Configuration config, FSDataInputStream stream, long restoredOffset, long fileLen, long splitEnd)
            throws IOException {
        stream.seek(restoredOffset);
        return new LineReader(stream, fileLen, splitEnd, maxLineBytes);
    }

    @Override
    public boolean isSplittable() {
        return true;
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    /** A line over the limit (the reader's caller adds the file's name). */
    public static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException(long offset, long limit) {
            super("a line starting at byte " + offset + " is longer than the Flink runner's element limit of " + (limit >> 20) + " MiB ("
                    + limit + " bytes). Raise it with the pipeline option " + LIMIT_OPTION + " (bytes); the TaskManager's task heap must hold"
                    + " such a line about four times over (`flowbook flink start --task-heap-mb N`), or split the input into shorter lines");
        }
    }

    static final class LineReader implements Reader<byte[]> {
        private final FSDataInputStream in;
        private final long end; // a line starting at or after this offset belongs to the next split; MAX: read to EOF
        private final byte[] buf = new byte[1 << 16];
        private int bufPos;
        private int bufLen;
        private long pos; // offset of buf[bufPos]
        private byte[] line = new byte[256];
        private boolean eof;

        private final long maxLineBytes;

        LineReader(FSDataInputStream in, long fileLen, long splitEnd, long maxLineBytes) throws IOException {
            this(in, fileLen, splitEnd, maxLineBytes, false);
        }

        /** {@code atLineStart}: the stream's position is known to begin a line (a checkpointed offset), so nothing is skipped. */
        LineReader(FSDataInputStream in, long fileLen, long splitEnd, long maxLineBytes, boolean atLineStart) throws IOException {
            this.in = in;
            this.maxLineBytes = maxLineBytes;
            this.end = splitEnd >= fileLen ? Long.MAX_VALUE : splitEnd;
            long start = in.getPos();
            pos = start;
            if (start > 0 && !atLineStart) {
                // Skip the tail of a line begun in the previous split: resume after the first terminator at or after start - 1.
                in.seek(start - 1);
                pos = start - 1;
                int b = next();
                if (b == '\r') {
                    if (peek() == '\n') next();
                } else if (b != '\n') {
                    skipLine();
                }
            }
        }

        private boolean fill() throws IOException {
            if (eof) return false;
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                eof = true;
                return false;
            }
            bufPos = 0;
            bufLen = n;
            return true;
        }

        private int next() throws IOException {
            if (bufPos >= bufLen && !fill()) return -1;
            pos++;
            return buf[bufPos++] & 0xff;
        }

        private int peek() throws IOException {
            if (bufPos >= bufLen && !fill()) return -1;
            return buf[bufPos] & 0xff;
        }

        private void skipLine() throws IOException {
            while (true) {
                int b = next();
                if (b < 0 || b == '\n') return;
                if (b == '\r') {
                    if (peek() == '\n') next();
                    return;
                }
            }
        }

        /** The offset of the next byte: after a line is read, where the next line starts. */
        long position() {
            return pos;
        }

        @Override
        public byte[] read() throws IOException {
            if (pos >= end) return null;
            if (peek() < 0) return null;
            long startPos = pos;
            int n = 0;
            while (true) {
                if (bufPos >= bufLen && !fill()) break;
                // Fast scan for a terminator in the buffer.
                int i = bufPos;
                while (i < bufLen && buf[i] != '\n' && buf[i] != '\r') i++;
                int chunk = i - bufPos;
                if ((long) n + chunk > maxLineBytes) throw new LineTooLongException(startPos, maxLineBytes);
                if (n + chunk > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, n + chunk));
                System.arraycopy(buf, bufPos, line, n, chunk);
                n += chunk;
                pos += chunk;
                bufPos = i;
                if (i < bufLen) {
                    int t = next();
                    if (t == '\r' && peek() == '\n') next();
                    break;
                }
            }
            return Arrays.copyOf(line, n);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
