/**
 * The batch model, transform by transform: lifecycle, outputs, side-input views, grouping,
 * combining (class and object-literal CombineFns), joins, flatten, partition, metrics by
 * step, and PAssert failing when it should. Every check is order-insensitive.
 */
import { expect } from "vitest";
import {
  ApproximateQuantiles, CoGroupByKey, Combine, CombineFn, Count, Create, Distinct, DoFn, Filter, FlatMapElements, Flatten,
  GlobalWindow, GroupByKey, KV, KeyedPCollectionTuple, MapElements, Max, Mean, Metrics, Min, PAssert, PCollection,
  PCollectionList, PTransform, ParDo, Partition, Sample, Sum, TIMESTAMP_MIN, TimestampedValue, Top, TupleTag, View,
  WithTimestamps, type BoundedWindow, type CoGbkResult, type FinishBundleContext, type ProcessContext, type StartBundleContext,
} from "../../../src/index.js";
import type { PipelineCase } from "../harness.js";

/** Refuses to process outside a bundle or before setup; outputs the buffered bundle in finishBundle. */
class BundleBufferFn extends DoFn<number, string> {
  private state = "new";
  private buffer: Array<{ v: number; t: number; w: BoundedWindow }> = [];
  private tag = "";
  private readonly bundles = Metrics.counter("lifecycle", "bundles");
  private readonly buffered = Metrics.counter("lifecycle", "buffered");
  override setup() {
    if (this.state !== "new") throw new Error(`setup called in state ${this.state}`);
    this.state = "set up";
  }
  override startBundle(c: StartBundleContext) {
    if (this.state !== "set up" && this.state !== "finished") throw new Error(`startBundle called in state ${this.state}`);
    this.state = "in bundle";
    this.buffer = [];
    this.tag = String(c.getPipelineOptions().lifecycleTag);
    this.bundles.inc();
  }
  processElement(c: ProcessContext<number, string>) {
    if (this.state !== "in bundle") throw new Error(`processElement called in state ${this.state}`);
    this.buffer.push({ v: c.element(), t: c.timestamp(), w: c.window() });
    this.buffered.inc();
  }
  override finishBundle(c: FinishBundleContext<string>) {
    if (this.state !== "in bundle") throw new Error(`finishBundle called in state ${this.state}`);
    for (const b of this.buffer) c.output(`${this.tag}:${b.v * 2}`, b.t, b.w);
    this.buffer = [];
    this.state = "finished";
  }
}

class ThrowInFn extends DoFn<string, string> {
  constructor(readonly where: "setup" | "startBundle" | "finishBundle") { super(); }
  override setup() { if (this.where === "setup") throw new Error("setup refused"); }
  override startBundle() { if (this.where === "startBundle") throw new Error("startBundle refused"); }
  processElement(c: ProcessContext<string, string>) { c.output(c.element()); }
  override finishBundle() { if (this.where === "finishBundle") throw new Error("finishBundle refused"); }
}

/** Product of the inputs, counted; a class CombineFn with a non-trivial accumulator. */
class ProductFn extends CombineFn<number, { p: number; n: number }, string> {
  createAccumulator() { return { p: 1, n: 0 }; }
  addInput(a: { p: number; n: number }, x: number) { return { p: a.p * x, n: a.n + 1 }; }
  mergeAccumulators(accs: Iterable<{ p: number; n: number }>) {
    const out = { p: 1, n: 0 };
    for (const a of accs) { out.p *= a.p; out.n += a.n; }
    return out;
  }
  extractOutput(a: { p: number; n: number }) { return `${a.p}/${a.n}`; }
}

/** The same kind of CombineFn, written as an object literal (methods, an arrow, and a captured helper). */
const longest = (a: string, b: string) => (b.length > a.length || (b.length === a.length && b < a) ? b : a);
const longestWordFn = {
  createAccumulator: () => "",
  addInput(acc: string, w: string) { return longest(acc, w); },
  mergeAccumulators(accs: Iterable<string>) {
    let best = "";
    for (const a of accs) best = longest(best, a);
    return best;
  },
  extractOutput(acc: string) { return acc === "" ? "<none>" : acc.toUpperCase(); },
};

/** A user composite with metrics inside a nested step. */
class Measure extends PTransform<PCollection<number>, PCollection<number>> {
  expand(input: PCollection<number>) {
    return input.apply("Inner", ParDo.of(new MeasureFn()));
  }
}
class MeasureFn extends DoFn<number, number> {
  private readonly seen = Metrics.counter("measure", "seen");
  private readonly sizes = Metrics.distribution("measure", "sizes");
  private readonly last = Metrics.gauge("measure", "constant");
  processElement(c: ProcessContext<number, number>) {
    this.seen.inc();
    this.sizes.update(c.element());
    this.last.set(7);
    if (c.element() > 2) Metrics.counter("measure", "big").inc(10);
    c.output(c.element());
  }
}

const words = ["apple", "fig", "banana", "kiwi", "fig", "cherry"];

export const modelCases: PipelineCase[] = [
  {
    name: "DoFn lifecycle: setup, then bundles; finishBundle outputs with a timestamp and window; options visible",
    options: { lifecycleTag: "T" },
    build(p) {
      const input = p.apply(Create.timestamped(TimestampedValue.of(1, 1000), TimestampedValue.of(2, 2000), TimestampedValue.of(3, 3000), TimestampedValue.of(4, 4000)));
      const out = input.apply("Buffer", ParDo.of(new BundleBufferFn()));
      PAssert.that(out).containsInAnyOrder("T:2", "T:4", "T:6", "T:8");
      const stamped = out.apply("Stamp", ParDo.of((s: string, c: ProcessContext<string, string>) => c.output(`${s}@${c.timestamp()}:${c.window() instanceof GlobalWindow}`)));
      PAssert.that(stamped).containsInAnyOrder("T:2@1000:true", "T:4@2000:true", "T:6@3000:true", "T:8@4000:true");
      return (result) => {
        const q = result.metrics().queryMetrics({ namespace: "lifecycle", step: "Buffer" });
        const get = (n: string) => q.counters.find((c) => c.name.name === n)?.committed;
        expect(get("buffered")).toBe(4);
        expect(get("bundles")).toBeGreaterThanOrEqual(1);
      };
    },
  },
  ...(["setup", "startBundle", "finishBundle"] as const).map((where): PipelineCase => ({
    name: `an error thrown in ${where} fails the run naming the transform`,
    build(p) {
      p.apply(Create.of("a", "b")).apply(`Throws${where}`, ParDo.of(new ThrowInFn(where)));
    },
    fails: new RegExp(`Throws${where}[\\s\\S]*${where} refused`),
  })),
  {
    name: "multi-output: output(tag), sideOutput, outputWithTimestamp, and a declared tag left empty",
    build(p) {
      const evens = new TupleTag<number>("evens");
      const odds = new TupleTag<number>("odds");
      const labels = new TupleTag<string>("labels");
      const unused = new TupleTag<string>("unused");
      const out = p.apply(Create.of(1, 2, 3, 4, 5)).apply("Split", ParDo.of((n: number, c: ProcessContext<number, number>) => {
        if (n % 2 === 0) c.outputWithTimestamp(n, n * 100);
        else c.sideOutput(odds, n);
        c.output(labels, `#${n}`);
      }).withOutputTags(evens, [odds, labels, unused]));
      PAssert.that(out.get(evens)).containsInAnyOrder(2, 4);
      PAssert.that(out.get(odds)).containsInAnyOrder(1, 3, 5);
      PAssert.that(out.get(labels)).containsInAnyOrder("#1", "#2", "#3", "#4", "#5");
      PAssert.that(out.get(unused)).empty();
      const ts = out.get(evens).apply("Ts", ParDo.of((n: number, c: ProcessContext<number, string>) => c.output(`${n}@${c.timestamp()}`)));
      PAssert.that(ts).containsInAnyOrder("2@200", "4@400");
      const oddTs = out.get(odds).apply("OddTs", ParDo.of((n: number, c: ProcessContext<number, boolean>) => c.output(c.timestamp() === TIMESTAMP_MIN)));
      PAssert.that(oddTs).containsInAnyOrder(true, true, true);
    },
  },
  {
    name: "output to a tag the ParDo did not declare fails naming the transform and the tag",
    build(p) {
      const main = new TupleTag<string>("main-out");
      const stray = new TupleTag<string>("stray");
      p.apply(Create.of("x")).apply("Stray", ParDo.of((s: string, c: ProcessContext<string, string>) => c.output(stray, s)).withOutputTags(main, []));
    },
    fails: /Stray[\s\S]*stray/,
  },
  {
    name: "side inputs: map and multimap views match object and array keys by value; singleton of an object; list",
    build(p) {
      const byObject = p.apply("ByObject", Create.of(KV.of({ id: 1, kind: "a" }, "one"), KV.of({ id: 2, kind: "b" }, "two")))
        .apply(View.asMap<{ id: number; kind: string }, string>());
      const byArray = p.apply("ByArray", Create.of(KV.of([1, 2], "x"), KV.of([1, 2], "y"), KV.of([2, 1], "z")))
        .apply(View.asMultimap<number[], string>());
      const settings = p.apply("Settings", Create.of({ prefix: ">", repeat: 2 })).apply(View.asSingleton<{ prefix: string; repeat: number }>());
      const list = p.apply("List", Create.of(3, 1, 2)).apply(View.asList<number>());
      const out = p.apply("Main", Create.of(1, 2, 3)).apply("Lookup", ParDo.of((n: number, c: ProcessContext<number, string>) => {
        // Keys built here, field order reversed: equal by value, never identical.
        const name = c.sideInput(byObject).get({ kind: n === 1 ? "a" : "b", id: n }) ?? "-";
        const multi = [...(c.sideInput(byArray).get(n === 3 ? [2, 1] : [1, 2]) ?? [])].sort().join("");
        const s = c.sideInput(settings);
        const total = c.sideInput(list).reduce((a, b) => a + b, 0);
        c.output(`${s.prefix.repeat(s.repeat)}${n}:${name}:${multi}:${total}:${c.sideInput(byObject).size}`);
      }).withSideInputs(byObject, byArray, settings, list));
      PAssert.that(out).containsInAnyOrder(">>1:one:xy:6:2", ">>2:two:xy:6:2", ">>3:-:z:6:2");
    },
  },
  {
    name: "a map side input with two values for one key fails naming the view",
    build(p) {
      const dup = p.apply("Dup", Create.of(KV.of("k", 1), KV.of("k", 2))).apply(View.asMap<string, number>());
      p.apply("Main", Create.of("k")).apply("ReadMap", ParDo.of((k: string, c: ProcessContext<string, number>) => c.output(c.sideInput(dup).get(k)!)).withSideInputs(dup));
    },
    fails: /ReadMap[\s\S]*Dup[\s\S]*more than one value for key k/,
  },
  {
    name: "Combine.globally, perKey and groupedValues with a class CombineFn and an object-literal CombineFn",
    build(p) {
      const nums = p.apply("Nums", Create.of(2, 3, 4));
      PAssert.that(nums.apply("ProductGlobally", Combine.globally(new ProductFn()))).containsInAnyOrder("24/3");
      const kvs = p.apply("KVs", Create.of(KV.of("a", 2), KV.of("b", 5), KV.of("a", 3), KV.of("a", 1)));
      PAssert.that(kvs.apply("ProductPerKey", Combine.perKey(new ProductFn()))).containsInAnyOrder(KV.of("a", "6/3"), KV.of("b", "5/1"));
      PAssert.that(kvs.apply(GroupByKey.create<string, number>()).apply("ProductGrouped", Combine.groupedValues(new ProductFn())))
        .containsInAnyOrder(KV.of("a", "6/3"), KV.of("b", "5/1"));

      const ws = p.apply("Words", Create.of(...words));
      PAssert.that(ws.apply("LongestGlobally", Combine.globally(longestWordFn))).containsInAnyOrder("BANANA");
      const byFirst = ws.apply("ByLength", MapElements.via((w: string) => KV.of(w.length % 2 === 0 ? "even" : "odd", w)));
      PAssert.that(byFirst.apply("LongestPerKey", Combine.perKey(longestWordFn))).containsInAnyOrder(KV.of("even", "BANANA"), KV.of("odd", "APPLE"));
      PAssert.that(byFirst.apply("Group", GroupByKey.create<string, string>()).apply("LongestGrouped", Combine.groupedValues(longestWordFn)))
        .containsInAnyOrder(KV.of("even", "BANANA"), KV.of("odd", "APPLE"));
      const none = ws.apply("NoWords", Filter.by((w: string) => w.startsWith("?")));
      PAssert.that(none.apply("LongestOfNothing", Combine.globally(longestWordFn))).containsInAnyOrder("<none>");
      PAssert.that(none.apply("ProductOfNothing", MapElements.via((w: string) => w.length)).apply("P0", Combine.globally(new ProductFn()))).containsInAnyOrder("1/0");
    },
  },
  {
    name: "combiner facades globally: Count, Sum, Min, Max, Mean",
    build(p) {
      const nums = p.apply("Nums", Create.of(5, 3, 9, 1, 7, 3, 5, 5));
      PAssert.that(nums.apply(Count.globally())).containsInAnyOrder(8);
      PAssert.that(nums.apply(Sum.integersGlobally())).containsInAnyOrder(38);
      PAssert.that(nums.apply(Min.globally<number>())).containsInAnyOrder(1);
      PAssert.that(nums.apply(Max.globally<number>())).containsInAnyOrder(9);
      PAssert.that(nums.apply(Mean.globally())).containsInAnyOrder(4.75);
    },
  },
  {
    name: "combiner facades: Top, Distinct, Count.perElement, Sample, ApproximateQuantiles",
    build(p) {
      const nums = p.apply("Nums", Create.of(5, 3, 9, 1, 7, 3, 5, 5));
      PAssert.that(nums.apply(Top.largest<number>(2))).containsInAnyOrder([9, 7]);
      PAssert.that(nums.apply(Distinct.create<number>())).containsInAnyOrder(1, 3, 5, 7, 9);
      PAssert.that(nums.apply(Count.perElement())).containsInAnyOrder(KV.of(1, 1), KV.of(3, 2), KV.of(5, 3), KV.of(7, 1), KV.of(9, 1));
      PAssert.that(nums.apply(Sample.fixedSizeGlobally<number>(3))).satisfies((xs) => {
        if (xs.length !== 1 || xs[0]!.length !== 3 || xs[0]!.some((x) => ![1, 3, 5, 7, 9].includes(x))) throw new Error(`bad sample ${JSON.stringify(xs)}`);
      });
      PAssert.that(nums.apply(ApproximateQuantiles.globally<number>(3))).containsInAnyOrder([1, 5, 9]);
    },
  },
  {
    name: "combiner facades per key: Sum, Mean, Count, Max",
    build(p) {
      const kvs = p.apply("Nums", Create.of(5, 3, 9, 1, 7, 3, 5, 5)).apply("Parity", MapElements.via((n: number) => KV.of(n % 3 === 0 ? "three" : "other", n)));
      PAssert.that(kvs.apply(Sum.integersPerKey<string>())).containsInAnyOrder(KV.of("three", 15), KV.of("other", 23));
      PAssert.that(kvs.apply(Mean.perKey<string>())).containsInAnyOrder(KV.of("three", 5), KV.of("other", 23 / 5));
      PAssert.that(kvs.apply(Count.perKey())).containsInAnyOrder(KV.of("three", 3), KV.of("other", 5));
      PAssert.that(kvs.apply(Max.perKey<string, number>())).containsInAnyOrder(KV.of("three", 9), KV.of("other", 7));
    },
  },
  {
    name: "CoGroupByKey over three inputs, one of them empty, keys present on only some sides",
    build(p) {
      const names = new TupleTag<string>("names");
      const orders = new TupleTag<number>("orders");
      const refunds = new TupleTag<number>("refunds");
      const n = p.apply("Names", Create.of(KV.of("u1", "Ann"), KV.of("u2", "Bo")));
      const o = p.apply("Orders", Create.of(KV.of("u1", 10), KV.of("u1", 15), KV.of("u3", 7)));
      const r = p.apply("Refunds", Create.of(KV.of("u1", 1))).apply("NoRefunds", Filter.by(() => false));
      const joined = KeyedPCollectionTuple.of(names, n).and(orders, o).and(refunds, r).apply(CoGroupByKey.create<string>());
      const flat = joined.apply("Show", MapElements.via((kv: KV<string, CoGbkResult>) => {
        const ns = [...kv.value.getAll(names)].join("|");
        const os = [...kv.value.getAll(orders)].sort((a, b) => a - b).join("+");
        return `${kv.key}:${ns}:${os}:${[...kv.value.getAll(refunds)].length}`;
      }));
      PAssert.that(flat).containsInAnyOrder("u1:Ann:10+15:0", "u2:Bo::0", "u3::7:0");
    },
  },
  {
    name: "Flatten of three PCollections, one of them empty; Flatten of one",
    build(p) {
      const a = p.apply("A", Create.of("a1", "a2"));
      const b = p.apply("B", Create.of("b1")).apply("Nothing", Filter.by(() => false));
      const c = p.apply("C", Create.of("c1", "c2", "c3"));
      const all = PCollectionList.of(a).and(b).and(c).apply(Flatten.pCollections());
      PAssert.that(all).containsInAnyOrder("a1", "a2", "c1", "c2", "c3");
      PAssert.that(PCollectionList.of(c).apply("Single", Flatten.pCollections())).containsInAnyOrder("c1", "c2", "c3");
    },
  },
  {
    name: "Flatten of a PCollection with itself gives each element twice",
    build(p) {
      const a = p.apply("A", Create.of("a1", "a2"));
      PAssert.that(PCollectionList.of(a).and(a).apply("Twice", Flatten.pCollections())).containsInAnyOrder("a1", "a1", "a2", "a2");
      const b = p.apply("B", Create.of("b1"));
      PAssert.that(PCollectionList.of(a).and(b).and(a).apply("AbA", Flatten.pCollections())).containsInAnyOrder("a1", "a1", "a2", "a2", "b1");
    },
  },
  {
    name: "Partition into three, one partition empty",
    build(p) {
      const parts = p.apply(Create.of(1, 4, 7, 10, 13)).apply(Partition.of(3, (n: number, k: number) => (n % 3 === 1 ? (n < 7 ? 0 : 2) : k - 1)));
      PAssert.that(parts.get(0)).containsInAnyOrder(1, 4);
      PAssert.that(parts.get(1)).empty();
      PAssert.that(parts.get(2)).containsInAnyOrder(7, 10, 13);
    },
  },
  {
    name: "a partition function returning an index out of range fails naming the transform",
    build(p) {
      p.apply(Create.of(1, 2)).apply("Parts", Partition.of(2, (n: number) => n * 5));
    },
    fails: /Parts[\s\S]*Partition function returned (5|10)[\s\S]*\[0, 2\)/,
  },
  {
    name: "FlatMapElements over any iterable (Set, generator, string); sugar map/flatMap/filter with names",
    build(p) {
      const lines = p.apply(Create.of("a b a", "c"));
      PAssert.that(lines.apply("UniqueWords", FlatMapElements.via((l: string) => new Set(l.split(" "))))).containsInAnyOrder("a", "b", "c");
      PAssert.that(lines.apply("Gen", FlatMapElements.via(function* (l: string) { for (let i = 0; i < l.length; i += 2) yield l[i]!; }))).containsInAnyOrder("a", "b", "a", "c");
      PAssert.that(lines.apply("Chars", FlatMapElements.via((l: string) => l.replace(/ /g, "")))).containsInAnyOrder("a", "b", "a", "c");
      const sugared = lines.flatMap((l) => l.split(" "), "Split").map((w) => w.toUpperCase(), "Upper").filter((w) => w !== "B", "NotB");
      PAssert.that(sugared).containsInAnyOrder("A", "A", "C");
    },
  },
  {
    name: "Create.timestamped and WithTimestamps set the timestamps DoFns see",
    build(p) {
      const ts = (s: string, c: ProcessContext<string, string>) => c.output(`${s}@${c.timestamp()}`);
      const created = p.apply("Stamped", Create.timestamped(TimestampedValue.of("x", 5), TimestampedValue.of("y", new Date(10))));
      PAssert.that(created.apply("ShowCreated", ParDo.of(ts))).containsInAnyOrder("x@5", "y@10");
      const restamped = created.apply(WithTimestamps.of((s: string) => (s === "x" ? 50 : new Date(100))));
      PAssert.that(restamped.apply("ShowRestamped", ParDo.of(ts))).containsInAnyOrder("x@50", "y@100");
      PAssert.that(p.apply("Plain", Create.of("z")).apply("ShowPlain", ParDo.of((s: string, c: ProcessContext<string, boolean>) => c.output(c.timestamp() === TIMESTAMP_MIN))))
        .containsInAnyOrder(true);
    },
  },
  {
    name: "Metrics: counter, distribution and gauge, read by the step's full name",
    build(p) {
      p.apply(Create.of(1, 2, 3, 4)).apply("Measure", new Measure());
      return (result) => {
        const m = result.metrics();
        const q = m.queryMetrics({ step: "Measure/Inner" });
        expect(q.counters.map((c) => [c.step, c.name.namespace, c.name.name, c.committed]).sort()).toEqual([
          ["Measure/Inner", "measure", "big", 20],
          ["Measure/Inner", "measure", "seen", 4],
        ]);
        expect(q.distributions).toHaveLength(1);
        expect(q.distributions[0]!.committed).toMatchObject({ sum: 10, count: 4, min: 1, max: 4, mean: 2.5 });
        expect(q.gauges.map((g) => [g.step, g.name.name, g.committed.value])).toEqual([["Measure/Inner", "constant", 7]]);
        // A prefix ending at '/' selects the composite's steps; a partial name does not.
        expect(m.queryMetrics({ step: "Measure" }).counters).toHaveLength(2);
        expect(m.queryMetrics({ step: "Meas" }).counters).toHaveLength(0);
        expect(m.queryMetrics({ namespace: "measure", name: "seen" }).counters.map((c) => c.committed)).toEqual([4]);
      };
    },
  },
  {
    name: "PAssert.containsInAnyOrder fails the run, listing missing and unexpected elements",
    build(p) {
      PAssert.that(p.apply("Nums", Create.of(1, 2, 2))).containsInAnyOrder(1, 2, 3);
    },
    fails: /PAssert[\s\S]*Nums[\s\S]*expected 3 element\(s\) in any order, got 3\. Missing: \[3\]\. Unexpected: \[2\]/,
  },
  {
    name: "PAssert.thatSingleton fails on more than one element",
    build(p) {
      PAssert.thatSingleton(p.apply("Two", Create.of("a", "b"))).isEqualTo("a");
    },
    fails: /Two[\s\S]*expected a single element, got 2/,
  },
  {
    name: "PAssert.satisfies fails with the user's own message",
    build(p) {
      PAssert.that(p.apply("Few", Create.of(1, 2))).satisfies((xs) => {
        if (xs.length < 3) throw new Error(`only ${xs.length} elements, wanted 3`);
      });
    },
    fails: /only 2 elements, wanted 3/,
  },
  {
    name: "PAssert.empty passes on an empty PCollection and fails on a non-empty one",
    build(p) {
      PAssert.that(p.apply("None", Create.of(1)).apply("DropAll", Filter.by(() => false))).empty();
      PAssert.that(p.apply("Some", Create.of(9))).empty();
    },
    fails: /Some[\s\S]*expected 0 element\(s\)[\s\S]*Unexpected: \[9\]/,
  },
];
