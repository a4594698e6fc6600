import { describe, expect, it } from "vitest";
import { StringUtf8Coder } from "../../../src/sdk/coders/string_utf8_coder.js";
import { VarLongCoder } from "../../../src/sdk/coders/var_long_coder.js";
import { TopFn } from "../../../src/sdk/transforms/combiners/top.js";
import { combineAll, combineSplit, rng } from "./helpers.js";

describe("TopFn", () => {
  const r0 = rng(11);
  const xs = Array.from({ length: 1000 }, () => Math.floor(r0() * 100000));
  const desc = xs.slice().sort((a, b) => b - a);

  it("keeps the n largest, largest first, however split; accumulators never exceed n", () => {
    const r = rng(12);
    for (const n of [0, 1, 5, 50]) {
      for (let t = 0; t < 20; t++) {
        const out = combineSplit(new TopFn<number>(n), xs, r, {
          shuffle: true,
          inputCoder: VarLongCoder.of(),
          check: (acc) => expect(acc.length).toBeLessThanOrEqual(n),
        });
        expect(out).toEqual(desc.slice(0, n));
      }
    }
  });

  it("smallest: the n least, least first", () => {
    const r = rng(13);
    const asc = desc.slice().reverse();
    for (let t = 0; t < 20; t++) expect(combineSplit(new TopFn<number>(7, { smallest: true }), xs, r, { shuffle: true })).toEqual(asc.slice(0, 7));
  });

  it("fewer inputs than n: all of them, sorted", () => {
    expect(combineAll(new TopFn<string>(10), ["b", "c", "a"])).toEqual(["c", "b", "a"]);
    expect(combineAll(new TopFn<string>(10, { smallest: true }), ["b", "c", "a"])).toEqual(["a", "b", "c"]);
    expect(combineAll(new TopFn<string>(3), [])).toEqual([]);
  });

  it("orders by a comparator", () => {
    const words = ["pear", "fig", "banana", "kiwi", "watermelon", "date"];
    const byLength = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
    const r = rng(14);
    for (let t = 0; t < 20; t++) {
      expect(combineSplit(new TopFn<string>(2, { compare: byLength }), words, r, { shuffle: true, inputCoder: StringUtf8Coder.of() })).toEqual([
        "watermelon",
        "banana",
      ]);
      expect(combineSplit(new TopFn<string>(3, { compare: byLength, smallest: true }), words, r, { shuffle: true })).toEqual(["fig", "date", "kiwi"]);
    }
  });

  it("refuses a bad n", () => {
    expect(() => new TopFn(-1)).toThrow(RangeError);
    expect(() => new TopFn(1.5)).toThrow(RangeError);
  });
});
