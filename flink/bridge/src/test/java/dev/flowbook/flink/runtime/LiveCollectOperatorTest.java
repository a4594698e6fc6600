package dev.flowbook.flink.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.EOFException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * LiveCollectOperator in Flink's operator test harness, connected to a real socket: the hello,
 * then a batch at each watermark (carrying Beam's watermark), checkpoint barrier, flush timer
 * and end of input, the records unchanged and in order; a cancelled task hands over what it held.
 */
class LiveCollectOperatorTest {
    /** What the client read: "hello token pc", "batch wm [records]", "end", "eof". */
    private static final class Client implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(this::read, "live-client");

        Client() throws Exception {
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (Socket s = server.accept(); DataInputStream in = new DataInputStream(s.getInputStream())) {
                byte[] magic = in.readNBytes(4);
                int version = in.readInt();
                String token = in.readUTF();
                String pc = in.readUTF();
                in.readInt();
                in.readInt();
                frames.add("hello " + new String(magic, StandardCharsets.US_ASCII) + " v" + version + " " + token + " " + pc);
                for (;;) {
                    int type;
                    try {
                        type = in.readByte();
                    } catch (EOFException e) {
                        frames.add("eof");
                        return;
                    }
                    if (type == 2) {
                        frames.add("end");
                        continue;
                    }
                    long wm = in.readLong();
                    int count = in.readInt();
                    int bytes = in.readInt();
                    List<String> records = new ArrayList<>();
                    int seen = 0;
                    for (int i = 0; i < count; i++) {
                        byte[] r = in.readNBytes(in.readInt());
                        seen += 4 + r.length;
                        records.add(new String(r, StandardCharsets.UTF_8));
                    }
                    assertEquals(bytes, seen);
                    frames.add("batch " + (wm == Long.MIN_VALUE ? "-inf" : Long.toString(wm)) + " " + records);
                }
            } catch (Exception e) {
                frames.add("error " + e);
            }
        }

        String next() throws InterruptedException {
            String f = frames.poll(10, TimeUnit.SECONDS);
            return f == null ? "(nothing)" : f;
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    private static StreamRecord<byte[]> rec(String s) {
        return new StreamRecord<>(s.getBytes(StandardCharsets.UTF_8));
    }

    private static OneInputStreamOperatorTestHarness<byte[], byte[]> harness(Client c) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new LiveCollectOperator("127.0.0.1", c.server.getLocalPort(), "tok", "pc7"));
        h.open();
        return h;
    }

    @Test
    void batchesAtWatermarksBarriersTimersAndTheEnd() throws Exception {
        try (Client c = new Client()) {
            var h = harness(c);
            assertEquals("hello FLBL v1 tok pc7", c.next());
            h.processElement(rec("a"));
            h.processElement(rec("b"));
            // Flink's watermark 59 999 is Beam's 60 000.
            h.processWatermark(new Watermark(59_999));
            assertEquals("batch 60000 [a, b]", c.next());
            // A watermark with nothing before it sends nothing (no empty batch).
            h.processWatermark(new Watermark(70_000));
            h.processElement(rec("c"));
            h.prepareSnapshotPreBarrier(1);
            assertEquals("batch 70001 [c]", c.next());
            h.processElement(rec("d"));
            h.setProcessingTime(h.getProcessingTime() + LiveCollectOperator.FLUSH_MS);
            assertEquals("batch 70001 [d]", c.next());
            h.processElement(rec("e"));
            // The harness's close() is the end of input (finish), then close.
            h.close();
            assertEquals("batch 70001 [e]", c.next());
            assertEquals("end", c.next());
            assertEquals("eof", c.next());
            assertNull(c.frames.poll());
        }
    }

    @Test
    void aCancelledTaskHandsOverWhatItHeld() throws Exception {
        try (Client c = new Client()) {
            var h = harness(c);
            assertEquals("hello FLBL v1 tok pc7", c.next());
            h.processElement(rec("x"));
            h.processElement(rec("ü"));
            // The operator's close() without finish(): what a cancelled task does.
            h.getOperator().close();
            assertEquals("batch -inf [x, ü]", c.next());
            assertEquals("eof", c.next());
        }
    }

    @Test
    void anUnreachableClientFailsTheTaskNamingTheOption() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var h = new OneInputStreamOperatorTestHarness<>(new LiveCollectOperator("127.0.0.1", port, "tok", "pc7"));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, h::open);
        assertTrue(e.getMessage().contains("flinkLiveSampleHost"), e.getMessage());
        assertTrue(e.getMessage().contains("pc7"), e.getMessage());
    }
}
