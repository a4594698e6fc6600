import {
  Count, Create, Duration, FixedWindows, GroupByKey, KV, MapElements, PAssert, ParDo, Sessions, SlidingWindows,
  Sum, TimestampedValue, Window, WithTimestamps, View, type IntervalWindow, type ProcessContext,
} from "../../../src/index.js";
import type { PipelineCase } from "../harness.js";

const t = (s: number) => s * 1000;
const describeWindow = (kv: KV<string, number>, c: ProcessContext<KV<string, number>, string>) => {
  const w = c.window() as IntervalWindow;
  c.output(`${kv.key}@${w.start / 1000}-${w.end / 1000}=${kv.value}`);
};

export const windowingCases: PipelineCase[] = [
  {
    name: "fixed windows: Count.perElement per window, timestamps at the end of the window",
    build(p) {
      const events = p.apply(Create.timestamped(
        TimestampedValue.of("a", t(1)), TimestampedValue.of("a", t(2)), TimestampedValue.of("a", t(11)), TimestampedValue.of("b", t(12)),
      ));
      const counts = events.apply(Window.into(FixedWindows.of(Duration.seconds(10)))).apply(Count.perElement());
      PAssert.that(counts.apply(ParDo.of(describeWindow))).containsInAnyOrder("a@0-10=2", "a@10-20=1", "b@10-20=1");
      PAssert.that(counts.apply("Ts", ParDo.of((kv: KV<string, number>, c: ProcessContext<KV<string, number>, number>) => c.output(c.timestamp())))).containsInAnyOrder(t(10) - 1, t(20) - 1, t(20) - 1);
    },
  },
  {
    name: "sliding windows put an element in several windows",
    build(p) {
      const events = p.apply(Create.timestamped(TimestampedValue.of("x", t(5))));
      const counts = events.apply(Window.into(SlidingWindows.of(Duration.seconds(10)).every(Duration.seconds(5)))).apply(Count.perElement());
      PAssert.that(counts.apply(ParDo.of(describeWindow))).containsInAnyOrder("x@0-10=1", "x@5-15=1");
    },
  },
  {
    name: "session windows merge per key (GroupByKey and Combine)",
    build(p) {
      const events = p.apply(Create.of(KV.of("u1", 1), KV.of("u1", 3), KV.of("u1", 20), KV.of("u2", 2)))
        .apply(WithTimestamps.of((kv: KV<string, number>) => t(kv.value)))
        .apply(Window.into(Sessions.withGapDuration(Duration.seconds(5))));
      PAssert.that(events.apply(Sum.integersPerKey()).apply(ParDo.of(describeWindow))).containsInAnyOrder("u1@1-8=4", "u1@20-25=20", "u2@2-7=2");
      const grouped = events.apply(GroupByKey.create<string, number>()).apply(MapElements.via((kv: KV<string, number[]>) => `${kv.key}:${kv.value.length}`));
      PAssert.that(grouped).containsInAnyOrder("u1:2", "u1:1", "u2:1");
    },
  },
  {
    name: "side inputs are read in the matching window",
    build(p) {
      const side = p.apply("Side", Create.timestamped(TimestampedValue.of(100, t(1)), TimestampedValue.of(200, t(11))))
        .apply("WindowSide", Window.into(FixedWindows.of(Duration.seconds(10))))
        .apply(View.asSingleton<number>());
      const main = p.apply("Main", Create.timestamped(TimestampedValue.of("a", t(3)), TimestampedValue.of("b", t(15))))
        .apply("WindowMain", Window.into(FixedWindows.of(Duration.seconds(10))));
      const out = main.apply(ParDo.of((s: string, c: ProcessContext<string, string>) => c.output(`${s}${c.sideInput(side)}`)).withSideInputs(side));
      PAssert.that(out).containsInAnyOrder("a100", "b200");
    },
  },
];
