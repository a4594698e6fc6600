/**
 * Issue 12, point 7: time. A timestamp past TIMESTAMP_MAX (or before TIMESTAMP_MIN), ±Infinity
 * or NaN is an error at the transform that made it (WithTimestamps, outputWithTimestamp,
 * Create.timestamped), naming the element; a fractional millisecond timestamp is floored to
 * integer milliseconds where it enters (Beam's Instant is integer millis; the InstantCoder
 * already floors, so the windows the runner computes agree with what a coder carries).
 */
import { describe, expect, it } from "vitest";
import {
  Create, DoFn, Duration, FixedWindows, GroupByKey, KV, ParDo, Pipeline, SlidingWindows, TIMESTAMP_MAX, TIMESTAMP_MIN,
  TimestampedValue, TransformApplicationError, Window, WithTimestamps, type ProcessContext,
} from "../../../src/index.js";
import { collectWindowed } from "../../../src/display/interactive/calls.js";
import { failure, lineFinder, thrown } from "../../support/runs.js";

const lineOf = lineFinder(import.meta.url);
const opts = { inProcess: true };

class ShiftFn extends DoFn<number, number> {
  constructor(readonly to: number) { super(); }
  processElement(c: ProcessContext<number, number>) {
    c.outputWithTimestamp(c.element(), this.to); // OUTPUT-HERE
  }
}

describe("invalid timestamps fail at the transform that made them, naming the element", () => {
  const bad: Array<[string, number, RegExp]> = [
    ["past the maximum", TIMESTAMP_MAX + 2 ** 40, /past the maximum timestamp/],
    ["before the minimum", TIMESTAMP_MIN - 2 ** 40, /before the minimum timestamp/],
    ["Infinity", Infinity, /Infinity is not a valid timestamp/],
    ["-Infinity", -Infinity, /-Infinity is not a valid timestamp/],
    ["NaN", NaN, /NaN is not a valid timestamp/],
  ];

  for (const [what, t, message] of bad) {
    it(`WithTimestamps returning ${what}`, async () => {
      const p = Pipeline.create(opts);
      p.apply("Nums", Create.of(7))
        .apply("Stamp", WithTimestamps.of((_: number) => t))
        .apply("Win", Window.into(FixedWindows.of(Duration.seconds(10))))
        .apply("Key", ParDo.of((n: number, c: ProcessContext<number, KV<string, number>>) => c.output(KV.of("k", n))))
        .apply("Group", GroupByKey.create());
      const err = await failure(p.run());
      expect(err.message).toContain("Error in transform 'Stamp");
      expect(err.message).toContain("while processing element 7");
      expect(err.message).toMatch(message);
      expect(err.message).not.toMatch(/'(Win|Key|Group)/);
    });

    it(`outputWithTimestamp(${what})`, async () => {
      const p = Pipeline.create(opts);
      p.apply("Nums", Create.of(7)).apply("Shift", ParDo.of(new ShiftFn(t))).apply("Win", Window.into(FixedWindows.of(Duration.seconds(10))));
      const err = await failure(p.run());
      expect(err.message).toContain("Error in transform 'Shift'");
      expect(err.message).toContain("while processing element 7");
      expect(err.message).toMatch(message);
      expect(err.message).toContain(`timestamps.test.ts:${lineOf("OUTPUT-HERE")}`);
    });

    it(`Create.timestamped with ${what}: refused when applied, naming the transform and the element`, () => {
      const p = Pipeline.create(opts);
      const err = thrown(() => p.apply("Events", Create.timestamped(TimestampedValue.of("a", 0), TimestampedValue.of("late", t))));
      expect(err).toBeInstanceOf(TransformApplicationError);
      expect(err.message).toContain("Events");
      expect(err.message).toContain("element 1 (\"late\")");
      expect(err.message).toMatch(message);
    });
  }

  it("TIMESTAMP_MIN and TIMESTAMP_MAX themselves are valid", async () => {
    const p = Pipeline.create(opts);
    const pc = p.apply(Create.timestamped(TimestampedValue.of("lo", TIMESTAMP_MIN), TimestampedValue.of("hi", TIMESTAMP_MAX)));
    const out = await collectWindowed(pc);
    expect(out.elements.map((e) => e.timestamp).sort((a, b) => a - b)).toEqual([TIMESTAMP_MIN, TIMESTAMP_MAX]);
  });
});

describe("fractional millisecond timestamps are floored to integer milliseconds where they enter", () => {
  const windowsOf = async (make: (p: Pipeline) => ReturnType<Pipeline["apply"]>) => {
    const p = Pipeline.create(opts);
    const pc = (make(p) as never as { apply: Function }).apply("Win", Window.into(FixedWindows.of(Duration.seconds(10))));
    const out = await collectWindowed(pc as never);
    return out.elements
      .map((e) => ({ v: e.value, t: e.timestamp, w: e.windows.map((w) => `[${(w as { start: number }).start}, ${(w as { end: number }).end})`) }))
      .sort((a, b) => String(a.v).localeCompare(String(b.v)));
  };

  it("WithTimestamps: 0.3 → 0, 9999.9 → 9999, -0.5 → -1 (windows [0, 10000) and [-10000, 0))", async () => {
    const got = await windowsOf((p) => p.apply(Create.of(0.1 + 0.2, 9999.9, -0.5)).apply(WithTimestamps.of((x: number) => x)));
    expect(got).toEqual([
      { v: -0.5, t: -1, w: ["[-10000, 0)"] },
      { v: 0.1 + 0.2, t: 0, w: ["[0, 10000)"] },
      { v: 9999.9, t: 9999, w: ["[0, 10000)"] },
    ]);
  });

  it("outputWithTimestamp and Create.timestamped", async () => {
    expect(await windowsOf((p) => p.apply(Create.of(1)).apply(ParDo.of(new ShiftFn(0.1 + 0.2))))).toEqual([{ v: 1, t: 0, w: ["[0, 10000)"] }]);
    expect(await windowsOf((p) => p.apply(Create.timestamped(TimestampedValue.of("a", 0.1 + 0.2), TimestampedValue.of("b", 19999.5))))).toEqual([
      { v: "a", t: 0, w: ["[0, 10000)"] },
      { v: "b", t: 19999, w: ["[10000, 20000)"] },
    ]);
  });

  it("sliding windows agree", async () => {
    const p = Pipeline.create(opts);
    const pc = p.apply(Create.of(4999.5)).apply(WithTimestamps.of((x: number) => x)).apply(Window.into(SlidingWindows.of(Duration.seconds(10)).every(Duration.seconds(5))));
    const out = await collectWindowed(pc);
    expect(out.elements[0]!.windows.map((w) => `[${(w as { start: number }).start}, ${(w as { end: number }).end})`).sort()).toEqual(["[-5000, 5000)", "[0, 10000)"]);
  });
});
