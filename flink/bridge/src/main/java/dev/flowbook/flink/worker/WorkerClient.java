package dev.flowbook.flink.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.plan.Plan;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Node worker process and the Java end of docs/worker-protocol.md. All public methods
 * run on the task thread; a writer thread feeds the worker's stdin and a reader thread parses
 * its stdout, each through a bounded queue, and a third thread logs its stderr. Outputs and
 * metrics reach the {@link Handler} on the task thread only.
 */
public final class WorkerClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerClient.class);
    private static final int QUEUE = 16;
    private static final byte[] CLOSE_STDIN = new byte[0];

    /** Receives what the worker sends, on the task thread. */
    public interface Handler {
        void output(int outputIndex, byte[] record);

        void metrics(JsonNode updates);

        /** Elements each transform received and emitted since the previous METRICS frame: [{transform, in, out}]. */
        default void elements(JsonNode counts) { }

        /** Users' console output: whole lines of one stream, printed by {@code transform} (null: unknown). */
        default void console(String stream, String transform, String text) { }
    }

    private record Death(String reason, Throwable cause) { }

    private final List<String> command;
    private final Map<String, String> env;
    private final String cwd;
    private final String label;
    private final int batchBytes;
    private final int bundleSize;
    private final Handler handler;

    private Process proc;
    private final BlockingQueue<byte[]> toWorker = new ArrayBlockingQueue<>(QUEUE);
    private final BlockingQueue<Object> fromWorker = new ArrayBlockingQueue<>(QUEUE);
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private volatile Throwable writerError;
    private final List<Thread> threads = new ArrayList<>();

    private final ByteOut data = new ByteOut(1 << 16);
    private final ByteOut side = new ByteOut(1 << 16);
    private int sideIndex = -1;
    private boolean dataOpen;
    private boolean inBundle;
    private long bundleId;
    private long bundleElements;
    private long doneBundle = -1;
    private boolean goodbye;
    private boolean dead;

    public WorkerClient(List<String> command, Map<String, String> env, String cwd, String label,
                        int batchBytes, int bundleSize, Handler handler) {
        this.command = command;
        this.env = env;
        this.cwd = cwd;
        this.label = label;
        this.batchBytes = Math.max(1024, batchBytes);
        this.bundleSize = bundleSize;
        this.handler = handler;
    }

    // ---------------------------------------------------------------- starting

    /** The worker command: the plan's, or {@code node <extracted flowbook-worker.mjs>}. */
    public static List<String> resolveCommand(List<String> planCommand) throws IOException {
        if (planCommand != null && !planCommand.isEmpty()) return planCommand;
        return List.of("node", bundledWorker().toString());
    }

    private static Path extracted;

    private static synchronized Path bundledWorker() throws IOException {
        if (extracted != null && Files.exists(extracted)) return extracted;
        try (InputStream in = WorkerClient.class.getClassLoader().getResourceAsStream("flowbook-worker.mjs")) {
            if (in == null) throw new IOException("no Node worker: the plan has no worker.command and the jar has no flowbook-worker.mjs");
            Path dir = Files.createTempDirectory("flowbook-worker-");
            Path f = dir.resolve("flowbook-worker.mjs");
            Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
            dir.toFile().deleteOnExit();
            f.toFile().deleteOnExit();
            extracted = f;
            return f;
        }
    }

    public void start(byte[] helloJson) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(resolveCommand(command));
        pb.environment().putAll(env);
        pb.environment().put("FLOWBOOK_WORKER_PROTOCOL", Frames.PROTOCOL);
        if (cwd != null) pb.directory(new File(cwd));
        try {
            proc = pb.start();
        } catch (IOException e) {
            throw new WorkerDiedException("cannot start the Node worker of " + label + " (" + pb.command() + "): " + e.getMessage(), e);
        }
        Process p = proc;
        thread("writer", () -> writeLoop(p.getOutputStream()));
        thread("reader", () -> readLoop(p.getInputStream()));
        thread("stderr", () -> stderrLoop(p.getErrorStream()));
        send(Frames.frame(Frames.HELLO, helloJson));
    }

    private void thread(String role, Runnable r) {
        Thread t = new Thread(r, "flowbook-worker-" + role + " " + label);
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    // ---------------------------------------------------------------- threads

    private void writeLoop(OutputStream raw) {
        try (OutputStream out = new BufferedOutputStream(raw, 1 << 16)) {
            while (true) {
                byte[] f = toWorker.take();
                if (f == CLOSE_STDIN) break;
                out.write(f);
                if (toWorker.isEmpty()) out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            writerError = e;
        }
    }

    private void readLoop(InputStream raw) {
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
        try {
            while (true) {
                int len;
                try {
                    len = in.readInt();
                } catch (EOFException e) {
                    put(new Death("closed its stdout", null));
                    return;
                }
                if (len < 1 || len > Frames.MAX_FRAME) {
                    put(new Death("sent a frame of bad length " + len + " (is something other than frames written to stdout?)", null));
                    return;
                }
                int type = in.readUnsignedByte();
                byte[] body = new byte[len - 1];
                in.readFully(body);
                put(new Frames.Frame(type, body));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            try {
                put(new Death("stdout failed: " + e, e));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void put(Object o) throws InterruptedException {
        fromWorker.put(o);
    }

    private void stderrLoop(InputStream raw) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                LOG.info("[worker {}] {}", label, line);
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > 50) stderrTail.removeFirst();
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    // ---------------------------------------------------------------- sending

    private void send(byte[] frame) throws IOException {
        try {
            while (!toWorker.offer(frame, 20, TimeUnit.MILLISECONDS)) {
                drain();
                checkWriter();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerDiedException("interrupted while sending to the worker of " + label);
        }
        checkWriter();
        drain();
    }

    private void checkWriter() throws IOException {
        if (writerError != null) awaitDeath("its stdin failed: " + writerError);
    }

    /** Sends a side-input record (before {@link #sideInputsDone}). */
    public void sideInput(int index, byte[] rec) throws IOException {
        if (sideIndex != index || side.size() >= batchBytes) flushSide();
        if (sideIndex != index) {
            Frames.begin(side, Frames.SIDE_INPUT);
            side.writeVarLong(index);
            sideIndex = index;
        }
        side.writeVarLong(rec.length).write(rec);
        if (side.size() >= batchBytes) flushSide();
    }

    private void flushSide() throws IOException {
        if (sideIndex >= 0) {
            send(Frames.finish(side));
            sideIndex = -1;
        }
    }

    public void sideInputsDone() throws IOException {
        flushSide();
        send(Frames.frame(Frames.SIDE_INPUTS_DONE, new byte[0]));
    }

    /** Sends a main-input record, starting a bundle if none is open. */
    public void element(byte[] rec) throws IOException {
        if (!inBundle) {
            ByteOut b = new ByteOut(16);
            Frames.begin(b, Frames.BUNDLE_START);
            b.writeVarLong(bundleId);
            send(Frames.finish(b));
            inBundle = true;
            bundleElements = 0;
        }
        if (!dataOpen) {
            Frames.begin(data, Frames.DATA);
            dataOpen = true;
        }
        data.writeVarLong(rec.length).write(rec);
        bundleElements++;
        if (data.size() >= batchBytes) flushData();
        if (bundleSize > 0 && bundleElements >= bundleSize) finishBundle();
    }

    private void flushData() throws IOException {
        if (dataOpen) {
            dataOpen = false;
            send(Frames.finish(data));
        }
    }

    public boolean inBundle() {
        return inBundle;
    }

    /** Finishes the open bundle (if any) and waits until the worker has sent all its outputs. */
    public void finishBundle() throws IOException {
        if (!inBundle) return;
        flushData();
        ByteOut b = new ByteOut(16);
        Frames.begin(b, Frames.BUNDLE_FINISH);
        b.writeVarLong(bundleId);
        send(Frames.finish(b));
        long id = bundleId;
        while (doneBundle < id) awaitOne();
        inBundle = false;
        bundleId++;
    }

    /** End of input: finishes the bundle, sends END and waits for GOODBYE and the exit. */
    public void finish() throws IOException {
        finishBundle();
        send(Frames.frame(Frames.END, new byte[0]));
        send(CLOSE_STDIN); // the writer closes the worker's stdin after END
        while (!goodbye) awaitOne();
        try {
            if (!proc.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warn("worker {} did not exit 10 s after GOODBYE; killing it", label);
                proc.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- receiving

    /** Handles every frame already received, without waiting. */
    public void drain() throws IOException {
        Object o;
        while ((o = fromWorker.poll()) != null) handle(o);
    }

    private void awaitOne() throws IOException {
        try {
            Object o = fromWorker.poll(100, TimeUnit.MILLISECONDS);
            if (o != null) handle(o);
            else checkWriter();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerDiedException("interrupted while waiting for the worker of " + label);
        }
    }

    private void handle(Object o) throws IOException {
        if (o instanceof Death d) {
            if (goodbye) return;
            dead = true;
            throw died(d.reason(), d.cause());
        }
        Frames.Frame f = (Frames.Frame) o;
        switch (f.type()) {
            case Frames.OUTPUT -> {
                ByteIn in = new ByteIn(f.body());
                int index = in.readVarInt();
                while (!in.atEnd()) {
                    int n = in.readVarInt();
                    int start = in.pos;
                    in.skip(n, "an output element");
                    handler.output(index, Arrays.copyOfRange(f.body(), start, start + n));
                }
            }
            case Frames.BUNDLE_DONE -> doneBundle = new ByteIn(f.body()).readVarLong();
            case Frames.METRICS -> {
                JsonNode m = Plan.JSON.readTree(f.body());
                handler.metrics(m.path("updates"));
                if (m.has("elements")) handler.elements(m.get("elements"));
            }
            case Frames.ERROR -> {
                dead = true;
                throw userError(f.body());
            }
            case Frames.CONSOLE -> {
                JsonNode c = Plan.JSON.readTree(f.body());
                handler.console("stderr".equals(c.path("stream").asText()) ? "stderr" : "stdout",
                        c.hasNonNull("transform") ? c.get("transform").asText() : null, c.path("text").asText(""));
            }
            case Frames.GOODBYE -> goodbye = true;
            case Frames.READY -> LOG.debug("worker {} ready: {}", label, new String(f.body(), StandardCharsets.UTF_8));
            default -> {
                dead = true;
                throw died("sent an unknown frame type " + Frames.name(f.type()), null);
            }
        }
    }

    /** The worker's stdin broke: wait (briefly) for what it said last, an ERROR or its death. */
    private void awaitDeath(String why) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Object o;
            try {
                o = fromWorker.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (o == null) continue;
            if (o instanceof Death || (o instanceof Frames.Frame f && (f.type() == Frames.ERROR || f.type() == Frames.CONSOLE))) handle(o);
        }
        dead = true;
        throw died(why, writerError);
    }

    static String userErrorText(JsonNode e, byte[] body) {
        StringBuilder sb = new StringBuilder("Error in transform '").append(e.path("transform").asText("?")).append("'");
        if (e.hasNonNull("element")) sb.append(" while processing element ").append(e.get("element").asText());
        sb.append(": ").append(e.path("message").asText(""));
        if (e.hasNonNull("stack") && !e.get("stack").asText().isEmpty()) sb.append('\n').append(e.get("stack").asText());
        sb.append("\n[flowbook-error-json:").append(Base64.getEncoder().encodeToString(body)).append(']');
        return sb.toString();
    }

    private UserCodeException userError(byte[] body) {
        JsonNode e;
        try {
            e = Plan.JSON.readTree(body);
        } catch (IOException ex) {
            return new UserCodeException("Error in transform '?': the worker sent an ERROR frame that is not JSON: "
                    + new String(body, StandardCharsets.UTF_8));
        }
        return new UserCodeException(userErrorText(e, body));
    }

    private WorkerDiedException died(String reason, Throwable cause) {
        String code = "?";
        try {
            if (proc.waitFor(5, TimeUnit.SECONDS)) code = String.valueOf(proc.exitValue());
            else code = "(still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Thread.sleep(50); // let the stderr thread catch the last lines
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String tail;
        synchronized (stderrTail) {
            tail = String.join("\n", stderrTail);
        }
        String msg = "Node worker of " + label + " exited with code " + code + " (" + reason + ")"
                + (tail.isEmpty() ? "" : ": last stderr lines:\n" + tail);
        return cause == null ? new WorkerDiedException(msg) : new WorkerDiedException(msg, cause);
    }

    @Override
    public void close() {
        if (proc != null && proc.isAlive()) proc.destroyForcibly();
        for (Thread t : threads) t.interrupt();
    }

    public boolean isDead() {
        return dead;
    }
}
