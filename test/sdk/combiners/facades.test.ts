/**
 * The combiner facades in pipelines, on the local runner, each run twice: as built, and
 * from its graph after a JSON round trip (so every CombineFn and DoFn travels by name or
 * by value the way it does to a worker).
 */
import { describe, expect, it } from "vitest";
import {
  ApproximateQuantiles,
  Create,
  Distinct,
  DoubleCoder,
  Max,
  Mean,
  Min,
  PAssert,
  Pipeline,
  Sample,
  StringUtf8Coder,
  Sum,
  TestPipeline,
  Top,
  VarLongCoder,
  KV,
  type PipelineOptions,
} from "../../../src/index.js";

const options: PipelineOptions = { runner: "direct", parallelism: 2 };

async function run(build: (p: Pipeline) => void, roundTrip: boolean): Promise<Pipeline> {
  const p = TestPipeline.create(options);
  build(p);
  const target = roundTrip ? Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())), options) : p;
  const result = target.run();
  await result.waitUntilFinish();
  expect(result.state).toBe("DONE");
  return p;
}

function cases(name: string, build: (p: Pipeline) => void) {
  it(name, () => run(build, false));
  it(`${name} (from JSON)`, () => run(build, true));
}

const kvs = [KV.of("a", 1), KV.of("b", 10), KV.of("a", 2), KV.of("b", 20), KV.of("a", 3), KV.of("c", 7)];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("combiner facades in pipelines", () => {
  cases("Sum", (p) => {
    const nums = p.apply(Create.of(1, 2, 3, 4, 5));
    PAssert.that(nums.apply(Sum.globally())).containsInAnyOrder(15);
    PAssert.that(nums.apply("Ints", Sum.integersGlobally())).containsInAnyOrder(15);
    PAssert.that(p.apply("Halves", Create.of(0.5, 0.25)).apply(Sum.doublesGlobally())).containsInAnyOrder(0.75);
    PAssert.that(p.apply("Empty", Create.of<number>().withCoder(VarLongCoder.of())).apply(Sum.globally())).containsInAnyOrder(0);
    PAssert.that(p.apply("KVs", Create.of(...kvs)).apply(Sum.perKey<string>())).containsInAnyOrder(KV.of("a", 6), KV.of("b", 30), KV.of("c", 7));
    PAssert.that(p.apply("KVs2", Create.of(...kvs)).apply(Sum.integersPerKey<string>())).containsInAnyOrder(KV.of("a", 6), KV.of("b", 30), KV.of("c", 7));
    PAssert.that(p.apply("Doubles", Create.of(KV.of("x", 0.5), KV.of("x", 1.5))).apply(Sum.doublesPerKey<string>())).containsInAnyOrder(KV.of("x", 2));
  });

  cases("Min and Max", (p) => {
    const words = p.apply(Create.of("pear", "apple", "fig", "watermelon"));
    PAssert.that(words.apply(Min.globally<string>())).containsInAnyOrder("apple");
    PAssert.that(words.apply(Max.globally<string>())).containsInAnyOrder("watermelon");
    PAssert.that(words.apply("ShortestWord", Min.globally((a: string, b: string) => a.length - b.length))).containsInAnyOrder("fig");
    PAssert.that(words.apply("LongestWord", Max.globally({ compare: (a: string, b: string) => a.length - b.length }))).containsInAnyOrder("watermelon");
    const empty = p.apply("Empty", Create.of<number>().withCoder(DoubleCoder.of()));
    PAssert.that(empty.apply(Min.doublesGlobally())).containsInAnyOrder(Infinity);
    PAssert.that(empty.apply(Max.doublesGlobally())).containsInAnyOrder(-Infinity);
    PAssert.that(empty.apply("MinDefault", Min.globally({ defaultValue: 42 }))).containsInAnyOrder(42);
    const table = p.apply("KVs", Create.of(...kvs));
    PAssert.that(table.apply(Min.perKey<string, number>())).containsInAnyOrder(KV.of("a", 1), KV.of("b", 10), KV.of("c", 7));
    PAssert.that(table.apply(Max.perKey<string, number>())).containsInAnyOrder(KV.of("a", 3), KV.of("b", 20), KV.of("c", 7));
  });

  cases("Mean", (p) => {
    PAssert.that(p.apply(Create.of(1, 2, 3, 4)).apply(Mean.globally())).containsInAnyOrder(2.5);
    PAssert.that(p.apply("KVs", Create.of(...kvs)).apply(Mean.perKey<string>())).containsInAnyOrder(KV.of("a", 2), KV.of("b", 15), KV.of("c", 7));
    PAssert.that(p.apply("Empty", Create.of<number>().withCoder(VarLongCoder.of())).apply(Mean.globally())).satisfies((xs) => {
      if (xs.length !== 1 || !Number.isNaN(xs[0])) throw new Error(`expected [NaN], got ${JSON.stringify(xs)}`);
    });
  });

  cases("Top", (p) => {
    const nums = p.apply(Create.of(5, 1, 9, 3, 7, 2));
    PAssert.that(nums.apply(Top.largest<number>(3))).containsInAnyOrder([9, 7, 5]);
    PAssert.that(nums.apply(Top.smallest<number>(2))).containsInAnyOrder([1, 2]);
    PAssert.that(nums.apply("TopByLastDigitDesc", Top.of(2, (a: number, b: number) => (a % 3) - (b % 3) || a - b))).containsInAnyOrder([5, 2]);
    const table = p.apply("KVs", Create.of(...kvs));
    PAssert.that(table.apply(Top.largestPerKey<string, number>(2))).containsInAnyOrder(KV.of("a", [3, 2]), KV.of("b", [20, 10]), KV.of("c", [7]));
    PAssert.that(table.apply(Top.smallestPerKey<string, number>(1))).containsInAnyOrder(KV.of("a", [1]), KV.of("b", [10]), KV.of("c", [7]));
    PAssert.that(table.apply("TopPerKeyDesc", Top.perKey<string, number>(1, (a, b) => b - a))).containsInAnyOrder(KV.of("a", [1]), KV.of("b", [10]), KV.of("c", [7]));
  });

  cases("Sample", (p) => {
    const nums = p.apply(Create.of(...range(50)));
    PAssert.that(nums.apply(Sample.any<number>(5))).satisfies((xs) => {
      if (xs.length !== 5 || new Set(xs).size !== 5 || xs.some((x) => x < 0 || x >= 50)) throw new Error(`bad Sample.any: ${JSON.stringify(xs)}`);
    });
    PAssert.that(nums.apply("AnyOfFew", Sample.any<number>(100))).containsInAnyOrder(...range(50));
    PAssert.that(nums.apply(Sample.fixedSizeGlobally<number>(4, { seed: 1 }))).satisfies((xs) => {
      if (xs.length !== 1 || xs[0]!.length !== 4 || new Set(xs[0]).size !== 4) throw new Error(`bad fixedSizeGlobally: ${JSON.stringify(xs)}`);
    });
    PAssert.that(p.apply("KVs", Create.of(...kvs)).apply(Sample.fixedSizePerKey<string, number>(2))).satisfies((xs) => {
      const byKey = new Map(xs.map((kv) => [kv.key, kv.value]));
      if (xs.length !== 3 || byKey.get("a")!.length !== 2 || byKey.get("b")!.slice().sort((x, y) => x - y).join() !== "10,20" || byKey.get("c")!.join() !== "7") {
        throw new Error(`bad fixedSizePerKey: ${JSON.stringify(xs)}`);
      }
    });
  });

  cases("Distinct", (p) => {
    const words = p.apply(Create.of("a", "b", "a", "c", "b", "a"));
    PAssert.that(words.apply(Distinct.create<string>())).containsInAnyOrder("a", "b", "c");
    const mixed = p.apply("Mixed", Create.of("Apple", "apple", "BANANA", "banana", "cherry"));
    PAssert.that(mixed.apply(Distinct.withRepresentativeValueFn((s: string) => s.toLowerCase()))).satisfies((xs) => {
      const lower = xs.map((s) => s.toLowerCase()).sort();
      if (lower.join() !== "apple,banana,cherry") throw new Error(`bad Distinct.withRepresentativeValueFn: ${JSON.stringify(xs)}`);
    });
  });

  cases("ApproximateQuantiles", (p) => {
    PAssert.that(p.apply(Create.of(...range(101))).apply(ApproximateQuantiles.globally<number>(5))).containsInAnyOrder([0, 25, 50, 75, 100]);
    const table = p.apply(
      "Table",
      Create.of(KV.of("a", 1), KV.of("a", 2), KV.of("a", 3), KV.of("b", 1), KV.of("b", 10), KV.of("b", 10), KV.of("b", 100)),
    );
    PAssert.that(table.apply(ApproximateQuantiles.perKey<string, number>(2))).containsInAnyOrder(KV.of("a", [1, 3]), KV.of("b", [1, 100]));
    PAssert.that(table.apply("Reversed", ApproximateQuantiles.perKey<string, number>(2, (x, y) => y - x))).containsInAnyOrder(
      KV.of("a", [3, 1]),
      KV.of("b", [100, 1]),
    );
    PAssert.that(p.apply("Words", Create.of("aa", "aaa", "aaaa", "b", "ccccc", "dddd", "zz")).apply(ApproximateQuantiles.globally<string>(3))).containsInAnyOrder(["aa", "b", "zz"]);
  });
});

describe("facade names and coders in the graph", () => {
  it("follow Beam Java: Combine.globally(<fn>), Combine.perKey(<fn>), Sample.Any, Distinct", () => {
    const p = Pipeline.create(options);
    const nums = p.apply(Create.of(1, 2, 3));
    nums.apply(Sum.globally());
    nums.apply(Top.largest<number>(2));
    nums.apply(Sample.any<number>(2));
    nums.apply(Distinct.create<number>());
    nums.apply(ApproximateQuantiles.globally<number>(3));
    p.apply("KVs", Create.of(KV.of("a", 1))).apply(Mean.perKey<string>());
    const names = Object.values(p.toJSON().transforms).map((t) => t.fullName);
    for (const n of [
      "Combine.globally(Sum)",
      "Combine.globally(Top)",
      "Sample.Any",
      "Sample.Any/Combine.globally(SampleAny)",
      "Sample.Any/Flatten.Iterables",
      "Distinct",
      "Distinct/CreateIndex",
      "Distinct/Combine.perKey(Null)",
      "Distinct/SinglePaneDistinct",
      "Combine.globally(ApproximateQuantiles)",
      "Combine.perKey(Mean)",
    ]) {
      expect(names).toContain(n);
    }
  });

  it("carry knownCombiner and accumulator coders for lifting", () => {
    const p = Pipeline.create(options);
    const kv = p.apply(Create.of(KV.of("a", 1), KV.of("b", 2)));
    kv.apply(Sum.perKey<string>());
    kv.apply(Mean.perKey<string>());
    kv.apply(Max.perKey<string, number>());
    kv.apply(Top.largestPerKey<string, number>(2));
    const graph = p.toJSON();
    const byName = (n: string) => Object.values(graph.transforms).find((t) => t.fullName === n)!;
    const payload = (n: string) => byName(n).payload as { knownCombiner?: string; accumulatorCoder?: { urn: string } };
    expect(payload("Combine.perKey(Sum)").knownCombiner).toBe("sum");
    expect(payload("Combine.perKey(Sum)").accumulatorCoder?.urn).toBe("beam:coder:varint:v1");
    expect(payload("Combine.perKey(Mean)").knownCombiner).toBe("mean");
    expect(payload("Combine.perKey(Max)").knownCombiner).toBe("max");
    expect(payload("Combine.perKey(Top)").knownCombiner).toBeUndefined();
    expect(payload("Combine.perKey(Top)").accumulatorCoder?.urn).toBe("beam:coder:iterable:v1");
    void StringUtf8Coder;
  });
});
