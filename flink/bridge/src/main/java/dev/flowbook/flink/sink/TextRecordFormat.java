package dev.flowbook.flink.sink;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.WindowedValues;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/** {@code sink:text} files: each string_utf8 value as one line ending in {@code \n}, optionally gzipped. */
public final class TextRecordFormat implements RecordFormat {
    private static final long serialVersionUID = 1L;

    private final boolean gzip;

    public TextRecordFormat(boolean gzip) {
        this.gzip = gzip;
    }

    @Override
    public RecordFile open(OutputStream o) throws IOException {
        GZIPOutputStream zip = gzip ? new GZIPOutputStream(o, 1 << 16) : null;
        OutputStream lines = gzip ? zip : o;
        return new RecordFile() {
            @Override
            public void write(byte[] rec, WindowedValues.View view) throws IOException {
                ByteIn in = view.valueIn();
                int n = in.readVarInt();
                if (n > in.remaining()) throw new IOException("sink:text: a value is not a string_utf8 encoding");
                lines.write(rec, in.pos, n);
                lines.write('\n');
            }

            @Override
            public void finish() throws IOException {
                if (zip != null) zip.finish();
                lines.flush();
            }
        };
    }
}
