/**
 * Each trigger kind on its own, through the operator (one key, fixed windows of 10 ms or the
 * global window, discarding unless said): which panes come out, when, with what in them.
 */
import { describe, expect, it } from "vitest";
import { DROPPED_DUE_TO_CLOSED_WINDOW } from "../../../../src/runners/harness/gabw/group_also_by_window.js";
import { ExecutableTrigger } from "../../../../src/runners/harness/gabw/triggers.js";
import { TIMESTAMP_MAX } from "../../../../src/sdk/values/time.js";
import { FixedWindows } from "../../../../src/sdk/windowing/fixed_windows.js";
import { GlobalWindows } from "../../../../src/sdk/windowing/global_windows.js";
import {
  AfterAll,
  AfterEach,
  AfterFirst,
  AfterPane,
  AfterProcessingTime,
  AfterSynchronizedProcessingTime,
  AfterWatermark,
  Always,
  Never,
  Repeatedly,
} from "../../../../src/sdk/windowing/triggers.js";
import { strategy, Tester } from "./tester.js";

const panes = (t: Tester) => t.extract().map((o) => [o.value, o.pane.timing, o.pane.index, o.pane.isLast]);

describe("each trigger kind on its own", () => {
  it("elementCount (once): fires at n elements, then the window is closed and later data dropped", () => {
    const t = new Tester(strategy(new GlobalWindows(), { trigger: AfterPane.elementCountAtLeast(2) }));
    t.inject(1);
    expect(panes(t)).toEqual([]);
    t.inject(2);
    expect(panes(t)).toEqual([[[1, 2], "EARLY", 0, true]]);
    t.inject(3);
    t.watermark(TIMESTAMP_MAX);
    expect(panes(t)).toEqual([]);
    expect(t.counter(DROPPED_DUE_TO_CLOSED_WINDOW)).toBe(1);
  });

  it("elementCount counts a bundle as a whole: one pane for a bundle past the count", () => {
    const t = new Tester(strategy(new GlobalWindows(), { trigger: Repeatedly.forever(AfterPane.elementCountAtLeast(2)) }));
    t.inject(1, 2, 3);
    expect(panes(t)).toEqual([[[1, 2, 3], "EARLY", 0, false]]);
  });

  it("repeat: fires every n elements; the rest comes out ON_TIME at the end of the window", () => {
    const t = new Tester(strategy(FixedWindows.of(10), { trigger: Repeatedly.forever(AfterPane.elementCountAtLeast(2)) }));
    for (const v of [1, 2, 3, 4, 5]) t.inject(v);
    t.watermark(10);
    expect(panes(t)).toEqual([
      [[1, 2], "EARLY", 0, false],
      [[3, 4], "EARLY", 1, false],
      [[5], "ON_TIME", 2, true],
    ]);
  });

  it("always: a pane per bundle", () => {
    const t = new Tester(strategy(FixedWindows.of(10), { trigger: Always.of() }));
    t.inject(1);
    t.inject(2, 3);
    expect(panes(t)).toEqual([
      [[1], "EARLY", 0, false],
      [[2, 3], "EARLY", 1, false],
    ]);
  });

  it("never: only the final pane at the end of the window", () => {
    const t = new Tester(strategy(FixedWindows.of(10), { trigger: Never.ever() }));
    t.inject(1);
    t.inject(2);
    t.watermark(9);
    expect(panes(t)).toEqual([]);
    t.watermark(10);
    expect(panes(t)).toEqual([[[1, 2], "ON_TIME", 0, true]]);
  });

  it("afterEndOfWindow: one ON_TIME pane when the watermark passes the end; closed after", () => {
    const t = new Tester(strategy(FixedWindows.of(10), { trigger: AfterWatermark.pastEndOfWindow(), lateness: 50 }));
    t.inject(1, 2);
    t.watermark(10);
    t.inject(3);
    t.watermark(100);
    expect(panes(t)).toEqual([[[1, 2], "ON_TIME", 0, true]]);
    expect(t.counter(DROPPED_DUE_TO_CLOSED_WINDOW)).toBe(1);
  });

  it("afterProcessingTime with a delay: fires once processing time passes the first element's arrival + delay", () => {
    const t = new Tester(strategy(FixedWindows.of(10), { trigger: Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(10)) }));
    t.processingTime(100);
    t.inject(1);
    t.processingTime(105);
    t.inject(2);
    t.processingTime(110); // not past 110 yet
    expect(panes(t)).toEqual([]);
    t.processingTime(111);
    expect(panes(t)).toEqual([[[1, 2], "EARLY", 0, false]]);
    t.inject(3); // arrives at 111: waits until 121
    t.processingTime(121);
    expect(panes(t)).toEqual([]);
    t.processingTime(122);
    expect(panes(t)).toEqual([[[3], "EARLY", 1, false]]);
  });

  it("afterProcessingTime aligned to a period: waits until the next multiple of the period after the offset", () => {
    const t = new Tester(strategy(new GlobalWindows(), { trigger: AfterProcessingTime.pastFirstElementInPane().alignedTo(100, 30) }));
    t.processingTime(141);
    t.inject(1);
    expect(t.op.nextTimer("PROCESSING_TIME")).toBe(230);
    t.processingTime(230);
    expect(panes(t)).toEqual([]);
    t.processingTime(231);
    expect(panes(t)).toEqual([[[1], "EARLY", 0, true]]);
  });

  it("afterSynchronizedProcessingTime: fires once processing time has passed the first element's arrival", () => {
    const t = new Tester(strategy(new GlobalWindows(), { trigger: AfterSynchronizedProcessingTime.ofFirstElement() }));
    t.processingTime(5);
    t.inject(1);
    t.processingTime(6);
    expect(panes(t)).toEqual([[[1], "EARLY", 0, true]]);
  });

  it("afterEach: the first subtrigger, then the next; finishes with the last", () => {
    const t = new Tester(strategy(new GlobalWindows(), { trigger: AfterEach.inOrder(AfterPane.elementCountAtLeast(2), AfterPane.elementCountAtLeast(3)) }));
    for (const v of [1, 2, 3, 4, 5, 6]) t.inject(v);
    expect(panes(t)).toEqual([
      [[1, 2], "EARLY", 0, false],
      [[3, 4, 5], "EARLY", 1, true],
    ]);
    expect(t.counter(DROPPED_DUE_TO_CLOSED_WINDOW)).toBe(1);
  });

  it("afterAll: fires once every subtrigger is ready", () => {
    const t = new Tester(strategy(new GlobalWindows(), { trigger: AfterAll.of(AfterPane.elementCountAtLeast(2), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(10)) }));
    t.processingTime(0);
    t.inject(1);
    t.processingTime(11); // time is ready, the count is not
    expect(panes(t)).toEqual([]);
    t.inject(2);
    expect(panes(t)).toEqual([[[1, 2], "EARLY", 0, true]]);
  });

  it("afterAny (AfterFirst): fires once any subtrigger is ready", () => {
    const t = new Tester(strategy(new GlobalWindows(), { trigger: AfterFirst.of(AfterPane.elementCountAtLeast(3), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(10)) }));
    t.processingTime(0);
    t.inject(1);
    t.inject(2);
    t.processingTime(11);
    expect(panes(t)).toEqual([[[1, 2], "EARLY", 0, true]]);
  });

  it("orFinally: fires as the main trigger, one last time when the finally trigger fires", () => {
    const t = new Tester(strategy(new GlobalWindows(), { trigger: Repeatedly.forever(AfterPane.elementCountAtLeast(2)).orFinally(AfterPane.elementCountAtLeast(3)) }));
    for (const v of [1, 2, 3, 4]) t.inject(v);
    expect(panes(t)).toEqual([
      [[1, 2], "EARLY", 0, false],
      [[3], "EARLY", 1, true],
    ]);
    expect(t.counter(DROPPED_DUE_TO_CLOSED_WINDOW)).toBe(1);
  });

  it("afterEndOfWindow with early and late firings, each repeating", () => {
    const trigger = AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(1)).withLateFirings(AfterPane.elementCountAtLeast(1));
    const t = new Tester(strategy(FixedWindows.of(10), { trigger, lateness: 100 }));
    t.inject(1);
    t.inject(2);
    t.watermark(10);
    t.inject(3);
    t.inject(4);
    expect(panes(t)).toEqual([
      [[1], "EARLY", 0, false],
      [[2], "EARLY", 1, false],
      [[], "ON_TIME", 2, false], // empty, but an ON_TIME pane is always emitted (OnTimeBehavior FIRE_ALWAYS)
      [[3], "LATE", 3, false],
      [[4], "LATE", 4, false],
    ]);
  });

  it("a trigger spec of unknown kind is refused naming the transform", () => {
    expect(() => ExecutableTrigger.of({ kind: "sometimes" } as never, "Words/GroupByKey")).toThrow(/Words\/GroupByKey: unknown trigger kind 'sometimes'/);
  });

  it("the tree is numbered in pre-order and describes itself", () => {
    const e = ExecutableTrigger.of(Repeatedly.forever(AfterFirst.of(AfterPane.elementCountAtLeast(2), AfterWatermark.pastEndOfWindow())).toSpec());
    expect(e.size).toBe(4);
    expect(e.toString()).toBe("Repeatedly.forever(AfterFirst.of(AfterPane.elementCountAtLeast(2), AfterWatermark.pastEndOfWindow()))");
  });
});
