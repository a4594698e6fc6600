/**
 * The group-also-by-window operator under the local runner's GroupByKey, over bounded input
 * (each key's input complete, then the watermark at +∞): triggers are honoured with Beam's
 * semantics, and a Combine.perKey under a trigger that fires more than once is not lifted.
 */
import { describe, expect, it } from "vitest";
import {
  AfterPane, AfterWatermark, Count, Create, Duration, FixedWindows, GroupByKey, IntervalWindow, KV, PAssert, ParDo, Pipeline, Repeatedly,
  TimestampedValue, Window, type ProcessContext,
} from "../../../../src/index.js";
import type { Pipeline as P } from "../../../../src/index.js";
import { combineLifting } from "../../../../src/runners/harness/executable_transforms.js";

/** The pipeline's Combine.perKey node. */
const liftedCombine = (p: P) => Object.values(p.toJSON().transforms).find((t) => t.urn === "beam:transform:combine_per_key:v1")!;

const pipeline = () => Pipeline.create({ runner: "direct", inProcess: true } as never);
const events = (p: Pipeline) =>
  p.apply(Create.timestamped(TimestampedValue.of(KV.of("a", 1), 1000), TimestampedValue.of(KV.of("a", 2), 2000), TimestampedValue.of(KV.of("b", 3), 3000)));
const describePane = (kv: KV<string, number[] | number>, c: ProcessContext<unknown, string>) => {
  const w = c.window() as IntervalWindow;
  const p = c.pane();
  const v = Array.isArray(kv.value) ? [...kv.value].sort().join(",") : String(kv.value);
  c.output(`${kv.key}@${w.start}-${w.end}:${v}@${c.timestamp()}:${p.timing}#${p.index}${p.isFirst ? ",first" : ""}${p.isLast ? ",last" : ""}`);
};

describe("the local runner's GroupByKey runs the group-also-by-window operator", () => {
  it("early firings in batch: the key's bundle fires an EARLY pane, the end of input the ON_TIME pane (accumulating)", async () => {
    const p = pipeline();
    const grouped = events(p)
      .apply(
        Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10)))
          .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(2)))
          .accumulatingFiredPanes(),
      )
      .apply(GroupByKey.create<string, number>());
    PAssert.that(grouped.apply(ParDo.of(describePane as never))).containsInAnyOrder(
      "a@0-10000:1,2@9999:EARLY#0,first",
      "a@0-10000:1,2@9999:ON_TIME#1,last",
      "b@0-10000:3@9999:ON_TIME#0,first,last",
    );
    await p.run().waitUntilFinish();
  });

  it("the default trigger with allowed lateness: the watermark leaps past the window's end and its lateness at once, so one final ON_TIME pane", async () => {
    const p = pipeline();
    const grouped = events(p)
      .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).withAllowedLateness(Duration.seconds(5)))
      .apply(GroupByKey.create<string, number>());
    PAssert.that(grouped.apply(ParDo.of(describePane as never))).containsInAnyOrder("a@0-10000:1,2@9999:ON_TIME#0,first,last", "b@0-10000:3@9999:ON_TIME#0,first,last");
    await p.run().waitUntilFinish();
  });

  it("a Combine.perKey is lifted under a trigger that fires once per window; under one that fires more it runs by its parts and every pane comes out", async () => {
    const once = pipeline();
    const counted = events(once)
      .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).triggering(AfterWatermark.pastEndOfWindow()))
      .apply(Count.perKey<string, number>());
    PAssert.that(counted.apply(ParDo.of(describePane as never))).containsInAnyOrder("a@0-10000:2@9999:ON_TIME#0,first,last", "b@0-10000:1@9999:ON_TIME#0,first,last");
    await once.run().waitUntilFinish();
    expect(combineLifting(once.toJSON(), liftedCombine(once)).lifted).toBe(true);

    const more = pipeline();
    const each = events(more)
      .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(2))).discardingFiredPanes())
      .apply("CountEach", Count.perKey<string, number>());
    // a: two elements fire a pane of 2; at the window's end the ON_TIME pane fires always (Beam's
    // default OnTimeBehavior), here empty: a count of 0. b's one element comes out at the end.
    PAssert.that(each.apply(ParDo.of(describePane as never))).containsInAnyOrder(
      "a@0-10000:2@9999:EARLY#0,first",
      "a@0-10000:0@9999:ON_TIME#1,last",
      "b@0-10000:1@9999:ON_TIME#0,first,last",
    );
    const lifting = combineLifting(more.toJSON(), liftedCombine(more));
    expect(lifting).toMatchObject({ lifted: false });
    expect(lifting.reason).toMatch(/Repeatedly\.forever\(AfterPane\.elementCountAtLeast\(2\)\).*more than one pane/);
    await more.run().waitUntilFinish();
  });
});
