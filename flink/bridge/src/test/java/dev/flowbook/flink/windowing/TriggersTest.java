package dev.flowbook.flink.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.Windowing;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/** Each trigger kind on its own, watermark holds, session merging under early firings, state after a restore. */
class TriggersTest {
    static String fixed10(String trigger, String more) {
        return """
            {"windowFn":{"type":"fixed","sizeMs":10},"trigger":%s%s}""".formatted(trigger, more.isEmpty() ? "" : "," + more);
    }

    @Test
    void repeatedElementCountDiscarding() throws Exception {
        try (Harness t = new Harness(fixed10("""
                {"kind":"repeat","subtrigger":{"kind":"elementCount","elementCount":2}}""", "\"accumulationMode\":\"DISCARDING\""))) {
            t.add(1, 1).add(2, 2).add(3, 3).add(4, 4).add(5, 5);
            t.watermark(Long.MAX_VALUE);
            assertEquals(List.of(
                    "k [0,10) ts=9 Pane(first,EARLY,0,-1) [1, 2]",
                    "k [0,10) ts=9 Pane(EARLY,1,-1) [3, 4]",
                    "k [0,10) ts=9 Pane(last,ON_TIME,2,0) [5]"), t.panes());
        }
    }

    @Test
    void onceElementCountClosesTheWindow() throws Exception {
        try (Harness t = new Harness(fixed10("""
                {"kind":"elementCount","elementCount":2}""", "\"accumulationMode\":\"ACCUMULATING\""))) {
            t.add(1, 1).add(2, 2).add(3, 3);
            t.watermark(Long.MAX_VALUE);
            assertEquals(List.of("k [0,10) ts=9 Pane(first,last,EARLY,0,-1) [1, 2]"), t.panes());
            assertEquals(1, t.op.droppedDueToClosedWindow());
        }
    }

    @Test
    void alwaysFiresPerElement() throws Exception {
        try (Harness t = new Harness(fixed10("{\"kind\":\"always\"}", "\"accumulationMode\":\"ACCUMULATING\""))) {
            t.add(1, 1).add(2, 2);
            assertEquals(List.of(
                    "k [0,10) ts=9 Pane(first,EARLY,0,-1) [1]",
                    "k [0,10) ts=9 Pane(EARLY,1,-1) [1, 2]"), t.panes());
        }
    }

    @Test
    void afterEachInOrder() throws Exception {
        try (Harness t = new Harness(fixed10("""
                {"kind":"afterEach","subtriggers":[{"kind":"elementCount","elementCount":2},{"kind":"elementCount","elementCount":3}]}""",
                "\"accumulationMode\":\"DISCARDING\""))) {
            for (int i = 1; i <= 7; i++) t.add(i, i);
            t.watermark(Long.MAX_VALUE);
            assertEquals(List.of(
                    "k [0,10) ts=9 Pane(first,EARLY,0,-1) [1, 2]",
                    "k [0,10) ts=9 Pane(last,EARLY,1,-1) [3, 4, 5]"), t.panes());
            assertEquals(2, t.op.droppedDueToClosedWindow());
        }
    }

    @Test
    void afterAnyAndAfterAll() throws Exception {
        String any = """
            {"kind":"repeat","subtrigger":{"kind":"afterAny","subtriggers":[
              {"kind":"elementCount","elementCount":3},{"kind":"afterProcessingTime","timestampTransforms":[{"kind":"delay","delayMillis":100}]}]}}""";
        try (Harness t = new Harness(fixed10(any, "\"accumulationMode\":\"DISCARDING\""))) {
            t.processingTime(0).add(1, 1).add(2, 2).add(3, 3); // the count fires first
            t.add(4, 4).processingTime(150); // 4 arrived at 0: its delay ends at 100
            assertEquals(List.of(
                    "k [0,10) ts=9 Pane(first,EARLY,0,-1) [1, 2, 3]",
                    "k [0,10) ts=9 Pane(EARLY,1,-1) [4]"), t.panes());
        }
        String all = """
            {"kind":"afterAll","subtriggers":[
              {"kind":"elementCount","elementCount":2},{"kind":"afterProcessingTime","timestampTransforms":[{"kind":"delay","delayMillis":100}]}]}""";
        try (Harness t = new Harness(fixed10(all, "\"accumulationMode\":\"DISCARDING\""))) {
            t.processingTime(0).add(1, 1).processingTime(150); // time passed, but one element only
            assertEquals(List.of(), t.panes());
            t.add(2, 2); // now both
            assertEquals(List.of("k [0,10) ts=9 Pane(first,last,EARLY,0,-1) [1, 2]"), t.panes());
        }
    }

    @Test
    void orFinallyStopsTheMainTrigger() throws Exception {
        try (Harness t = new Harness(fixed10("""
                {"kind":"orFinally","main":{"kind":"repeat","subtrigger":{"kind":"elementCount","elementCount":1}},
                 "finally":{"kind":"elementCount","elementCount":3}}""", "\"accumulationMode\":\"DISCARDING\""))) {
            for (int i = 1; i <= 4; i++) t.add(i, i);
            assertEquals(List.of(
                    "k [0,10) ts=9 Pane(first,EARLY,0,-1) [1]",
                    "k [0,10) ts=9 Pane(EARLY,1,-1) [2]",
                    "k [0,10) ts=9 Pane(last,EARLY,2,-1) [3]"), t.panes());
            assertEquals(1, t.op.droppedDueToClosedWindow());
        }
    }

    @Test
    void neverFiresOnlyTheFinalPane() throws Exception {
        try (Harness t = new Harness(fixed10("{\"kind\":\"never\"}", "\"allowedLatenessMs\":5"))) {
            t.add(1, 1).beamWatermark(10).add(2, 2);
            assertEquals(List.of(), t.panes(), "no on-time pane from Never");
            t.watermark(Long.MAX_VALUE);
            // ON_TIME although it fires at garbage collection: no pane fired, so the first element's hold
            // kept the output watermark at the end of the window (Beam's PaneInfoTracker says the same)
            assertEquals(List.of("k [0,10) ts=9 Pane(first,last,ON_TIME,0,0) [1, 2]"), t.panes());
        }
    }

    /** An empty ON_TIME pane fires by default (onTimeBehavior FIRE_ALWAYS), and not with FIRE_IF_NON_EMPTY. */
    @Test
    void emptyOnTimePane() throws Exception {
        String early = """
            {"kind":"afterEndOfWindow","earlyFirings":{"kind":"elementCount","elementCount":1}}""";
        try (Harness t = new Harness(fixed10(early, "\"accumulationMode\":\"DISCARDING\""))) {
            t.add(1, 1).watermark(Long.MAX_VALUE);
            assertEquals(List.of(
                    "k [0,10) ts=9 Pane(first,EARLY,0,-1) [1]",
                    "k [0,10) ts=9 Pane(last,ON_TIME,1,0) []"), t.panes());
        }
        try (Harness t = new Harness(fixed10(early, "\"accumulationMode\":\"DISCARDING\",\"onTimeBehavior\":\"FIRE_IF_NON_EMPTY\""))) {
            t.add(1, 1).watermark(Long.MAX_VALUE);
            assertEquals(List.of("k [0,10) ts=9 Pane(first,EARLY,0,-1) [1]"), t.panes());
        }
    }

    @Test
    void alignedProcessingTime() throws Exception {
        try (Harness t = new Harness("""
                {"windowFn":{"type":"global"},"accumulationMode":"DISCARDING",
                 "trigger":{"kind":"repeat","subtrigger":{"kind":"afterProcessingTime","timestampTransforms":[{"kind":"alignTo","periodMillis":1000,"offsetMillis":0}]}}}""")) {
            t.processingTime(1200).add(1, 1).processingTime(1999);
            assertEquals(List.of(), t.panes(), "aligned to the next second, 2000");
            t.processingTime(2000);
            assertEquals(1, t.panes().size());
        }
    }

    /** The EARLIEST hold keeps the output watermark before the earliest element until its pane fired. */
    @Test
    void earliestHoldsTheOutputWatermark() throws Exception {
        try (Harness t = new Harness(fixed10("{\"kind\":\"default\"}", "\"timestampCombiner\":\"EARLIEST\""))) {
            t.add(5, 5).add(3, 3);
            t.watermark(7);
            assertEquals(List.of("W2"), t.out(), "held at 3 (Flink's 2: a record at 3 is not behind it)");
            t.watermark(9);
            assertEquals(List.of("W2", "k [0,10) ts=3 Pane(first,last,ON_TIME,0,0) [3, 5]", "W9"), t.out());
        }
    }

    /** Sessions that merge after an early firing: one pane for the merged session, values moved, timers of the parts gone. */
    @Test
    void sessionsMergeUnderEarlyFirings() throws Exception {
        try (Harness t = new Harness("""
                {"windowFn":{"type":"sessions","gapMs":10},"accumulationMode":"ACCUMULATING",
                 "trigger":{"kind":"afterEndOfWindow","earlyFirings":{"kind":"elementCount","elementCount":2}}}""")) {
            t.add(1, 0).add(2, 1); // [0, 11): early pane
            t.add(3, 30); // [30, 40)
            t.add(4, 15); // [15, 25): merges with neither
            t.add(5, 8); // [8, 18) bridges [0,11) and [15,25) -> [0, 25)
            t.watermark(Long.MAX_VALUE);
            assertEquals(List.of(
                    "k [0,11) ts=10 Pane(first,EARLY,0,-1) [1, 2]",
                    // a merged window that is new starts its panes afresh (Beam clears the merged-away windows' pane info)
                    "k [0,25) ts=24 Pane(first,EARLY,0,-1) [1, 2, 4, 5]",
                    "k [0,25) ts=24 Pane(last,ON_TIME,1,0) [1, 2, 4, 5]",
                    "k [30,40) ts=39 Pane(first,last,ON_TIME,0,0) [3]"), t.panes());
            BeamCasesTest.assertStateFreed(t);
        }
    }

    /** Keys are apart; state and holds survive a snapshot and restore. */
    @Test
    void restoresFromASnapshot() throws Exception {
        String w = fixed10("{\"kind\":\"default\"}", "\"timestampCombiner\":\"EARLIEST\",\"allowedLatenessMs\":0");
        OperatorSubtaskState snap;
        Windowing windowing;
        try (Harness t = new Harness(w)) {
            windowing = t.windowing;
            t.add("a", 1, 4).add("b", 2, 6).add("a", 3, 12);
            snap = t.h.snapshot(1L, 1L);
        }
        try (Harness t = new Harness(windowing, snap)) {
            t.add("b", 4, 7);
            t.watermark(8);
            assertEquals(List.of("W3"), t.out(), "the restored hold at 4 (a's element) still holds the watermark");
            t.watermark(Long.MAX_VALUE);
            assertEquals(List.of(
                    "a [0,10) ts=4 Pane(first,last,ON_TIME,0,0) [1]",
                    "b [0,10) ts=6 Pane(first,last,ON_TIME,0,0) [2, 4]",
                    "a [10,20) ts=12 Pane(first,last,ON_TIME,0,0) [3]"), t.panes());
        }
    }

    @Test
    void badSpecsAreRefusedWhenThePlanIsRead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Windowing.fromJson(Plan.JSON.readTree("""
                {"windowFn":{"type":"global"},"trigger":{"kind":"afterAll","subtriggers":[{"kind":"repeat","subtrigger":{"kind":"never"}}]}}"""), "op4.payload.windowing"));
        assertTrue(e.getMessage().startsWith("op4.payload.windowing.trigger.subtriggers[0]: must be a trigger that fires at most once"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Windowing.fromJson(Plan.JSON.readTree("""
                {"windowFn":{"type":"global"},"accumulationMode":"SOMETIMES"}"""), "w"));
        assertTrue(e.getMessage().contains("w.accumulationMode: expected one of [DISCARDING, ACCUMULATING]"), e.getMessage());
    }

    @Test
    void paneEncodingMatchesBeams() {
        // the bytes src/sdk/coders/pane_info_coder.ts writes (and Beam's PaneInfoCoder)
        assertEquals("0f", hex(PaneInfo.NO_FIRING.toBytes()));
        assertEquals("07", hex(PaneInfo.ON_TIME_AND_ONLY_FIRING.toBytes()));
        assertEquals("1100", hex(PaneInfo.create(true, false, PaneInfo.Timing.EARLY, 0, -1).toBytes()));
        assertEquals("1002", hex(PaneInfo.create(false, false, PaneInfo.Timing.EARLY, 2, -1).toBytes()));
        assertEquals("1401", hex(PaneInfo.create(false, false, PaneInfo.Timing.ON_TIME, 1, 1).toBytes()));
        assertEquals("2a0301", hex(PaneInfo.create(false, true, PaneInfo.Timing.LATE, 3, 1).toBytes()));
        PaneInfo p = PaneInfo.create(false, true, PaneInfo.Timing.LATE, 3, 1);
        assertEquals(p, PaneInfo.decode(new dev.flowbook.flink.coders.ByteIn(p.toBytes())));
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x));
        return sb.toString();
    }
}
