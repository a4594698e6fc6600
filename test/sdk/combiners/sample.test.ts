import { describe, expect, it } from "vitest";
import { VarLongCoder } from "../../../src/sdk/coders/var_long_coder.js";
import { SampleAnyFn, SampleFn } from "../../../src/sdk/transforms/combiners/sample.js";
import { combineAll, combineSplit, rng } from "./helpers.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("SampleFn", () => {
  it("returns n distinct inputs, or all of them when there are fewer", () => {
    const r = rng(21);
    for (let t = 0; t < 30; t++) {
      const out = combineSplit(new SampleFn<number>(10, { seed: t }), range(100), r, {
        inputCoder: VarLongCoder.of(),
        check: (acc) => expect(acc.items.length).toBeLessThanOrEqual(10),
      });
      expect(out).toHaveLength(10);
      expect(new Set(out).size).toBe(10);
      for (const x of out) expect(x >= 0 && x < 100).toBe(true);
    }
    expect(combineSplit(new SampleFn<number>(10, { seed: 1 }), range(4), r, { inputCoder: VarLongCoder.of() }).sort()).toEqual([0, 1, 2, 3]);
    expect(combineAll(new SampleFn<number>(3), [])).toEqual([]);
    expect(combineAll(new SampleFn<number>(0), range(5))).toEqual([]);
  });

  it("is uniform however inputs are split (chi-square over inclusion counts, fixed seeds)", () => {
    // 20 items, samples of 5: each item is included with probability 1/4.
    const N = 20;
    const n = 5;
    const trials = 4000;
    const counts = new Array<number>(N).fill(0);
    const fn = new SampleFn<number>(n, { seed: 12345 });
    const r = rng(22);
    for (let t = 0; t < trials; t++) {
      // Uneven splits (e.g. 1 + 19 items) are where a naive merge goes wrong.
      for (const x of combineSplit(fn, range(N), r, { maxParts: 6 })) counts[x]!++;
    }
    const expected = (trials * n) / N;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 19 degrees of freedom: P(chi2 > 43.8) = 0.001.
    expect(chi2).toBeLessThan(43.8);
  });

  it("a naive merge would be biased: an accumulator of 1 input merged with one of 99", () => {
    // Item 0 alone in one accumulator must still be picked with probability n / N.
    const fn = new SampleFn<number>(10, { seed: 7 });
    let hits = 0;
    const trials = 5000;
    for (let t = 0; t < trials; t++) {
      const a = fn.addInput(fn.createAccumulator(), 0);
      let b = fn.createAccumulator();
      for (let i = 1; i < 100; i++) b = fn.addInput(b, i);
      if (fn.extractOutput(fn.mergeAccumulators([a, b])).includes(0)) hits++;
    }
    // p = 0.1, sd = sqrt(5000 * 0.1 * 0.9) ≈ 21: allow 5 sd.
    expect(Math.abs(hits - 500)).toBeLessThan(106);
  });

  it("repeats itself with a seed", () => {
    const a = combineAll(new SampleFn<number>(5, { seed: 99 }), range(1000));
    const b = combineAll(new SampleFn<number>(5, { seed: 99 }), range(1000));
    expect(a).toEqual(b);
  });
});

describe("SampleAnyFn", () => {
  it("returns at most n inputs", () => {
    const r = rng(23);
    for (let t = 0; t < 20; t++) {
      const out = combineSplit(new SampleAnyFn<number>(7), range(50), r, { inputCoder: VarLongCoder.of() });
      expect(out).toHaveLength(7);
      expect(new Set(out).size).toBe(7);
    }
    expect(combineAll(new SampleAnyFn<number>(7), range(3))).toEqual([0, 1, 2]);
  });
});
