/**
 * The group-also-by-window operator against Beam's ReduceFnRunnerTest cases (ported with
 * their exact expected panes), plus early/late firings, discarding vs accumulating, late data
 * dropped and counted, sessions merging under early firings, holds and garbage collection.
 */
import { describe, expect, it } from "vitest";
import { DROPPED_DUE_TO_CLOSED_WINDOW, DROPPED_DUE_TO_LATENESS } from "../../../../src/runners/harness/gabw/group_also_by_window.js";
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX } from "../../../../src/sdk/values/time.js";
import { FixedWindows } from "../../../../src/sdk/windowing/fixed_windows.js";
import { GlobalWindows } from "../../../../src/sdk/windowing/global_windows.js";
import { Sessions } from "../../../../src/sdk/windowing/sessions.js";
import { SlidingWindows } from "../../../../src/sdk/windowing/sliding_windows.js";
import { AfterFirst, AfterPane, AfterProcessingTime, AfterWatermark, AfterEach, DefaultTrigger, Never, Repeatedly } from "../../../../src/sdk/windowing/triggers.js";
import { pane, strategy, Tester } from "./tester.js";

const fixed10 = () => FixedWindows.of(10);

describe("ReduceFnRunnerTest, ported", () => {
  it("testOnlyOneOnTimePane: the default trigger gives one ON_TIME pane, then LATE ones", () => {
    const t = new Tester(strategy(fixed10(), { trigger: DefaultTrigger.of(), mode: "ACCUMULATING", lateness: 100 }), { combine: true });
    t.watermark(0);
    t.inject([1, 1]);
    t.watermark(10);
    t.inject([3, 3]);
    expect(t.extract()).toEqual([
      { value: 1, ts: 9, window: "[0, 10)", pane: pane(true, false, "ON_TIME", 0, 0) },
      { value: 4, ts: 9, window: "[0, 10)", pane: pane(false, false, "LATE", 1, 1) },
    ]);
  });

  it("testFixedWindowsEowAndGcTogether / testSessionEowAndGcTogether: one final ON_TIME pane when the watermark passes both at once", () => {
    for (const closing of ["FIRE_ALWAYS", "FIRE_IF_NON_EMPTY"] as const) {
      const fixed = new Tester(strategy(fixed10(), { mode: "ACCUMULATING", lateness: 50, combiner: "EARLIEST" }), { closing });
      fixed.watermark(0);
      fixed.inject(1);
      fixed.watermark(100);
      expect(fixed.extract()).toEqual([{ value: [1], ts: 1, window: "[0, 10)", pane: pane(true, true, "ON_TIME", 0, 0) }]);
    }
    const sessions = new Tester(strategy(Sessions.withGapDuration(10), { mode: "ACCUMULATING", lateness: 50, combiner: "EARLIEST" }), { closing: "FIRE_ALWAYS" });
    sessions.watermark(0);
    sessions.inject(1);
    sessions.watermark(100);
    expect(sessions.extract()).toEqual([{ value: [1], ts: 1, window: "[1, 11)", pane: pane(true, true, "ON_TIME", 0, 0) }]);
  });

  it("testCombiningAccumulatingEventTime: end-of-window and GC timers together mark the pane final", () => {
    const t = new Tester(strategy(FixedWindows.of(100), { trigger: Repeatedly.forever(AfterWatermark.pastEndOfWindow()), mode: "ACCUMULATING", lateness: 1, combiner: "EARLIEST" }), { combine: true });
    t.inject([2, 2], [5, 5]);
    t.watermark(1000);
    expect(t.extract()).toEqual([{ value: 7, ts: 2, window: "[0, 100)", pane: pane(true, true, "ON_TIME", 0, 0) }]);
  });

  it("testMergeBeforeFinalizing: sessions merge before the pane is produced", () => {
    const t = new Tester(strategy(Sessions.withGapDuration(10), { trigger: Never.ever(), lateness: 0, combiner: "EARLIEST" }));
    t.inject(1, 10); // [1, 11) and [10, 20) pre-merge to [1, 20)
    t.watermark(100);
    expect(t.extract()).toEqual([{ value: [1, 10], ts: 1, window: "[1, 20)", pane: pane(true, true, "ON_TIME", 0, 0) }]);
  });

  it("testPaneInfoAllStatesAfterWatermark: EARLY, an empty ON_TIME pane, an empty final LATE pane (FIRE_ALWAYS)", () => {
    const s = strategy(fixed10(), {
      trigger: Repeatedly.forever(AfterFirst.of(AfterPane.elementCountAtLeast(2), AfterWatermark.pastEndOfWindow())),
      lateness: 100,
      combiner: "EARLIEST",
    });
    const t = new Tester(s, { closing: "FIRE_ALWAYS" });
    t.watermark(0);
    t.inject(1, 2);
    expect(t.extract()).toEqual([{ value: [1, 2], ts: 1, window: "[0, 10)", pane: pane(true, false, "EARLY", 0, -1) }]);
    t.watermark(50);
    expect(t.extract()).toEqual([{ value: [], ts: 9, window: "[0, 10)", pane: pane(false, false, "ON_TIME", 1, 0) }]);
    t.watermark(150);
    expect(t.extract()).toEqual([{ value: [], ts: 9, window: "[0, 10)", pane: pane(false, true, "LATE", 2, 1) }]);
  });

  it("testPaneInfoAllStatesAfterWatermarkAccumulating: the same panes keep their contents", () => {
    const s = strategy(fixed10(), {
      trigger: Repeatedly.forever(AfterFirst.of(AfterPane.elementCountAtLeast(2), AfterWatermark.pastEndOfWindow())),
      mode: "ACCUMULATING",
      lateness: 100,
      combiner: "EARLIEST",
    });
    const t = new Tester(s, { closing: "FIRE_ALWAYS" });
    t.watermark(0);
    t.inject(1, 2);
    t.watermark(50);
    t.watermark(150);
    expect(t.extract()).toEqual([
      { value: [1, 2], ts: 1, window: "[0, 10)", pane: pane(true, false, "EARLY", 0, -1) },
      { value: [1, 2], ts: 9, window: "[0, 10)", pane: pane(false, false, "ON_TIME", 1, 0) },
      { value: [1, 2], ts: 9, window: "[0, 10)", pane: pane(false, true, "LATE", 2, 1) },
    ]);
  });

  it("noEmptyPanesFinalIfNonEmpty: no empty final pane with FIRE_IF_NON_EMPTY", () => {
    const s = strategy(fixed10(), {
      trigger: Repeatedly.forever(AfterFirst.of(AfterPane.elementCountAtLeast(2), AfterWatermark.pastEndOfWindow())),
      mode: "ACCUMULATING",
      lateness: 100,
      combiner: "EARLIEST",
    });
    const t = new Tester(s, { closing: "FIRE_IF_NON_EMPTY" });
    t.watermark(0);
    t.inject(1, 2);
    t.watermark(20);
    t.watermark(250);
    expect(t.extract().map((o) => [o.value, o.ts])).toEqual([
      [[1, 2], 1],
      [[1, 2], 9],
    ]);
  });

  it("testPaneInfoFinalAndOnTime: orFinally(AfterWatermark) makes the ON_TIME pane the last", () => {
    const s = strategy(fixed10(), {
      trigger: Repeatedly.forever(AfterPane.elementCountAtLeast(2)).orFinally(AfterWatermark.pastEndOfWindow()),
      lateness: 100,
    });
    const t = new Tester(s, { closing: "FIRE_ALWAYS" });
    t.watermark(0);
    t.inject(1, 2);
    expect(t.extract().map((o) => o.pane)).toEqual([pane(true, false, "EARLY", 0, -1)]);
    t.watermark(150);
    expect(t.extract().map((o) => o.pane)).toEqual([pane(false, true, "ON_TIME", 1, 0)]);
  });

  it("testProcessingTime: early by processing time, ON_TIME, late panes by processing time, the final pane", () => {
    const s = strategy(fixed10(), {
      trigger: AfterEach.inOrder(
        Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(5)).orFinally(AfterWatermark.pastEndOfWindow()),
        Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(25)),
      ),
      mode: "ACCUMULATING",
      lateness: 100,
      combiner: "EARLIEST",
    });
    const t = new Tester(s, { combine: true });
    t.watermark(0);
    t.processingTime(0);
    t.inject([1, 1], [1, 3], [1, 7], [1, 5]);
    t.processingTime(6);
    t.inject([1, 8], [1, 4]);
    t.watermark(11);
    t.inject([1, 8], [1, 4], [1, 5]);
    t.watermark(12);
    t.inject([1, 3]);
    t.processingTime(15);
    t.inject([1, 5]);
    t.processingTime(32);
    t.inject([1, 3]);
    t.watermark(125);
    expect(t.extract()).toEqual([
      { value: 4, ts: 1, window: "[0, 10)", pane: pane(true, false, "EARLY", 0, -1) },
      { value: 6, ts: 4, window: "[0, 10)", pane: pane(false, false, "ON_TIME", 1, 0) },
      { value: 11, ts: 9, window: "[0, 10)", pane: pane(false, false, "LATE", 2, 1) },
      { value: 12, ts: 9, window: "[0, 10)", pane: pane(false, true, "LATE", 3, 2) },
    ]);
  });

  it("testEmptyOnTimeFromOrFinally: an empty ON_TIME pane when orFinally waits for the watermark", () => {
    const s = strategy(fixed10(), {
      trigger: AfterEach.inOrder(
        Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(5)).orFinally(AfterWatermark.pastEndOfWindow()),
        Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(25)),
      ),
      mode: "ACCUMULATING",
      lateness: 100,
      combiner: "EARLIEST",
    });
    const t = new Tester(s, { combine: true });
    t.watermark(0);
    t.processingTime(0);
    t.inject([1, 1], [1, 3], [1, 7], [1, 5]);
    t.processingTime(6);
    t.watermark(11);
    expect(t.extract()).toEqual([
      { value: 4, ts: 1, window: "[0, 10)", pane: pane(true, false, "EARLY", 0, -1) },
      { value: 4, ts: 9, window: "[0, 10)", pane: pane(false, false, "ON_TIME", 1, 0) },
    ]);
  });

  it("testEmptyOnTimeWithOnTimeBehaviorFireIfNonEmpty: no empty ON_TIME pane; the final pane is LATE", () => {
    const s = strategy(fixed10(), {
      trigger: AfterEach.inOrder(
        Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(5)).orFinally(AfterWatermark.pastEndOfWindow()),
        Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(25)),
      ),
      mode: "ACCUMULATING",
      lateness: 100,
      combiner: "EARLIEST",
    });
    const t = new Tester(s, { combine: true, closing: "FIRE_ALWAYS", onTime: "FIRE_IF_NON_EMPTY" });
    t.watermark(0);
    t.processingTime(0);
    t.inject([1, 1], [1, 3], [1, 7], [1, 5]);
    t.processingTime(6);
    t.watermark(11);
    t.watermark(110);
    expect(t.extract()).toEqual([
      { value: 4, ts: 1, window: "[0, 10)", pane: pane(true, false, "EARLY", 0, -1) },
      { value: 4, ts: 9, window: "[0, 10)", pane: pane(false, true, "LATE", 1, 0) },
    ]);
  });

  it("fireNonEmptyOnDrainInGlobalWindow: count panes, then the rest ON_TIME when the watermark reaches the end of time", () => {
    const t = new Tester(strategy(new GlobalWindows(), { trigger: Repeatedly.forever(AfterPane.elementCountAtLeast(3)) }));
    t.watermark(0);
    for (let i = 0; i < 20; i++) t.inject(i);
    const early = t.extract();
    expect(early.map((o) => [o.pane.timing, o.pane.index, (o.value as number[]).length])).toEqual(
      Array.from({ length: 6 }, (_, i) => ["EARLY", i, 3]),
    );
    t.watermark(TIMESTAMP_MAX);
    const last = t.extract();
    expect(last).toEqual([{ value: [18, 19], ts: END_OF_GLOBAL_WINDOW, window: "GlobalWindow", pane: pane(false, true, "ON_TIME", 6, 0) }]);
  });

  it("testDropDataMultipleWindowsFinishedTrigger: data for closed windows is dropped and counted per window", () => {
    const t = new Tester(strategy(SlidingWindows.of(100).every(30), { trigger: AfterWatermark.pastEndOfWindow(), lateness: 1000 }), { combine: true });
    t.inject([10, 23], [12, 40]);
    expect(t.counter(DROPPED_DUE_TO_CLOSED_WINDOW)).toBe(0);
    t.watermark(70);
    t.inject([14, 60]); // [-30, 70) is closed by its trigger
    expect(t.counter(DROPPED_DUE_TO_CLOSED_WINDOW)).toBe(1);
    t.watermark(130);
    t.inject([16, 40]); // [-30, 70), [0, 100), [30, 130): all closed
    expect(t.counter(DROPPED_DUE_TO_CLOSED_WINDOW)).toBe(4);
  });
});

describe("early and late firings, discarding and accumulating", () => {
  const trigger = () => AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(2)).withLateFirings(AfterPane.elementCountAtLeast(1));
  const run = (mode: "DISCARDING" | "ACCUMULATING") => {
    const t = new Tester(strategy(fixed10(), { trigger: trigger(), mode, lateness: 100 }), { combine: true });
    t.inject([1, 1], [2, 2]); // early: two elements
    t.inject([3, 3]); // one more: no early pane yet
    t.watermark(10); // on time
    t.inject([4, 4]); // late, within the allowed lateness
    t.watermark(200); // garbage collection: nothing new, no final pane
    return t.extract().map((o) => [o.value, o.ts, o.pane.timing, o.pane.index, o.pane.nonSpeculativeIndex, o.pane.isFirst, o.pane.isLast]);
  };
  it("discarding: each pane has only what arrived since the last", () => {
    expect(run("DISCARDING")).toEqual([
      [3, 9, "EARLY", 0, -1, true, false],
      [3, 9, "ON_TIME", 1, 0, false, false],
      [4, 9, "LATE", 2, 1, false, false],
    ]);
  });
  it("accumulating: each pane has everything so far", () => {
    expect(run("ACCUMULATING")).toEqual([
      [3, 9, "EARLY", 0, -1, true, false],
      [6, 9, "ON_TIME", 1, 0, false, false],
      [10, 9, "LATE", 2, 1, false, false],
    ]);
  });
});

describe("late data", () => {
  it("data past the end of its window + allowed lateness is dropped and counted as droppedDueToLateness", () => {
    const t = new Tester(strategy(fixed10(), { lateness: 5 }));
    t.inject(1);
    t.watermark(12); // on time for [0, 10): fires; GC at 14
    t.inject(2); // late but within the lateness: a LATE pane
    t.watermark(15); // past GC
    t.inject(3, 4); // too late: dropped
    t.inject(25); // another window: kept
    t.watermark(TIMESTAMP_MAX);
    expect(t.counter(DROPPED_DUE_TO_LATENESS)).toBe(2);
    expect(t.extract().map((o) => [o.window, o.value, o.pane.timing])).toEqual([
      ["[0, 10)", [1], "ON_TIME"],
      ["[0, 10)", [2], "LATE"],
      ["[20, 30)", [25], "ON_TIME"],
    ]);
  });

  it("late data holds the output watermark at the garbage-collection time, on-time data at its element hold", () => {
    const late = AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(2));
    const t = new Tester(strategy(fixed10(), { trigger: late, lateness: 10, combiner: "EARLIEST" }));
    t.watermark(0);
    t.inject(3);
    expect(t.op.watermarkHold()).toBe(3);
    t.watermark(4);
    expect(t.op.outputWatermark).toBe(3);
    t.watermark(10); // ON_TIME pane, hold released
    expect(t.op.watermarkHold()).toBe(Infinity);
    expect(t.op.outputWatermark).toBe(10);
    t.inject(5); // behind the output watermark: a GC hold (the late trigger waits for a second element)
    expect(t.op.watermarkHold()).toBe(19);
    t.watermark(20); // garbage collection: the final pane
    expect(t.extract().map((o) => [o.value, o.ts, o.pane.timing])).toEqual([
      [[3], 3, "ON_TIME"],
      [[5], 9, "LATE"],
    ]);
    expect(t.op.keyCount).toBe(0); // state freed at window end + allowed lateness
  });
});

describe("the operator's watermark hold", () => {
  it("is the earliest hold over every key and window, released as windows fire", () => {
    const t = new Tester(strategy(fixed10(), { combiner: "EARLIEST" }));
    t.watermark(0);
    t.injectFor("a", 5);
    t.injectFor("b", 12);
    t.injectFor("a", 3);
    expect(t.op.watermarkHold()).toBe(3);
    t.watermark(10);
    expect(t.op.watermarkHold()).toBe(12);
    expect(t.op.outputWatermark).toBe(10);
    t.watermark(15);
    expect(t.op.outputWatermark).toBe(12);
    t.watermark(20);
    expect(t.op.watermarkHold()).toBe(Infinity);
    expect(t.op.outputWatermark).toBe(20);
    expect(t.extractKeyed().map((o) => [o.key, o.value, o.ts])).toEqual([
      ["a", [3, 5], 3],
      ["b", [12], 12],
    ]);
  });
});

describe("sessions", () => {
  it("merge under early firings: counts of the merged windows add up, the merged window fires early then on time", () => {
    const s = strategy(Sessions.withGapDuration(10), {
      trigger: AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(3)),
      mode: "ACCUMULATING",
    });
    const t = new Tester(s);
    t.watermark(0);
    t.inject(1); // [1, 11)
    t.inject(15); // [15, 25)
    expect(t.extract()).toEqual([]);
    t.inject(8); // [8, 18) joins them: [1, 25) with three elements
    expect(t.extract()).toEqual([{ value: [1, 8, 15], ts: 24, window: "[1, 25)", pane: pane(true, false, "EARLY", 0, -1) }]);
    t.inject(30); // a session of its own
    t.watermark(100);
    expect(t.extract()).toEqual([
      { value: [1, 8, 15], ts: 24, window: "[1, 25)", pane: pane(false, true, "ON_TIME", 1, 0) },
      { value: [30], ts: 39, window: "[30, 40)", pane: pane(true, true, "ON_TIME", 0, 0) },
    ]);
    expect(t.op.keyCount).toBe(0);
  });

  it("testMergingWithClosedDoesNotPoison / testMergingWithReusedWindow: a closed session does not close what it merges into; data for it alone is dropped", () => {
    const t = new Tester(strategy(Sessions.withGapDuration(10), { trigger: AfterPane.elementCountAtLeast(1), lateness: 50, combiner: "EARLIEST" }));
    t.inject(2); // [2, 12) fires and closes
    t.inject(1, 2, 3); // [1, 11), [2, 12), [3, 13) merge into [1, 13): a new, open session
    t.inject(2); // [2, 12) alone: still closed until its garbage collection
    t.watermark(100);
    expect(t.extract()).toEqual([
      { value: [2], ts: 2, window: "[2, 12)", pane: pane(true, true, "EARLY", 0, -1) },
      { value: [1, 2, 3], ts: 1, window: "[1, 13)", pane: pane(true, true, "EARLY", 0, -1) },
    ]);
    expect(t.counter(DROPPED_DUE_TO_CLOSED_WINDOW)).toBe(1);
    expect(t.op.keyCount).toBe(0);
  });

  it("merge with EARLIEST and LATEST timestamp combiners: the merged hold combines", () => {
    for (const [combiner, ts] of [["EARLIEST", 2], ["LATEST", 10]] as const) {
      const t = new Tester(strategy(Sessions.withGapDuration(5), { combiner }));
      t.inject(2);
      t.inject(6, 10);
      t.watermark(TIMESTAMP_MAX);
      expect(t.extract()).toEqual([{ value: [2, 6, 10], ts, window: "[2, 15)", pane: pane(true, true, "ON_TIME", 0, 0) }]);
    }
  });
});

describe("bounded input: the default trigger with the watermark at +∞", () => {
  it("one ON_TIME pane per key and window, timestamps per the combiner", () => {
    for (const [combiner, ts] of [["END_OF_WINDOW", 9], ["EARLIEST", 1], ["LATEST", 7]] as const) {
      const t = new Tester(strategy(fixed10(), { combiner }));
      t.injectFor("a", 1, 7, 12);
      t.injectFor("b", 5);
      t.watermark(Infinity);
      const out = t.extractKeyed().map((o) => [o.key, o.window, o.value, o.ts, o.pane]);
      expect(out.sort()).toEqual(
        [
          ["a", "[0, 10)", [1, 7], ts, pane(true, true, "ON_TIME", 0, 0)],
          ["a", "[10, 20)", [12], combiner === "END_OF_WINDOW" ? 19 : 12, pane(true, true, "ON_TIME", 0, 0)],
          ["b", "[0, 10)", [5], combiner === "END_OF_WINDOW" ? 9 : 5, pane(true, true, "ON_TIME", 0, 0)],
        ].sort(),
      );
      expect(t.op.keyCount).toBe(0);
      t.op.resetClock();
      t.injectFor("c", 3);
      t.watermark(Infinity);
      expect(t.extractKeyed().map((o) => [o.key, o.value])).toEqual([["c", [3]]]);
    }
  });

  it("the clock is reset only once no state is left", () => {
    const t = new Tester(strategy(fixed10()));
    t.inject(1);
    expect(() => t.op.resetClock()).toThrow(/state still held for 1 key/);
    expect(() => t.watermark(-Infinity)).toThrow(/cannot move back/);
  });
});
