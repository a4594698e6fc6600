/**
 * Windows in batch: Fixed, Sliding, Sessions and Global with GroupByKey and Combine per
 * window; the timestamps of grouped outputs (end of window); window-aware side inputs;
 * c.window() / c.timestamp() / c.pane() as a DoFn sees them.
 */
import {
  Count, Create, Duration, END_OF_GLOBAL_WINDOW, FixedWindows, GlobalWindow, GlobalWindows, GroupByKey, IntervalWindow, KV,
  MapElements, Mean, PAssert, ParDo, Sessions, SlidingWindows, Sum, TIMESTAMP_MIN, TimestampedValue, Top, Values, View, Window,
  WithTimestamps, type BoundedWindow, type ProcessContext,
} from "../../../src/index.js";
import type { PipelineCase } from "../harness.js";

const s = (sec: number) => sec * 1000;
const win = (w: BoundedWindow) => (w instanceof IntervalWindow ? `${w.start / 1000}-${w.end / 1000}` : w instanceof GlobalWindow ? "global" : `?${String(w)}`);
const paneOf = (c: ProcessContext<unknown, unknown>) => {
  const pane = c.pane();
  return `${pane.timing}${pane.isFirst ? ",first" : ""}${pane.isLast ? ",last" : ""}`;
};
/** key@window:sorted values@timestamp:pane, for grouped outputs. */
const describeGroup = (kv: KV<string, number[]>, c: ProcessContext<KV<string, number[]>, string>) =>
  c.output(`${kv.key}@${win(c.window())}:${[...kv.value].sort((a, b) => a - b).join(",")}@${c.timestamp()}:${paneOf(c as never)}`);
const describeKV = (kv: KV<string, number>, c: ProcessContext<KV<string, number>, string>) =>
  c.output(`${kv.key}@${win(c.window())}=${kv.value}@${c.timestamp()}`);
const describeValue = (v: number, c: ProcessContext<number, string>) => c.output(`${win(c.window())}=${v}@${c.timestamp()}`);

export const windowedCases: PipelineCase[] = [
  {
    name: "fixed windows: GroupByKey per key and window; outputs at the end of their window, one ON_TIME pane",
    build(p) {
      const grouped = p
        .apply(Create.timestamped(
          TimestampedValue.of(KV.of("a", 1), s(1)), TimestampedValue.of(KV.of("a", 2), s(9.999)), TimestampedValue.of(KV.of("a", 3), s(10)),
          TimestampedValue.of(KV.of("b", 4), s(12)),
        ))
        .apply(Window.into(FixedWindows.of(Duration.seconds(10))))
        .apply(GroupByKey.create<string, number>());
      PAssert.that(grouped.apply(ParDo.of(describeGroup))).containsInAnyOrder(
        "a@0-10:1,2@9999:ON_TIME,first,last",
        "a@10-20:3@19999:ON_TIME,first,last",
        "b@10-20:4@19999:ON_TIME,first,last",
      );
    },
  },
  {
    name: "sliding windows: Sum per key and Sum.globally().withoutDefaults() per window, Mean and Top per key",
    build(p) {
      const events = p
        .apply(Create.of(KV.of("k", 1), KV.of("k", 6), KV.of("k", 12)))
        .apply(WithTimestamps.of((kv: KV<string, number>) => s(kv.value)))
        .apply(Window.into(SlidingWindows.of(Duration.seconds(10)).every(Duration.seconds(5))));
      PAssert.that(events.apply(Sum.integersPerKey<string>()).apply("ShowSums", ParDo.of(describeKV))).containsInAnyOrder(
        "k@-5-5=1@4999", "k@0-10=7@9999", "k@5-15=18@14999", "k@10-20=12@19999",
      );
      PAssert.that(events.apply(Values.create<number>()).apply(Sum.integersGlobally().withoutDefaults()).apply("ShowTotals", ParDo.of(describeValue)))
        .containsInAnyOrder("-5-5=1@4999", "0-10=7@9999", "5-15=18@14999", "10-20=12@19999");
      PAssert.that(events.apply(Mean.perKey<string>()).apply("ShowMeans", ParDo.of(describeKV))).containsInAnyOrder(
        "k@-5-5=1@4999", "k@0-10=3.5@9999", "k@5-15=9@14999", "k@10-20=12@19999",
      );
      PAssert.that(events.apply(Top.largestPerKey<string, number>(1)).apply("ShowTop", MapElements.via((kv: KV<string, number[]>) => kv.value[0]!)))
        .containsInAnyOrder(1, 6, 12, 12);
    },
  },
  {
    name: "session windows: per-key sessions for GroupByKey, key-less sessions for Combine.globally; timestamps at the session's end",
    build(p) {
      const events = p
        .apply(Create.of(KV.of("u1", 1), KV.of("u1", 3), KV.of("u1", 20), KV.of("u2", 2)))
        .apply(WithTimestamps.of((kv: KV<string, number>) => s(kv.value)))
        .apply(Window.into(Sessions.withGapDuration(Duration.seconds(5))));
      PAssert.that(events.apply(GroupByKey.create<string, number>()).apply(ParDo.of(describeGroup))).containsInAnyOrder(
        "u1@1-8:1,3@7999:ON_TIME,first,last",
        "u1@20-25:20@24999:ON_TIME,first,last",
        "u2@2-7:2@6999:ON_TIME,first,last",
      );
      PAssert.that(events.apply(Values.create<number>()).apply(Sum.integersGlobally().withoutDefaults()).apply("ShowTotals", ParDo.of(describeValue)))
        .containsInAnyOrder("1-8=6@7999", "20-25=20@24999");
      PAssert.that(events.apply(Count.perKey<string, number>()).apply("ShowCounts", ParDo.of(describeKV)))
        .containsInAnyOrder("u1@1-8=2@7999", "u1@20-25=1@24999", "u2@2-7=1@6999");
    },
  },
  {
    name: "back into the global window: a second GroupByKey sees every window's output as one group",
    build(p) {
      const perWindow = p
        .apply(Create.timestamped(TimestampedValue.of(KV.of("a", 1), s(1)), TimestampedValue.of(KV.of("a", 2), s(15)), TimestampedValue.of(KV.of("a", 3), s(16))))
        .apply(Window.into(FixedWindows.of(Duration.seconds(10))))
        .apply(Sum.integersPerKey<string>());
      const regrouped = perWindow.apply("Global", Window.into(new GlobalWindows())).apply("Regroup", GroupByKey.create<string, number>());
      PAssert.that(regrouped.apply(ParDo.of((kv: KV<string, number[]>, c: ProcessContext<KV<string, number[]>, string>) =>
        c.output(`${kv.key}@${win(c.window())}:${[...kv.value].sort((a, b) => a - b).join(",")}:${c.timestamp() === END_OF_GLOBAL_WINDOW}:${paneOf(c as never)}`))))
        .containsInAnyOrder("a@global:1,5:true:ON_TIME,first,last");
    },
  },
  {
    name: "side inputs are read in the window that matches each main-input window (sliding main, fixed side, global side)",
    build(p) {
      const fixedSide = p
        .apply("Side", Create.timestamped(TimestampedValue.of(1, s(1)), TimestampedValue.of(2, s(2)), TimestampedValue.of(15, s(15))))
        .apply("WindowSide", Window.into(FixedWindows.of(Duration.seconds(10))))
        .apply(View.asIterable<number>());
      const globalSide = p.apply("Global", Create.of(100)).apply(View.asSingleton<number>());
      const main = p
        .apply("Main", Create.timestamped(TimestampedValue.of("m", s(7))))
        .apply("WindowMain", Window.into(SlidingWindows.of(Duration.seconds(10)).every(Duration.seconds(5))));
      const out = main.apply("Read", ParDo.of((e: string, c: ProcessContext<string, string>) => {
        const sum = [...c.sideInput(fixedSide)].reduce((a, b) => a + b, 0);
        c.output(`${e}@${win(c.window())}:${sum}:${c.sideInput(globalSide)}`);
      }).withSideInputs(fixedSide, globalSide));
      // [0,10) reads the side's [0,10); [5,15) ends at 14.999 s, which is in the side's [10,20).
      PAssert.that(out).containsInAnyOrder("m@0-10:3:100", "m@5-15:15:100");
    },
  },
  {
    name: "c.window(), c.timestamp() and c.pane() before any grouping, after Window.into, and after a global GroupByKey",
    build(p) {
      const show = (x: unknown, c: ProcessContext<unknown, string>) => c.output(`${win(c.window())}@${c.timestamp() === TIMESTAMP_MIN ? "min" : c.timestamp()}:${paneOf(c)}`);
      const created = p.apply(Create.of("x"));
      PAssert.that(created.apply("ShowCreated", ParDo.of(show))).containsInAnyOrder("global@min:UNKNOWN,first,last");
      const windowed = p.apply("Stamped", Create.timestamped(TimestampedValue.of("y", s(25)))).apply(Window.into(FixedWindows.of(Duration.seconds(10))));
      PAssert.that(windowed.apply("ShowWindowed", ParDo.of(show))).containsInAnyOrder("20-30@25000:UNKNOWN,first,last");
      const grouped = p.apply("KVs", Create.of(KV.of("k", 1), KV.of("k", 2))).apply(GroupByKey.create<string, number>());
      PAssert.that(grouped.apply("ShowGrouped", ParDo.of((kv: KV<string, number[]>, c: ProcessContext<KV<string, number[]>, string>) =>
        c.output(`${win(c.window())}:${kv.value.length}:${c.timestamp() === END_OF_GLOBAL_WINDOW}:${paneOf(c as never)}`))))
        .containsInAnyOrder("global:2:true:ON_TIME,first,last");
    },
  },
];
