package dev.flowbook.flink.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Beam's classic cases (TestStreamTest, ReduceFnRunnerTest in runners-core) on the windowing
 * operator, with the exact panes Beam's semantics give when each element is its own bundle.
 * Beam's watermark t is Flink's t - 1 ({@link Harness#beamWatermark}); processing time is the
 * harness's.
 */
class BeamCasesTest {
    static final long MIN = 60_000;

    /** TestStreamTest.testLateDataAccumulating. */
    @Test
    void lateDataAccumulating() throws Exception {
        try (Harness t = new Harness("""
                {"windowFn":{"type":"fixed","sizeMs":300000},
                 "trigger":{"kind":"afterEndOfWindow",
                            "earlyFirings":{"kind":"afterProcessingTime","timestampTransforms":[{"kind":"delay","delayMillis":120000}]},
                            "lateFirings":{"kind":"elementCount","elementCount":1}},
                 "accumulationMode":"ACCUMULATING","allowedLatenessMs":300000,"closingBehavior":"FIRE_ALWAYS"}""")) {
            t.add(1, 0).add(2, 0).add(3, 0);
            t.beamWatermark(6 * MIN);
            // late but within the allowed lateness
            t.add(4, 0).add(5, 0);
            t.beamWatermark(20 * MIN);
            // droppably late
            t.add(-1, 0).add(-2, 0).add(-3, 0);
            t.watermark(Long.MAX_VALUE);
            assertEquals(List.of(
                    "k [0,300000) ts=299999 Pane(first,ON_TIME,0,0) [1, 2, 3]",
                    "k [0,300000) ts=299999 Pane(LATE,1,1) [1, 2, 3, 4]",
                    "k [0,300000) ts=299999 Pane(LATE,2,2) [1, 2, 3, 4, 5]",
                    "k [0,300000) ts=299999 Pane(last,LATE,3,3) [1, 2, 3, 4, 5]"), t.panes());
            assertEquals(3, t.op.droppedDueToLateness());
            assertEquals(List.of("W359999", "W1199999", "Wmax"), watermarks(t.out()));
            assertStateFreed(t);
        }
    }

    /** TestStreamTest.testDiscardingMode. */
    @Test
    void discardingMode() throws Exception {
        try (Harness t = new Harness("""
                {"windowFn":{"type":"fixed","sizeMs":1000},
                 "trigger":{"kind":"afterEndOfWindow","earlyFirings":{"kind":"elementCount","elementCount":2},"lateFirings":{"kind":"never"}},
                 "accumulationMode":"DISCARDING","allowedLatenessMs":5000}""")) {
            t.beamWatermark(0);
            t.add(100, 100).add(200, 200); // "firstPane", "alsoFirstPane"
            t.add(500, 500); // "onTimePane"
            t.beamWatermark(1000);
            t.add(750, 750).add(250, 250); // "finalLatePane", "alsoFinalLatePane"
            t.beamWatermark(3000);
            t.watermark(Long.MAX_VALUE);
            assertEquals(List.of(
                    "W-1",
                    "k [0,1000) ts=999 Pane(first,EARLY,0,-1) [100, 200]",
                    "k [0,1000) ts=999 Pane(ON_TIME,1,0) [500]",
                    "W999",
                    // the late elements hold the output watermark at their garbage-collection time (5999)
                    "W2999",
                    "k [0,1000) ts=999 Pane(last,LATE,2,1) [250, 750]",
                    "Wmax"), t.out());
            assertStateFreed(t);
        }
    }

    /** TestStreamTest.testFirstElementLate. */
    @Test
    void firstElementLate() throws Exception {
        try (Harness t = new Harness("""
                {"windowFn":{"type":"fixed","sizeMs":1000},"trigger":{"kind":"default"},
                 "accumulationMode":"DISCARDING","allowedLatenessMs":5000}""")) {
            t.beamWatermark(0);
            t.add(1, -1_000_000); // "late": its window [-1000000, -999000) expired at -994001
            t.add(2, 100); // "onTime"
            t.watermark(Long.MAX_VALUE);
            // the watermark leaps past the end of the window and its lateness: one final pane (Beam's WindowActivation)
            assertEquals(List.of("k [0,1000) ts=999 Pane(first,last,ON_TIME,0,0) [2]"), t.panes());
            assertEquals(1, t.op.droppedDueToLateness());
        }
    }

    /** TestStreamTest.testEarlyPanesOfWindow. */
    @Test
    void earlyPanesOfWindow() throws Exception {
        try (Harness t = new Harness("""
                {"windowFn":{"type":"fixed","sizeMs":1800000},
                 "trigger":{"kind":"afterEndOfWindow","earlyFirings":{"kind":"afterProcessingTime","timestampTransforms":[{"kind":"delay","delayMillis":300000}]}},
                 "accumulationMode":"ACCUMULATING","allowedLatenessMs":0}""")) {
            t.processingTime(0);
            t.add(1, 1000).processingTime(6 * MIN);
            t.add(2, 2000).processingTime(12 * MIN);
            t.add(3, 3000).processingTime(18 * MIN);
            t.watermark(Long.MAX_VALUE);
            assertEquals(List.of(
                    "k [0,1800000) ts=1799999 Pane(first,EARLY,0,-1) [1]",
                    "k [0,1800000) ts=1799999 Pane(EARLY,1,-1) [1, 2]",
                    "k [0,1800000) ts=1799999 Pane(EARLY,2,-1) [1, 2, 3]",
                    "k [0,1800000) ts=1799999 Pane(last,ON_TIME,3,0) [1, 2, 3]"), t.panes());
        }
    }

    /** TestStreamTest.testProcessingTimeTrigger (global window). */
    @Test
    void processingTimeTrigger() throws Exception {
        try (Harness t = new Harness("""
                {"windowFn":{"type":"global"},
                 "trigger":{"kind":"afterEndOfWindow","earlyFirings":{"kind":"afterProcessingTime","timestampTransforms":[{"kind":"delay","delayMillis":300000}]}},
                 "accumulationMode":"ACCUMULATING","allowedLatenessMs":0}""")) {
            t.processingTime(0);
            t.add(1, 1000).add(2, 2000);
            t.processingTime(12 * MIN);
            t.add(3, 3000);
            t.processingTime(18 * MIN);
            t.watermark(Long.MAX_VALUE);
            assertEquals(List.of(
                    "k global ts=eogw Pane(first,EARLY,0,-1) [1, 2]",
                    "k global ts=eogw Pane(EARLY,1,-1) [1, 2, 3]",
                    "k global ts=eogw Pane(last,ON_TIME,2,0) [1, 2, 3]"), t.panes());
        }
    }

    /** ReduceFnRunnerTest.testOnlyOneOnTimePane (grouping instead of Sum: the values show what each pane holds). */
    @Test
    void onlyOneOnTimePane() throws Exception {
        try (Harness t = new Harness("""
                {"windowFn":{"type":"fixed","sizeMs":10},"trigger":{"kind":"default"},
                 "accumulationMode":"ACCUMULATING","allowedLatenessMs":100}""")) {
            t.beamWatermark(0);
            t.add(1, 1);
            t.beamWatermark(10); // fires ON_TIME
            t.add(3, 3); // the default trigger fires again: LATE, even though it need not be labelled so
            assertEquals(List.of(
                    "k [0,10) ts=9 Pane(first,ON_TIME,0,0) [1]",
                    "k [0,10) ts=9 Pane(LATE,1,1) [1, 3]"), t.panes());
        }
    }

    /** ReduceFnRunnerTest.testOnlyOneOnTimePane as Beam writes it, combining with Sum (the native combiner's merge side). */
    @Test
    void onlyOneOnTimePaneCombining() throws Exception {
        dev.flowbook.flink.plan.Windowing w = dev.flowbook.flink.plan.Windowing.fromJson(Harness.json("""
                {"windowFn":{"type":"fixed","sizeMs":10},"trigger":{"kind":"default"},
                 "accumulationMode":"ACCUMULATING","allowedLatenessMs":100}"""), "windowing");
        var sum = new dev.flowbook.flink.runtime.NativeCombineFn(dev.flowbook.flink.runtime.NativeCombineFn.Fn.SUM,
                dev.flowbook.flink.runtime.NativeCombineFn.Num.LONG).mergeAggregation();
        try (Harness t = new Harness(w, null, sum)) {
            t.beamWatermark(0);
            t.add(1, 1);
            t.beamWatermark(10);
            t.add(3, 3);
            assertEquals(List.of(
                    "k [0,10) ts=9 Pane(first,ON_TIME,0,0) 1",
                    "k [0,10) ts=9 Pane(LATE,1,1) 4"), t.panes());
        }
    }

    /** ReduceFnRunnerTest.testMergeBeforeFinalizing (its mock trigger never fires: Never here). */
    @Test
    void mergeBeforeFinalizing() throws Exception {
        try (Harness t = new Harness("""
                {"windowFn":{"type":"sessions","gapMs":10},"timestampCombiner":"EARLIEST","trigger":{"kind":"never"},
                 "accumulationMode":"DISCARDING","allowedLatenessMs":0,"closingBehavior":"FIRE_IF_NON_EMPTY"}""")) {
            t.add(1, 1); // [1, 11)
            t.add(10, 10); // [10, 20): merges with it into [1, 20)
            t.beamWatermark(100);
            assertEquals(List.of("k [1,20) ts=1 Pane(first,last,ON_TIME,0,0) [1, 10]"), t.panes());
            assertStateFreed(t);
        }
    }

    /** Once the watermark passed the end of every window plus the allowed lateness, no state and no event-time timer is left. */
    static void assertStateFreed(Harness t) {
        assertEquals(0, t.h.numKeyedStateEntries(), "keyed state entries left");
        assertEquals(0, t.h.numEventTimeTimers(), "event-time timers left");
    }

    static List<String> watermarks(List<String> out) {
        return out.stream().filter(s -> s.startsWith("W")).toList();
    }
}
