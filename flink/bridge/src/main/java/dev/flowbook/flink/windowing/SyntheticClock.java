package dev.flowbook.flink.windowing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The processing-time clock of a TestStream job: advanced only by the TestStream source's
 * processing-time events, read by the job's group-also-by-window operators instead of the wall
 * clock (Beam's TestStreamTest advances minutes that no test should wait for).
 *
 * <p>One clock per job build (an id the translator draws), shared in the TaskManager's JVM: the
 * job's classes are loaded once per job there, so the source and the windowing operators of one
 * job see the same instance. That holds when all of a TestStream job's tasks run in one
 * TaskManager (TestStream jobs run at parallelism 1; a cluster of one TaskManager, as the tests
 * use, guarantees it).
 *
 * <p>Order (docs/flink-plan.md "TestStream"): the source advances the clock only when the job is
 * quiescent (a checkpoint taken after the previous event completed), and each windowing
 * operator fires the processing-time timers the advance made due before the next checkpoint
 * barrier passes it ({@code prepareSnapshotPreBarrier}); the source waits for that checkpoint
 * to complete before its next event.
 */
public final class SyntheticClock {
    private static final ConcurrentHashMap<String, AtomicLong> CLOCKS = new ConcurrentHashMap<>();
    private static final java.util.Set<String> SOURCES = ConcurrentHashMap.newKeySet();

    private SyntheticClock() { }

    /** The clock of a job build, starting at {@code start} when first asked for. */
    public static AtomicLong of(String id, long start) {
        return CLOCKS.computeIfAbsent(id, k -> new AtomicLong(start));
    }

    /** The TestStream source's reader of this job build started in this JVM (it drives the clock). */
    public static void sourceStarted(String id) {
        SOURCES.add(id);
    }

    /**
     * Fails, naming the cause, when the job's TestStream source does not run in this JVM: a
     * windowing operator would then read a clock nobody advances and give other panes than the
     * local runner. Called at a checkpoint barrier, when every task of the job is running.
     */
    public static void checkSourceInThisJvm(String id, String operator) {
        if (!SOURCES.contains(id)) {
            throw new IllegalStateException(operator + ": this TestStream job's source runs in another TaskManager, so the synthetic "
                    + "processing-time clock it advances is not visible here; run TestStream jobs on a cluster of one TaskManager "
                    + "(processing-time triggers would otherwise fire at other times than on the local runner)");
        }
    }
}
