/**
 * Unbounded input (issue 14, point 3): Beam's classic streaming cases as pipelines over
 * TestStream — TestStreamTest, WindowingTest's windowing cases, ReduceFnRunnerTest's pane
 * cases — plus session merging under early firings and every trigger kind on its own. Each
 * grouped output is described with its window, values, timestamp and pane (timing, index,
 * first, last) as a DoFn sees them through c.pane(), and the whole list of panes is
 * asserted, so a missing, extra or mislabelled pane fails the case.
 *
 * Where Beam's case needs something the SDK does not have (a stateful DoFn), the port keeps
 * what the case is about and says what differs.
 */
import { expect } from "vitest";
import {
  AfterAll, AfterEach, AfterFirst, AfterPane, AfterProcessingTime, AfterWatermark, ClosingBehavior, Count, DefaultTrigger, Duration, FixedWindows,
  Flatten, GlobalWindow, GlobalWindows, GroupByKey, IntervalWindow, Keys, KV, MapElements, Never, OnTimeBehavior, PAssert, ParDo, PCollectionList,
  Repeatedly, Sessions, SlidingWindows, StringUtf8Coder, Sum, TestStream, TimestampedValue, VarLongCoder, Window, WithKeys,
  type BoundedWindow, type PCollection, type PaneInfo, type Pipeline, type ProcessContext, type Trigger,
} from "../../../src/index.js";
import type { PipelineCase } from "../harness.js";

const MINUTE = 60_000;
const win = (w: BoundedWindow) => (w instanceof IntervalWindow ? `${w.start}-${w.end}` : w instanceof GlobalWindow ? "global" : `?${String(w)}`);
const paneText = (p: PaneInfo) => `${p.timing}#${p.index}${p.isFirst ? " first" : ""}${p.isLast ? " last" : ""}`;
const sorted = (vs: Iterable<unknown>) => [...vs].map(String).sort().join(",");

/** window:values@timestamp TIMING#index first last — one grouped pane. */
function describeGroups<K, V>(pc: PCollection<KV<K, Iterable<V>>>, name = "DescribePanes"): PCollection<string> {
  return pc.apply(name, ParDo.of((kv: KV<K, Iterable<V>>, c: ProcessContext<KV<K, Iterable<V>>, string>) =>
    c.output(`${win(c.window())}:${sorted(kv.value)}@${c.timestamp()} ${paneText(c.pane())}`)));
}

/** key window:value@timestamp TIMING#index first last — one combined pane. */
function describeCombined<K, V>(pc: PCollection<KV<K, V>>, name = "DescribePanes"): PCollection<string> {
  return pc.apply(name, ParDo.of((kv: KV<K, V>, c: ProcessContext<KV<K, V>, string>) =>
    c.output(`${String(kv.key)} ${win(c.window())}:${String(kv.value)}@${c.timestamp()} ${paneText(c.pane())}`)));
}

function describeValues<V>(pc: PCollection<V>, name = "DescribePanes"): PCollection<string> {
  return pc.apply(name, ParDo.of((v: V, c: ProcessContext<V, string>) => c.output(`${win(c.window())}:${String(v)}@${c.timestamp()} ${paneText(c.pane())}`)));
}

const longs = () => TestStream.create(VarLongCoder.of());
const strings = () => TestStream.create(StringUtf8Coder.of());

/** Groups values under one key (Beam's WithKeys.of(1) then GroupByKey). */
function groupOneKey<V>(pc: PCollection<V>): PCollection<KV<number, Iterable<V>>> {
  return pc.apply(WithKeys.of<number, V>(1)).apply(GroupByKey.create<number, V>()) as PCollection<KV<number, Iterable<V>>>;
}

function counter(name: string) {
  return (result: { metrics(): { counter(name: string, namespace?: string): number } }) => result.metrics().counter(name, "GroupAlsoByWindow");
}

const testStreamCases: PipelineCase[] = [
  {
    name: "TestStreamTest.testLateDataAccumulating: ON_TIME pane, a LATE pane accumulating the late data, droppably late data dropped and counted, and (ClosingBehavior.FIRE_ALWAYS) the final pane at garbage collection though no element came since",
    build(p) {
      const windowed = p
        .apply(longs()
          .addElements(TimestampedValue.of(1, 0), TimestampedValue.of(2, 0), TimestampedValue.of(3, 0))
          .advanceWatermarkTo(6 * MINUTE)
          .addElements(TimestampedValue.of(4, 0), TimestampedValue.of(5, 0))
          .advanceWatermarkTo(20 * MINUTE)
          .addElements(TimestampedValue.of(-1, 0), TimestampedValue.of(-2, 0), TimestampedValue.of(-3, 0))
          .advanceWatermarkToInfinity())
        .apply(Window.into<number>(FixedWindows.of(Duration.minutes(5)))
          .triggering(AfterWatermark.pastEndOfWindow()
            .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.minutes(2)))
            .withLateFirings(AfterPane.elementCountAtLeast(1)))
          .accumulatingFiredPanes()
          .withAllowedLateness(Duration.minutes(5), ClosingBehavior.FIRE_ALWAYS));
      // Beam's asserts: the final pane holds 1..5, the ON_TIME pane 1,2,3; counts in [3, 5]; sums include 6 and 15.
      // Here every pane is listed: the final one is empty of new elements, so accumulating it repeats 1..5.
      PAssert.that(describeGroups(groupOneKey(windowed))).containsInAnyOrder(
        "0-300000:1,2,3@299999 ON_TIME#0 first",
        "0-300000:1,2,3,4,5@299999 LATE#1",
        "0-300000:1,2,3,4,5@299999 LATE#2 last",
      );
      PAssert.that(describeValues(windowed.apply(Count.globally<number>().withoutDefaults()), "DescribeCounts")).containsInAnyOrder(
        "0-300000:3@299999 ON_TIME#0 first",
        "0-300000:5@299999 LATE#1",
        "0-300000:5@299999 LATE#2 last",
      );
      PAssert.that(describeValues(windowed.apply(Sum.integersGlobally().withoutDefaults()), "DescribeSums")).containsInAnyOrder(
        "0-300000:6@299999 ON_TIME#0 first",
        "0-300000:15@299999 LATE#1",
        "0-300000:15@299999 LATE#2 last",
      );
      return (result) => {
        // Three droppably late elements, in each of the three groupings.
        expect(counter("droppedDueToLateness")(result)).toBe(9);
      };
    },
  },
  {
    name: "OnTimeBehavior.FIRE_IF_NON_EMPTY: no empty ON_TIME pane after an early firing took every element; the window's later data comes as LATE panes (ReduceFnRunnerTest.testEmptyOnTimeWithOnTimeBehaviorFireIfNonEmpty)",
    build(p) {
      const windowed = p
        .apply(longs()
          .advanceWatermarkTo(0)
          .addElements(TimestampedValue.of(1, 1_000), TimestampedValue.of(2, 2_000))
          .advanceWatermarkTo(20_000)
          .addElements(TimestampedValue.of(3, 3_000))
          .advanceWatermarkToInfinity())
        .apply(Window.into<number>(FixedWindows.of(Duration.seconds(10)))
          .triggering(AfterWatermark.pastEndOfWindow()
            .withEarlyFirings(AfterPane.elementCountAtLeast(2))
            .withLateFirings(AfterPane.elementCountAtLeast(1)))
          .discardingFiredPanes()
          .withAllowedLateness(Duration.seconds(100), ClosingBehavior.FIRE_IF_NON_EMPTY)
          .withOnTimeBehavior(OnTimeBehavior.FIRE_IF_NON_EMPTY));
      PAssert.that(describeGroups(groupOneKey(windowed))).containsInAnyOrder(
        "0-10000:1,2@9999 EARLY#0 first",
        "0-10000:3@9999 LATE#1",
      );
    },
  },
  {
    name: "TestStreamTest.testDiscardingMode: an EARLY pane of two, the ON_TIME pane, the final LATE pane at garbage collection (late firings Never)",
    build(p) {
      const values = p
        .apply(strings()
          .advanceWatermarkTo(0)
          .addElements(TimestampedValue.of("firstPane", 100), TimestampedValue.of("alsoFirstPane", 200))
          .addElements(TimestampedValue.of("onTimePane", 500))
          .advanceWatermarkTo(1000)
          .addElements(TimestampedValue.of("finalLatePane", 750), TimestampedValue.of("alsoFinalLatePane", 250))
          .advanceWatermarkToInfinity())
        .apply(Window.into<string>(FixedWindows.of(Duration.millis(1000)))
          .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(2)).withLateFirings(Never.ever()))
          .discardingFiredPanes()
          .withAllowedLateness(Duration.millis(5000)));
      PAssert.that(describeGroups(groupOneKey(values))).containsInAnyOrder(
        "0-1000:alsoFirstPane,firstPane@999 EARLY#0 first",
        "0-1000:onTimePane@999 ON_TIME#1",
        "0-1000:alsoFinalLatePane,finalLatePane@999 LATE#2 last",
      );
    },
  },
  {
    name: "TestStreamTest.testFirstElementLate: a first element beyond the allowed lateness is dropped and counted, its window never fires",
    build(p) {
      const values = p
        .apply(strings()
          .advanceWatermarkTo(0)
          .addElements(TimestampedValue.of("late", -1_000_000))
          .addElements(TimestampedValue.of("onTime", 100))
          .advanceWatermarkToInfinity())
        .apply(Window.into<string>(FixedWindows.of(Duration.millis(1000)))
          .triggering(DefaultTrigger.of())
          .discardingFiredPanes()
          .withAllowedLateness(Duration.millis(5000)));
      PAssert.that(describeGroups(groupOneKey(values))).containsInAnyOrder("0-1000:onTime@999 ON_TIME#0 first last");
      return (result) => {
        expect(counter("droppedDueToLateness")(result)).toBe(1);
      };
    },
  },
  {
    name: "TestStreamTest.testEarlyPanesOfWindow: processing-time early panes accumulate 1, 3, 6, then one ON_TIME pane",
    build(p) {
      const sums = p
        .apply(longs()
          .addElements(TimestampedValue.of(1, 1000))
          .advanceProcessingTime(Duration.minutes(6))
          .addElements(TimestampedValue.of(2, 2000))
          .advanceProcessingTime(Duration.minutes(6))
          .addElements(TimestampedValue.of(3, 3000))
          .advanceProcessingTime(Duration.minutes(6))
          .advanceWatermarkToInfinity())
        .apply(Window.into<number>(FixedWindows.of(Duration.minutes(30)))
          .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.minutes(5))))
          .accumulatingFiredPanes()
          .withAllowedLateness(0))
        .apply(MapElements.via((v: number) => KV.of("key", v)))
        .apply(Sum.integersPerKey<string>());
      PAssert.that(describeCombined(sums)).containsInAnyOrder(
        "key 0-1800000:1@1799999 EARLY#0 first",
        "key 0-1800000:3@1799999 EARLY#1",
        "key 0-1800000:6@1799999 EARLY#2",
        "key 0-1800000:6@1799999 ON_TIME#3 last",
      );
    },
  },
  {
    name: "TestStreamTest.testProcessingTimeTrigger: Sum.globally in the global window, EARLY panes 3 and 6 after processing-time advances, the ON_TIME pane at the end",
    build(p) {
      const sum = p
        .apply(longs()
          .addElements(TimestampedValue.of(1, 1000), TimestampedValue.of(2, 2000))
          .advanceProcessingTime(Duration.minutes(12))
          .addElements(TimestampedValue.of(3, 3000))
          .advanceProcessingTime(Duration.minutes(6))
          .advanceWatermarkToInfinity())
        .apply(Window.configure<number>()
          .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.minutes(5))))
          .accumulatingFiredPanes()
          .withAllowedLateness(0))
        .apply(Sum.integersGlobally().withoutDefaults());
      PAssert.that(describeValues(sum)).containsInAnyOrder(
        `global:3@${GlobalWindow.INSTANCE.maxTimestamp()} EARLY#0 first`,
        `global:6@${GlobalWindow.INSTANCE.maxTimestamp()} EARLY#1`,
        `global:6@${GlobalWindow.INSTANCE.maxTimestamp()} ON_TIME#2 last`,
      );
    },
  },
  {
    name: "TestStreamTest.testMultiStage: a grouping's output reaches the next stage before the next event (accumulating panes of a second grouping show the order: before, BEFORE, after, AFTER)",
    build(p) {
      const input = p.apply(strings()
        .addElements("before")
        .advanceWatermarkTo(0)
        .addElements(TimestampedValue.of("after", 10_000))
        .advanceWatermarkToInfinity());
      const grouped = input
        .apply(Window.into<string>(FixedWindows.of(Duration.seconds(1))))
        .apply(MapElements.via((e: string) => KV.of(e, e)))
        .apply(GroupByKey.create<string, string>())
        .apply(Keys.create<string>())
        .apply("Upper", MapElements.via((s: string) => s.toUpperCase()))
        .apply("Rewindow", Window.into<string>(new GlobalWindows()));
      // Beam's case keeps the arrival order in a stateful DoFn; here each arrival fires an
      // accumulating pane, so pane i holds the first i+1 arrivals.
      const seen = PCollectionList.of(input).and(grouped)
        .apply(Flatten.pCollections<string>())
        .apply("Order", Window.configure<string>().triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1))).accumulatingFiredPanes().withAllowedLateness(0));
      PAssert.that(seen.apply("Key", WithKeys.of<string, string>("key")).apply("Collect", GroupByKey.create<string, string>())
        .apply(ParDo.of((kv: KV<string, Iterable<string>>, c: ProcessContext<KV<string, Iterable<string>>, string>) => c.output(`${c.pane().index}:${sorted(kv.value)}`))))
        .containsInAnyOrder("0:before", "1:BEFORE,before", "2:BEFORE,after,before", "3:AFTER,BEFORE,after,before", "4:AFTER,BEFORE,after,before");
    },
  },
  {
    name: "TestStreamTest.testElementsAtAlmostPositiveInfinity: elements at the end of the global window, in 6-hour fixed windows, are grouped when the watermark reaches +∞",
    build(p) {
      const end = GlobalWindow.INSTANCE.maxTimestamp();
      const grouped = p
        .apply(strings().addElements(TimestampedValue.of("foo", end), TimestampedValue.of("bar", end)).advanceWatermarkToInfinity())
        .apply(Window.into<string>(FixedWindows.of(Duration.hours(6))));
      const w = FixedWindows.of(Duration.hours(6)).assignWindows(end)[0]!;
      PAssert.that(describeGroups(groupOneKey(grouped))).containsInAnyOrder(`${w.start}-${w.end}:bar,foo@${w.maxTimestamp()} ON_TIME#0 first last`);
    },
  },
  {
    name: "TestStreamTest.testMultipleStreams: two TestStreams in one pipeline, each with its own count trigger, both read whole",
    build(p) {
      const createStrings = p
        .apply("CreateStrings", strings().addElements("foo", "bar").advanceWatermarkToInfinity())
        .apply("WindowStrings", Window.configure<string>().triggering(AfterPane.elementCountAtLeast(2)).withAllowedLateness(0).accumulatingFiredPanes());
      PAssert.that(createStrings).containsInAnyOrder("foo", "bar");
      const createInts = p
        .apply("CreateInts", longs().addElements(1, 2, 3, 4).advanceWatermarkToInfinity())
        .apply("WindowInts", Window.configure<number>().triggering(AfterPane.elementCountAtLeast(4)).withAllowedLateness(0).accumulatingFiredPanes());
      PAssert.that(createInts).containsInAnyOrder(1, 2, 3, 4);
      // Grouped, each stream's count trigger fires once: one pane of all its elements.
      PAssert.that(describeGroups(groupOneKey(createInts), "DescribeInts")).containsInAnyOrder(`global:1,2,3,4@${GlobalWindow.INSTANCE.maxTimestamp()} EARLY#0 first last`);
    },
  },
  {
    name: "TestStream's synthetic clock starts at 0: AfterProcessingTime aligned to a minute fires at the same panes on every run and runner",
    build(p) {
      const values = p
        .apply(longs()
          .addElements(1)
          .advanceProcessingTime(Duration.seconds(40))
          .addElements(2)
          .advanceProcessingTime(Duration.seconds(40))
          .addElements(3)
          .advanceWatermarkToInfinity())
        .apply(Window.configure<number>()
          .triggering(Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().alignedTo(Duration.minutes(1))))
          .discardingFiredPanes()
          .withAllowedLateness(0));
      // 1 at 0 s (aligned: 0, due at 40 s), 2 at 40 s (aligned: 60 s, due at 80 s), 3 at 80 s (aligned: 120 s, never reached).
      const end = GlobalWindow.INSTANCE.maxTimestamp();
      PAssert.that(describeGroups(groupOneKey(values))).containsInAnyOrder(
        `global:1@${end} EARLY#0 first`, `global:2@${end} EARLY#1`, `global:3@${end} ON_TIME#2 last`,
      );
    },
  },
];

const windowingCases: PipelineCase[] = [
  {
    name: "WindowingTest.testMergingWindowing over TestStream: sessions merge, counted per session (timestamps: EARLIEST)",
    build(p) {
      const counts = p
        .apply(strings().addElements(TimestampedValue.of("a", 1), TimestampedValue.of("a", 5), TimestampedValue.of("a", 20)).advanceWatermarkToInfinity())
        .apply(Window.into<string>(Sessions.withGapDuration(Duration.millis(10))).withTimestampCombiner("EARLIEST"))
        .apply(Count.perElement<string>());
      PAssert.that(describeCombined(counts)).containsInAnyOrder("a 1-15:2@1 ON_TIME#0 first last", "a 20-30:1@20 ON_TIME#0 first last");
    },
  },
  {
    name: "WindowingTest.testNonPartitioningWindowing over TestStream: sliding windows count each element in every window it falls in (timestamps: end of window)",
    build(p) {
      const counts = p
        .apply(strings().addElements(TimestampedValue.of("a", 1), TimestampedValue.of("a", 7), TimestampedValue.of("b", 8)).advanceWatermarkToInfinity())
        .apply(Window.into<string>(SlidingWindows.of(Duration.millis(10)).every(Duration.millis(5))))
        .apply(Count.perElement<string>());
      PAssert.that(describeCombined(counts)).containsInAnyOrder(
        "a -5-5:1@4 ON_TIME#0 first last",
        "a 0-10:2@9 ON_TIME#0 first last",
        "a 5-15:1@14 ON_TIME#0 first last",
        "b 0-10:1@9 ON_TIME#0 first last",
        "b 5-15:1@14 ON_TIME#0 first last",
      );
    },
  },
  {
    name: "ReduceFnRunnerTest.testOnlyOneOnTimePane: the default trigger with allowed lateness gives one ON_TIME pane, then a LATE one (a lifted Sum, accumulating)",
    build(p) {
      const sums = p
        .apply(longs()
          .advanceWatermarkTo(0)
          .addElements(TimestampedValue.of(1, 1))
          .advanceWatermarkTo(10)
          .addElements(TimestampedValue.of(3, 3))
          .advanceWatermarkToInfinity())
        .apply(Window.into<number>(FixedWindows.of(Duration.millis(10))).triggering(DefaultTrigger.of()).accumulatingFiredPanes().withAllowedLateness(100))
        .apply(MapElements.via((v: number) => KV.of("k", v)))
        .apply(Sum.integersPerKey<string>());
      PAssert.that(describeCombined(sums)).containsInAnyOrder("k 0-10:1@9 ON_TIME#0 first", "k 0-10:4@9 LATE#1");
    },
  },
  {
    name: "ReduceFnRunnerTest.testMergeBeforeFinalizing: two sessions of one bundle merge before the window fires: one pane of the merged window",
    build(p) {
      const grouped = p
        .apply(longs().addElements(TimestampedValue.of(1, 1), TimestampedValue.of(10, 10)).advanceWatermarkTo(100).advanceWatermarkToInfinity())
        .apply(Window.into<number>(Sessions.withGapDuration(Duration.millis(10))).discardingFiredPanes().withAllowedLateness(0));
      PAssert.that(describeGroups(groupOneKey(grouped))).containsInAnyOrder("1-20:1,10@19 ON_TIME#0 first last");
    },
  },
  {
    name: "sessions merging under early firings: each session fires early, the merged session starts its panes afresh and fires ON_TIME at the end",
    build(p) {
      const grouped = p
        .apply(longs()
          .addElements(TimestampedValue.of(1, 1))
          .addElements(TimestampedValue.of(15, 15))
          .addElements(TimestampedValue.of(8, 8))
          .advanceWatermarkToInfinity())
        .apply(Window.into<number>(Sessions.withGapDuration(Duration.millis(10)))
          .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(1)))
          .accumulatingFiredPanes()
          .withAllowedLateness(0));
      PAssert.that(describeGroups(groupOneKey(grouped))).containsInAnyOrder(
        "1-11:1@10 EARLY#0 first",
        "15-25:15@24 EARLY#0 first",
        "1-25:1,15,8@24 EARLY#0 first",
        "1-25:1,15,8@24 ON_TIME#1 last",
      );
    },
  },
];

/**
 * One script for every trigger kind, in fixed windows of 10 s with an hour of allowed
 * lateness: elements 1 and 2 in one bundle, 3 in the next, a minute of processing time, the
 * watermark to the window's end, then 4 and 5 late, each in its own bundle.
 */
function triggerCase(name: string, trigger: Trigger, expected: string[], closedDrops: number): PipelineCase {
  return {
    name: `trigger on its own: ${name}`,
    build(p: Pipeline) {
      const grouped = p
        .apply(longs()
          .addElements(TimestampedValue.of(1, 1000), TimestampedValue.of(2, 2000))
          .addElements(TimestampedValue.of(3, 3000))
          .advanceProcessingTime(Duration.minutes(1))
          .advanceWatermarkTo(10_000)
          .addElements(TimestampedValue.of(4, 4000))
          .addElements(TimestampedValue.of(5, 5000))
          .advanceWatermarkToInfinity())
        .apply(Window.into<number>(FixedWindows.of(Duration.seconds(10))).triggering(trigger).accumulatingFiredPanes().withAllowedLateness(Duration.hours(1)));
      PAssert.that(describeGroups(groupOneKey(grouped))).containsInAnyOrder(...expected);
      return (result) => {
        expect(counter("droppedDueToClosedWindow")(result)).toBe(closedDrops);
      };
    },
  };
}

const W = "0-10000";
const triggerCases: PipelineCase[] = [
  triggerCase("the default trigger: ON_TIME, then a LATE pane per late bundle", DefaultTrigger.of(), [
    `${W}:1,2,3@9999 ON_TIME#0 first`, `${W}:1,2,3,4@9999 LATE#1`, `${W}:1,2,3,4,5@9999 LATE#2`,
  ], 0),
  triggerCase("AfterWatermark.pastEndOfWindow(): one ON_TIME pane, the window then closed", AfterWatermark.pastEndOfWindow(), [
    `${W}:1,2,3@9999 ON_TIME#0 first last`,
  ], 2),
  triggerCase("AfterWatermark with early (2 elements) and late (1 element) firings",
    AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(2)).withLateFirings(AfterPane.elementCountAtLeast(1)), [
      `${W}:1,2@9999 EARLY#0 first`, `${W}:1,2,3@9999 ON_TIME#1`, `${W}:1,2,3,4@9999 LATE#2`, `${W}:1,2,3,4,5@9999 LATE#3`,
    ], 0),
  triggerCase("AfterProcessingTime.pastFirstElementInPane().plusDelayOf(30 s): one EARLY pane when processing time passes, then closed",
    AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.seconds(30)), [`${W}:1,2,3@9999 EARLY#0 first last`], 2),
  triggerCase("AfterPane.elementCountAtLeast(2): fires on the first bundle, then closed", AfterPane.elementCountAtLeast(2), [
    `${W}:1,2@9999 EARLY#0 first last`,
  ], 3),
  triggerCase("Repeatedly.forever(AfterPane.elementCountAtLeast(2)): every second element; the rest in the final pane",
    Repeatedly.forever(AfterPane.elementCountAtLeast(2)), [
      `${W}:1,2@9999 EARLY#0 first`, `${W}:1,2,3,4@9999 ON_TIME#1`, `${W}:1,2,3,4,5@9999 LATE#2 last`,
    ], 0),
  triggerCase("AfterFirst.of(5 elements, 30 s of processing time): the processing-time one fires first",
    AfterFirst.of(AfterPane.elementCountAtLeast(5), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.seconds(30))), [
      `${W}:1,2,3@9999 EARLY#0 first last`,
    ], 2),
  triggerCase("AfterAll.of(3 elements, 30 s of processing time): fires once both hold",
    AfterAll.of(AfterPane.elementCountAtLeast(3), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.seconds(30))), [
      `${W}:1,2,3@9999 EARLY#0 first last`,
    ], 2),
  triggerCase("AfterEach.inOrder(2 elements, end of window): an EARLY pane, then the ON_TIME one, then closed",
    AfterEach.inOrder(AfterPane.elementCountAtLeast(2), AfterWatermark.pastEndOfWindow()), [
      `${W}:1,2@9999 EARLY#0 first`, `${W}:1,2,3@9999 ON_TIME#1 last`,
    ], 2),
];

export const streamingCases: PipelineCase[] = [...testStreamCases, ...windowingCases, ...triggerCases];

/**
 * Combine.globally with its default (no .withoutDefaults()) over a triggered global window:
 * Beam's insertDefaultValueIfEmpty flattens the combined panes with a default produced only
 * for an empty input, so the early and on-time panes keep their timing, index and the end of
 * the global window as timestamp, and the default appears only beside an empty stream.
 */
const combineDefaultCases: PipelineCase[] = [
  {
    name: "Combine.globally with defaults over early firings: the combined panes pass through with their panes and timestamps; an empty stream gives the default",
    build(p) {
      const trigger = () => Window.into<number>(new GlobalWindows())
        .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(2)))
        .accumulatingFiredPanes()
        .withAllowedLateness(0);
      const numbers = p
        .apply("Numbers", longs()
          .addElements(TimestampedValue.of(1, 1000), TimestampedValue.of(2, 2000))
          .addElements(TimestampedValue.of(3, 3000))
          .advanceWatermarkToInfinity())
        .apply("Triggered", trigger());
      const nothing = p.apply("Nothing", longs().advanceWatermarkToInfinity()).apply("TriggeredEmpty", trigger());
      const end = new GlobalWindow().maxTimestamp();
      PAssert.that(describeValues(numbers.apply("Total", Sum.integersGlobally()), "DescribeTotals")).containsInAnyOrder(
        `global:3@${end} EARLY#0 first`,
        `global:6@${end} ON_TIME#1 last`,
      );
      // The default keeps CreateVoid's element: Beam's TIMESTAMP_MIN_VALUE (TIMESTAMP_MIN, in ms) and no firing.
      PAssert.that(describeValues(nothing.apply("EmptyTotal", Sum.integersGlobally()), "DescribeEmptyTotal")).containsInAnyOrder(
        `global:0@${-9223372036854775} UNKNOWN#0 first last`,
      );
    },
  },
];
streamingCases.push(...combineDefaultCases);
