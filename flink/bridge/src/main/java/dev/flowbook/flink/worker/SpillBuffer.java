package dev.flowbook.flink.worker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Records kept in arrival order: in memory up to a byte budget, then in a local temp file. */
final class SpillBuffer implements AutoCloseable {
    interface Sink {
        void accept(byte[] rec) throws IOException;
    }

    private final long memoryBudget;
    private final String label;
    private final List<byte[]> memory = new ArrayList<>();
    private long memoryBytes;
    private Path file;
    private DataOutputStream out;

    SpillBuffer(long memoryBudget, String label) {
        this.memoryBudget = memoryBudget;
        this.label = label;
    }

    void add(byte[] rec) throws IOException {
        if (out == null && memoryBytes + rec.length <= memoryBudget) {
            memory.add(rec);
            memoryBytes += rec.length;
            return;
        }
        if (out == null) {
            file = Files.createTempFile("flowbook-main-before-side-", ".bin");
            out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        }
        out.writeInt(rec.length);
        out.write(rec);
    }

    void drainTo(Sink sink) throws IOException {
        for (byte[] r : memory) sink.accept(r);
        memory.clear();
        if (out != null) {
            out.close();
            out = null;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
                while (true) {
                    int n;
                    try {
                        n = in.readInt();
                    } catch (EOFException e) {
                        break;
                    }
                    byte[] r = new byte[n];
                    in.readFully(r);
                    sink.accept(r);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    @Override
    public void close() {
        try {
            if (out != null) out.close();
            if (file != null) Files.deleteIfExists(file);
        } catch (IOException e) {
            // best effort: a temp file of a failed task
        }
    }

    @Override
    public String toString() {
        return "SpillBuffer(" + label + ")";
    }
}
