import { describe, expect, it } from "vitest";
import { DoubleCoder } from "../../../src/sdk/coders/double_coder.js";
import { VarLongCoder } from "../../../src/sdk/coders/var_long_coder.js";
import { ApproximateQuantilesFn, optimalBuffers, type QuantileState } from "../../../src/sdk/transforms/combiners/approximate_quantiles.js";
import { combineAll, combineSplit, rng, shuffled } from "./helpers.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("ApproximateQuantilesFn", () => {
  it("is exact on small inputs, however split (Beam's tests)", () => {
    const r = rng(31);
    for (let t = 0; t < 30; t++) {
      const opts = { shuffle: true, inputCoder: VarLongCoder.of() };
      expect(combineSplit(new ApproximateQuantilesFn<number>(5), range(101), r, opts)).toEqual([0, 25, 50, 75, 100]);
      expect(combineSplit(new ApproximateQuantilesFn<number>(2), [1, 10, 10, 100], r, opts)).toEqual([1, 100]);
      const dup: number[] = [];
      for (let i = 0; i < 10; i++) dup.push(...range(101));
      expect(combineSplit(new ApproximateQuantilesFn<number>(5), dup, r, opts)).toEqual([0, 25, 50, 75, 100]);
    }
  });

  it("matches Beam's expected outputs", () => {
    expect(combineAll(new ApproximateQuantilesFn<number>(5), [389])).toEqual([389, 389, 389, 389, 389]);
    const lots = [1, ...new Array(299).fill(2), ...new Array(700).fill(3)];
    expect(combineAll(new ApproximateQuantilesFn<number>(5), lots)).toEqual([1, 2, 3, 3, 3]);
    const log = range(999).map((i) => Math.floor(Math.log(i + 1)));
    expect(combineAll(new ApproximateQuantilesFn<number>(5), log)).toEqual([0, 5, 6, 6, 6]);
    const zipf = range(999).map((i) => Math.floor(1000 / (i + 1)));
    expect(combineAll(new ApproximateQuantilesFn<number>(5), zipf)).toEqual([1, 1, 2, 4, 1000]);
    const words = ["aa", "aaa", "aaaa", "b", "ccccc", "dddd", "zz"];
    expect(combineAll(new ApproximateQuantilesFn<string>(3), words)).toEqual(["aa", "b", "zz"]);
    const byLength = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
    expect(combineAll(new ApproximateQuantilesFn<string>(3, { compare: byLength }), words)).toEqual(["b", "aaa", "ccccc"]);
    const descending = (a: number, b: number) => b - a;
    expect(combineAll(new ApproximateQuantilesFn<number>(5, { compare: descending }), range(101))).toEqual([100, 75, 50, 25, 0]);
  });

  it("empty input gives an empty list", () => {
    expect(combineAll(new ApproximateQuantilesFn<number>(5), [])).toEqual([]);
    const r = rng(32);
    expect(combineSplit(new ApproximateQuantilesFn<number>(5), [], r, { inputCoder: VarLongCoder.of() })).toEqual([]);
  });

  it("chooses b and k as Beam does (its reference table)", () => {
    const epsilons = [0.1, 0.05, 0.01, 0.005, 0.001];
    const sizes = [1e5, 1e6, 1e7, 1e8, 1e9];
    const b = [
      [11, 14, 17, 21, 24],
      [11, 14, 17, 20, 23],
      [9, 11, 14, 17, 21],
      [8, 11, 14, 17, 20],
      [6, 9, 11, 14, 17],
    ];
    const k = [
      [98, 123, 153, 96, 120],
      [98, 123, 153, 191, 239],
      [391, 977, 1221, 1526, 954],
      [782, 977, 1221, 1526, 1908],
      [3125, 3907, 9766, 12208, 15259],
    ];
    epsilons.forEach((e, i) =>
      sizes.forEach((n, j) => {
        expect(optimalBuffers(e, n)).toEqual({ numBuffers: b[i]![j], bufferSize: k[i]![j] });
        const fn = new ApproximateQuantilesFn<number>(10, { epsilon: e, maxInputSize: n });
        expect(fn.numBuffers).toBe(b[i]![j]);
        expect(fn.bufferSize).toBe(k[i]![j]);
      }),
    );
  });

  it("stays within Beam's error bound on 100k random numbers, in bounded memory", () => {
    const r = rng(33);
    const N = 100_000;
    const xs = Array.from({ length: N }, () => r() * 1e6);
    const sorted = xs.slice().sort((a, b) => a - b);
    const rankOf = (v: number) => {
      // first and last index of v in sorted
      let lo = 0, hi = N;
      while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m]! < v) lo = m + 1; else hi = m; }
      let hi2 = lo;
      while (hi2 + 1 < N && sorted[hi2 + 1] === v) hi2++;
      return [lo, hi2] as const;
    };
    for (const [q, epsilon] of [[11, undefined], [101, undefined], [5, 0.01]] as const) {
      const fn = new ApproximateQuantilesFn<number>(q, epsilon === undefined ? {} : { epsilon });
      const eps = fn.epsilon;
      const bound = fn.numBuffers * fn.bufferSize + fn.bufferSize;
      let maxHeld = 0;
      const check = (s: QuantileState<number>) => {
        const held = s.unbuffered.length + s.buffers.reduce((a, b) => a + b.elements.length, 0);
        maxHeld = Math.max(maxHeld, held);
        expect(held).toBeLessThanOrEqual(bound);
      };
      for (const split of [false, true]) {
        const out = split
          ? combineSplit(fn, xs, r, { inputCoder: DoubleCoder.of(), maxParts: 6, check })
          : (() => {
              let acc = fn.createAccumulator();
              for (const x of xs) { acc = fn.addInput(acc, x); }
              check(acc);
              return fn.extractOutput(acc);
            })();
        expect(out).toHaveLength(q);
        expect(out[0]).toBe(sorted[0]);
        expect(out[q - 1]).toBe(sorted[N - 1]);
        for (let i = 1; i < q - 1; i++) {
          const exact = Math.floor(((N - 1) * i) / (q - 1));
          const [lo, hi] = rankOf(out[i]!);
          const err = exact < lo ? lo - exact : exact > hi ? exact - hi : 0;
          expect(err, `quantile ${i}/${q - 1}`).toBeLessThan(eps * N);
        }
        for (let i = 1; i < q; i++) expect(out[i]! >= out[i - 1]!).toBe(true);
      }
      // The memory bound depends on epsilon and maxInputSize (10^9), not on the input:
      // for q = 11 it is 23 buffers of 239, a twentieth of this input.
      if (q === 11) expect(maxHeld).toBeLessThan(N / 10);
    }
  });

  it("collapses buffers when there are many (small buffers), still within the bound", () => {
    const fn = new ApproximateQuantilesFn<number>(11, { epsilon: 0.05, maxInputSize: 10_000 });
    const r = rng(34);
    const xs = shuffled(range(10_000), r);
    const out = combineSplit(fn, xs, r, { inputCoder: VarLongCoder.of() });
    for (let i = 0; i < 11; i++) expect(Math.abs(out[i]! - i * 999.9)).toBeLessThan(0.05 * 10_000);
  });

  it("refuses bad arguments", () => {
    expect(() => new ApproximateQuantilesFn(1)).toThrow(RangeError);
    expect(() => new ApproximateQuantilesFn(5, { epsilon: 0 })).toThrow(RangeError);
    expect(new ApproximateQuantilesFn<number>(5).withEpsilon(0.01).epsilon).toBe(0.01);
    expect(new ApproximateQuantilesFn<number>(5).withMaxInputSize(1000).maxInputSize).toBe(1000);
  });
});
