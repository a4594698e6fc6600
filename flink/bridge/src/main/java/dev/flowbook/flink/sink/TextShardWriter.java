package dev.flowbook.flink.sink;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.plan.Windowing;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/** {@code sink:text} shards: each string_utf8 value as one line ending in {@code \n}, optionally gzipped. */
public final class TextShardWriter extends ShardWriter {
    private static final long serialVersionUID = 1L;

    private final boolean gzip;
    private transient OutputStream lines;
    private transient GZIPOutputStream zip;

    public TextShardWriter(ShardFiles files, boolean gzip, Windowing windowing) {
        super(files, windowing);
        this.gzip = gzip;
    }

    @Override
    protected void openFile(OutputStream o) throws IOException {
        zip = gzip ? new GZIPOutputStream(o, 1 << 16) : null;
        lines = gzip ? zip : o;
    }

    @Override
    protected void write(byte[] rec) throws IOException {
        ByteIn in = view.valueIn();
        int n = in.readVarInt();
        if (n > in.remaining()) throw new IOException("sink:text: a value is not a string_utf8 encoding");
        lines.write(rec, in.pos, n);
        lines.write('\n');
    }

    @Override
    protected void finishFile() throws IOException {
        if (zip != null) zip.finish();
        lines.flush();
    }
}
