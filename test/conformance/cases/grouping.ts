import {
  CoGroupByKey, Combine, CombineFn, Count, Create, GroupByKey, KV, KeyedPCollectionTuple, MapElements, PAssert,
  TupleTag, type CoGbkResult,
} from "../../../src/index.js";
import type { PipelineCase } from "../harness.js";

/** A user CombineFn (the mean), also what test/runners/flink/translate.test.ts translates. */
export class AverageFn extends CombineFn<number, { sum: number; n: number }, number> {
  createAccumulator() {
    return { sum: 0, n: 0 };
  }
  addInput(a: { sum: number; n: number }, x: number) {
    return { sum: a.sum + x, n: a.n + 1 };
  }
  mergeAccumulators(accs: Iterable<{ sum: number; n: number }>) {
    let sum = 0;
    let n = 0;
    for (const a of accs) {
      sum += a.sum;
      n += a.n;
    }
    return { sum, n };
  }
  extractOutput(a: { sum: number; n: number }) {
    return a.n ? a.sum / a.n : NaN;
  }
}

const sorted = (kv: KV<string, number[]>) => KV.of(kv.key, [...kv.value].sort((a, b) => a - b));

export const groupingCases: PipelineCase[] = [
  {
    name: "GroupByKey",
    build(p) {
      const grouped = p.apply(Create.of(KV.of("a", 1), KV.of("b", 2), KV.of("a", 3))).apply(GroupByKey.create<string, number>());
      PAssert.that(grouped.apply(MapElements.via(sorted))).containsInAnyOrder(KV.of("a", [1, 3]), KV.of("b", [2]));
    },
  },
  {
    name: "GroupByKey over many keys across partitions",
    build(p) {
      const n = 5000;
      const input = Array.from({ length: n }, (_, i) => KV.of(`k${i % 97}`, i));
      const sums = p.apply(Create.of(...input)).apply(GroupByKey.create<string, number>())
        .apply(MapElements.via((kv: KV<string, number[]>) => KV.of(kv.key, kv.value.reduce((a, b) => a + b, 0))));
      const expected = new Map<string, number>();
      for (const kv of input) expected.set(kv.key, (expected.get(kv.key) ?? 0) + kv.value);
      PAssert.that(sums).containsInAnyOrder(...[...expected].map(([k, v]) => KV.of(k, v)));
    },
  },
  {
    name: "Combine.perKey, Combine.globally and Combine.groupedValues with a CombineFn",
    build(p) {
      const kvs = p.apply(Create.of(KV.of("a", 1), KV.of("a", 3), KV.of("b", 10)));
      PAssert.that(kvs.apply(Combine.perKey(new AverageFn()))).containsInAnyOrder(KV.of("a", 2), KV.of("b", 10));
      PAssert.that(kvs.apply("Vals", MapElements.via((kv: KV<string, number>) => kv.value)).apply(Combine.globally(new AverageFn()))).containsInAnyOrder(14 / 3);
      PAssert.that(kvs.apply(GroupByKey.create<string, number>()).apply(Combine.groupedValues(new AverageFn()))).containsInAnyOrder(KV.of("a", 2), KV.of("b", 10));
      PAssert.that(p.apply("Nums", Create.of(1, 2, 3)).apply("Max", Combine.globally((xs: number[]) => Math.max(...xs)))).containsInAnyOrder(3);
    },
  },
  {
    name: "Combine.globally of an empty input gives the CombineFn's default",
    build(p) {
      const empty = p.apply(Create.of(1, 2)).apply(MapElements.via((x: number) => x)).apply("None", MapElements.via((x: number) => x)).filter(() => false);
      PAssert.that(empty.apply(Combine.globally(new AverageFn()))).satisfies((xs) => {
        if (xs.length !== 1 || !Number.isNaN(xs[0])) throw new Error(`expected [NaN], got ${JSON.stringify(xs)}`);
      });
      PAssert.that(empty.apply(Count.globally())).containsInAnyOrder(0);
    },
  },
  {
    name: "Count.perElement, Count.perKey, Count.globally",
    build(p) {
      const words = p.apply(Create.of("a", "b", "a", "c", "a"));
      PAssert.that(words.apply(Count.perElement())).containsInAnyOrder(KV.of("a", 3), KV.of("b", 1), KV.of("c", 1));
      PAssert.that(words.apply(Count.globally())).containsInAnyOrder(5);
      PAssert.that(words.apply(MapElements.via((w: string) => KV.of(w, 0))).apply(Count.perKey())).containsInAnyOrder(KV.of("a", 3), KV.of("b", 1), KV.of("c", 1));
    },
  },
  {
    name: "CoGroupByKey joins by key",
    build(p) {
      const emails = new TupleTag<string>("emails");
      const phones = new TupleTag<string>("phones");
      const e = p.apply("Emails", Create.of(KV.of("amy", "amy@x"), KV.of("carl", "carl@x"), KV.of("amy", "amy@y")));
      const ph = p.apply("Phones", Create.of(KV.of("amy", "111"), KV.of("bob", "222")));
      const joined = KeyedPCollectionTuple.of(emails, e).and(phones, ph).apply(CoGroupByKey.create<string>());
      const flat = joined.apply(MapElements.via((kv: KV<string, CoGbkResult>) =>
        `${kv.key}:${[...kv.value.getAll(emails)].sort().join("|")}:${kv.value.getAll(phones).join("|")}`));
      PAssert.that(flat).containsInAnyOrder("amy:amy@x|amy@y:111", "bob::222", "carl:carl@x:");
    },
  },
];
