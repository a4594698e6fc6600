package dev.flowbook.flink.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Lines of UTF-8 text (terminated by \n, \r\n or \r, as Beam's TextIO reads them), readable
 * from byte-range splits: a line belongs to the split holding its first byte. Compressed files
 * are never split (FileSource decompresses them whole).
 */
public final class SplittableTextFormat implements StreamFormat<String> {
    private static final long serialVersionUID = 1L;

    @Override
    public Reader<String> createReader(Configuration config, FSDataInputStream stream, long fileLen, long splitEnd) throws IOException {
        return new LineReader(stream, fileLen, splitEnd);
    }

    @Override
    public Reader<String> restoreReader(Configuration config, FSDataInputStream stream, long restoredOffset, long fileLen, long splitEnd)
            throws IOException {
        stream.seek(restoredOffset);
        return new LineReader(stream, fileLen, splitEnd);
    }

    @Override
    public boolean isSplittable() {
        return true;
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }

    static final class LineReader implements Reader<String> {
        private final FSDataInputStream in;
        private final long end; // a line starting at or after this offset belongs to the next split; MAX: read to EOF
        private final byte[] buf = new byte[1 << 16];
        private int bufPos;
        private int bufLen;
        private long pos; // offset of buf[bufPos]
        private byte[] line = new byte[256];
        private boolean eof;

        LineReader(FSDataInputStream in, long fileLen, long splitEnd) throws IOException {
            this.in = in;
            this.end = splitEnd >= fileLen ? Long.MAX_VALUE : splitEnd;
            long start = in.getPos();
            pos = start;
            if (start > 0) {
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

        @Override
        public String read() throws IOException {
            if (pos >= end) return null;
            if (peek() < 0) return null;
            int n = 0;
            while (true) {
                if (bufPos >= bufLen && !fill()) break;
                // Fast scan for a terminator in the buffer.
                int i = bufPos;
                while (i < bufLen && buf[i] != '\n' && buf[i] != '\r') i++;
                int chunk = i - bufPos;
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
            return new String(line, 0, n, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
