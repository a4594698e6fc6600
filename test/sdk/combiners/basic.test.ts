import { describe, expect, it } from "vitest";
import { DoubleCoder } from "../../../src/sdk/coders/double_coder.js";
import { StringUtf8Coder } from "../../../src/sdk/coders/string_utf8_coder.js";
import { VarLongCoder } from "../../../src/sdk/coders/var_long_coder.js";
import { CountFn } from "../../../src/sdk/transforms/combiners/count.js";
import { MeanAccumulatorCoder, MeanFn } from "../../../src/sdk/transforms/combiners/mean.js";
import { MaxFn, MinFn } from "../../../src/sdk/transforms/combiners/min_max.js";
import { SumFn } from "../../../src/sdk/transforms/combiners/sum.js";
import { naturalCompare } from "../../../src/sdk/transforms/combiners/compare.js";
import { combineAll, combineSplit, rng } from "./helpers.js";

const ints = (n: number, seed: number) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => Math.floor(r() * 2000) - 1000);
};

describe("SumFn", () => {
  it("sums numbers, the empty sum is 0", () => {
    const fn = new SumFn();
    expect(combineAll(fn, [])).toBe(0);
    expect(combineAll(fn, [1, 2, 3.5])).toBe(6.5);
    expect(fn.extractOutput(fn.createAccumulator())).toBe(0);
  });

  it("gives the same sum however inputs are split (integers, with the VarLong accumulator coder)", () => {
    const xs = ints(500, 1);
    const expected = xs.reduce((a, b) => a + b, 0);
    const r = rng(2);
    for (let t = 0; t < 50; t++) {
      expect(combineSplit(new SumFn(), xs, r, { inputCoder: VarLongCoder.of() })).toBe(expected);
    }
  });

  it("sums bigints exactly, and integral numbers past 2^53 into a bigint", () => {
    const fn = new SumFn<number | bigint>();
    expect(combineAll(fn, [1n, 2n, 3])).toBe(6);
    expect(combineAll(fn, [2n ** 70n, 1n])).toBe(2n ** 70n + 1n);
    const big = Number.MAX_SAFE_INTEGER;
    expect(combineAll(fn, [big, big, 1])).toBe(2n * BigInt(big) + 1n);
    // Back into a number when it fits again.
    expect(combineAll(fn, [big, 10, -20])).toBe(big - 10);
    const r = rng(3);
    const xs = [big, big, -big, 5, 2n ** 60n, -(2n ** 60n)];
    for (let t = 0; t < 30; t++) expect(combineSplit(fn, xs, r, { shuffle: true, inputCoder: VarLongCoder.of<number | bigint>() })).toBe(BigInt(big) + 5n);
  });

  it("refuses non-numbers and fractions mixed with bigints", () => {
    const fn = new SumFn<any>();
    expect(() => combineAll(fn, ["1"])).toThrow(/numbers and bigints/);
    expect(() => combineAll(fn, [1n, 0.5])).toThrow(/fractional/);
  });

  it("doubles mode sums as IEEE doubles (Sum.ofDoubles)", () => {
    const fn = new SumFn({ doubles: true });
    expect(combineAll(fn, [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER])).toBe(2 * Number.MAX_SAFE_INTEGER);
    expect(combineAll(fn as SumFn<any>, [1n, 0.5])).toBe(1.5);
    expect(fn.accumulatorCoder(DoubleCoder.of())).toBe(DoubleCoder.of());
    expect(fn.accumulatorCoder(VarLongCoder.of())).toBeUndefined();
    expect(new SumFn().accumulatorCoder(DoubleCoder.of())).toBeUndefined();
    const r = rng(4);
    const xs = Array.from({ length: 300 }, (_, i) => i / 4);
    for (let t = 0; t < 20; t++) expect(combineSplit(fn, xs, r, { shuffle: true, inputCoder: DoubleCoder.of() })).toBe(xs.reduce((a, b) => a + b));
  });

  it("is a known combiner", () => {
    expect(new SumFn().knownCombiner()).toBe("sum");
    expect(new SumFn().displayName()).toBe("Sum");
  });
});

describe("CountFn", () => {
  it("counts inputs of any kind, split any way", () => {
    const fn = new CountFn<unknown>();
    expect(combineAll(fn, [])).toBe(0);
    const xs: unknown[] = ["a", 1, null, { x: 1 }, [1], undefined, "a"];
    expect(combineAll(fn, xs)).toBe(7);
    const r = rng(5);
    const many = Array.from({ length: 1000 }, (_, i) => i);
    for (let t = 0; t < 30; t++) expect(combineSplit(fn, many, r, { inputCoder: VarLongCoder.of() })).toBe(1000);
    expect(fn.accumulatorCoder(StringUtf8Coder.of() as never)).toBe(VarLongCoder.of());
    expect(fn.knownCombiner()).toBe("count");
  });
});

describe("MinFn / MaxFn", () => {
  it("finds the least and greatest, however split", () => {
    const xs = ints(400, 6);
    const r = rng(7);
    for (let t = 0; t < 40; t++) {
      expect(combineSplit(new MinFn<number>(), xs, r, { inputCoder: VarLongCoder.of() })).toBe(Math.min(...xs));
      expect(combineSplit(new MaxFn<number>(), xs, r, { inputCoder: VarLongCoder.of() })).toBe(Math.max(...xs));
    }
  });

  it("empty input gives undefined, or the given default (Beam's identity values)", () => {
    expect(combineAll(new MinFn<number>(), [])).toBeUndefined();
    expect(combineAll(new MaxFn<number>(), [])).toBeUndefined();
    expect(combineAll(new MinFn<number, number>({ defaultValue: Infinity }), [])).toBe(Infinity);
    expect(combineAll(new MaxFn<number, number>({ defaultValue: -Infinity }), [])).toBe(-Infinity);
    // Empty accumulators survive the nullable accumulator coder and merge away.
    const r = rng(8);
    for (let t = 0; t < 10; t++) expect(combineSplit(new MinFn<string>(), ["b", "a", "c"], r, { inputCoder: StringUtf8Coder.of(), maxParts: 12 })).toBe("a");
  });

  it("orders strings, bigints and mixed numbers naturally", () => {
    expect(combineAll(new MinFn<string>(), ["pear", "apple", "fig"])).toBe("apple");
    expect(combineAll(new MaxFn<number | bigint>(), [3, 2n ** 64n, 7])).toBe(2n ** 64n);
    expect(combineAll(new MinFn<Date>(), [new Date(5), new Date(2), new Date(9)])).toEqual(new Date(2));
  });

  it("takes a comparator", () => {
    type P = { name: string; age: number };
    const people: P[] = [{ name: "a", age: 30 }, { name: "b", age: 12 }, { name: "c", age: 45 }];
    const byAge = (x: P, y: P) => x.age - y.age;
    expect(combineAll(new MinFn<P>({ compare: byAge }), people).name).toBe("b");
    expect(combineAll(new MaxFn<P>({ compare: byAge }), people).name).toBe("c");
    expect(new MinFn<P>({ compare: byAge }).knownCombiner()).toBeUndefined();
    expect(new MinFn<number>().knownCombiner()).toBe("min");
    expect(new MaxFn<number>().knownCombiner()).toBe("max");
    expect(() => combineAll(new MinFn<P>(), people)).toThrow(/comparator/);
  });

  it("propagates NaN like Math.min / Math.max", () => {
    expect(combineAll(new MinFn<number>(), [3, NaN, 1])).toBeNaN();
    expect(combineAll(new MaxFn<number>(), [3, NaN, 1])).toBeNaN();
    expect(combineAll(new MinFn<number>(), [NaN, 3])).toBeNaN();
  });

  it("refuses null inputs", () => {
    expect(() => combineAll(new MinFn<any>(), [1, null])).toThrow(/null/);
  });
});

describe("MeanFn", () => {
  it("averages; empty gives NaN", () => {
    expect(combineAll(new MeanFn(), [])).toBeNaN();
    expect(combineAll(new MeanFn(), [1, 2, 3, 4])).toBe(2.5);
    expect(combineAll(new MeanFn<bigint>(), [1n, 2n])).toBe(1.5);
    expect(new MeanFn().knownCombiner()).toBe("mean");
  });

  it("is the same however split, through Beam's CountSum layout", () => {
    const xs = ints(600, 9);
    const expected = xs.reduce((a, b) => a + b, 0) / xs.length;
    const r = rng(10);
    for (let t = 0; t < 40; t++) expect(combineSplit(new MeanFn(), xs, r, { inputCoder: VarLongCoder.of() })).toBe(expected);
    const c = MeanAccumulatorCoder.of();
    expect(Array.from(c.encodeToBytes({ count: 2, sum: 1 }))).toEqual([0, 0, 0, 0, 0, 0, 0, 2, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
  });
});

describe("naturalCompare", () => {
  it("orders numbers with NaN last, arrays lexicographically", () => {
    expect([3, NaN, -1, 2n].sort(naturalCompare)).toEqual([-1, 2n, 3, NaN]);
    expect([[1, 2], [1], [0, 9]].sort(naturalCompare)).toEqual([[0, 9], [1], [1, 2]]);
    expect(naturalCompare(false, true)).toBeLessThan(0);
  });
});
