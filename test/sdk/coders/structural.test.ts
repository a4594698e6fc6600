// structuralValue must be equal (as Map keys compare: SameValueZero) exactly when the
// encodings are equal. Checked on random samples that include collisions on purpose.
import { describe, expect, it } from "vitest";
import {
  BooleanCoder,
  BytesCoder,
  Coder,
  DoubleCoder,
  GeneralObjectCoder,
  InstantCoder,
  IntervalWindowCoder,
  IterableCoder,
  KvCoder,
  LengthPrefixCoder,
  NullableCoder,
  PaneInfoCoder,
  StringUtf8Coder,
  VarLongCoder,
  bytesKey,
} from "../../../src/sdk/coders/index.js";
import { KV } from "../../../src/sdk/values/kv.js";
import { PaneInfo, type PaneTiming } from "../../../src/sdk/values/pane.js";
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from "../../../src/sdk/values/time.js";
import { IntervalWindow } from "../../../src/sdk/values/windows.js";
import { rng } from "./helpers.js";

const rand = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (n: number) => Math.floor(rand() * n);

const strings = ["", "a", "b", "ab", "a\0", "\uD800", "\uFFFD", "\uDFFF", "\uDFFFx", "光", "😀", "s1:", "n1;", "#", "1", "true"];
const randString = () => (rand() < 0.7 ? pick(strings) : Array.from({ length: int(4) }, () => pick(["a", "b", "\uD83D", "\uDE00", "é", ":"])).join(""));
const safeInts = [0, -0, 1, -1, 127, 128, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
const randInt = () => (rand() < 0.7 ? pick(safeInts) : int(1000) - 500);
const randLong = (): number | bigint => (rand() < 0.8 ? randInt() : pick([2n ** 53n, -(2n ** 53n), 5n, -1n, 2n ** 63n - 1n]));
const randDouble = () => pick([0, -0, NaN, 1.5, -1.5, Infinity, -Infinity, 0.1, 1, 2 ** 60]);
const randGeneral = (depth = 0): unknown => {
  const r = int(depth > 2 ? 8 : 13);
  switch (r) {
    case 0: return null;
    case 1: return undefined;
    case 2: return rand() < 0.5;
    case 3: return randInt();
    case 4: return randDouble();
    case 5: return randString();
    case 6: return pick([0n, 1n, -1n, 2n ** 70n]);
    case 7: return new Uint8Array(Array.from({ length: int(3) }, () => int(3)));
    case 8: return Array.from({ length: int(3) }, () => randGeneral(depth + 1));
    case 9: return KV.of(randGeneral(depth + 1), randGeneral(depth + 1));
    case 10: return Object.fromEntries(Array.from({ length: int(3) }, () => [pick(["a", "b", "c"]), randGeneral(depth + 1)]));
    case 11: return new Set(Array.from({ length: int(3) }, () => randInt()));
    default: return new Map(Array.from({ length: int(3) }, () => [randString(), randGeneral(depth + 1)]));
  }
};
const timings: PaneTiming[] = ["EARLY", "ON_TIME", "LATE", "UNKNOWN"];

function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x instanceof Map || x instanceof Set ? [...x] : x)) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function check<T>(coder: Coder<T>, gen: () => T, n = 400): void {
  const samples = Array.from({ length: n }, gen);
  const byBytes = new Map<string, unknown>(); // bytes → a structural value
  const byStructural = new Map<unknown, string>(); // structural value → bytes
  for (const v of samples) {
    const bytes = bytesKey(coder.encodeToBytes(v));
    const s = coder.structuralValue(v);
    if (byBytes.has(bytes)) {
      if (!new Map([[byBytes.get(bytes), 1]]).has(s)) expect.fail(`${coder}: equal bytes, different structural values for ${show(v)}`);
    } else byBytes.set(bytes, s);
    if (byStructural.has(s)) {
      if (byStructural.get(s) !== bytes) expect.fail(`${coder}: equal structural values, different bytes for ${show(v)}`);
    } else byStructural.set(s, bytes);
  }
  // The samples did hit duplicates, so the check means something.
  expect(byBytes.size).toBeLessThan(samples.length);
}

describe("structuralValue: equal bytes ⇔ equal structural values", () => {
  it("StringUtf8Coder", () => check(StringUtf8Coder.of(), randString));
  it("VarLongCoder", () => check(VarLongCoder.of<number | bigint>(), randLong));
  it("DoubleCoder", () => check(DoubleCoder.of(), randDouble));
  it("BooleanCoder", () => check(BooleanCoder.of(), () => rand() < 0.5));
  it("BytesCoder", () => check(BytesCoder.of(), () => new Uint8Array(Array.from({ length: int(3) }, () => int(2)))));
  it("KvCoder of strings and longs", () => check(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of<number | bigint>()), () => KV.of(randString(), randLong())));
  it("KvCoder of longs and strings", () => check(KvCoder.of(VarLongCoder.of(), StringUtf8Coder.of()), () => KV.of(randInt(), randString())));
  it("KvCoder of doubles and bytes (byte fallbacks inside)", () =>
    check(KvCoder.of(DoubleCoder.of(), BytesCoder.of()), () => KV.of(randDouble(), new Uint8Array([int(2)]))));
  it("KvCoder nested with general values", () =>
    check(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), BooleanCoder.of()), GeneralObjectCoder.of()), () => KV.of(KV.of(randString(), rand() < 0.5), randGeneral(2))));
  it("IterableCoder", () => check(IterableCoder.of(StringUtf8Coder.of()), () => Array.from({ length: int(3) }, randString)));
  it("NullableCoder", () => check(NullableCoder.of(StringUtf8Coder.of()), () => (rand() < 0.3 ? pick([null, undefined]) : randString())));
  it("NullableCoder of general values", () => check(NullableCoder.of(GeneralObjectCoder.of()), () => (rand() < 0.2 ? null : randGeneral(1))));
  it("LengthPrefixCoder", () => check(LengthPrefixCoder.of(GeneralObjectCoder.of()), () => randGeneral(1)));
  it("GeneralObjectCoder", () => check(GeneralObjectCoder.of(), () => randGeneral(), 2000));
  it("InstantCoder", () => check(InstantCoder.of(), () => pick([0, -0, 1, -1, TIMESTAMP_MIN, TIMESTAMP_MAX, Infinity, -Infinity, 1.5, 1, 2 ** 53, -(2 ** 60)])));
  it("IntervalWindowCoder", () =>
    check(IntervalWindowCoder.of(), () => new IntervalWindow(pick([0, -0, TIMESTAMP_MIN, -Infinity, 10]), pick([100, TIMESTAMP_MAX, Infinity, 1000]))));
  it("PaneInfoCoder", () =>
    check(PaneInfoCoder.of(), () => (rand() < 0.3 ? PaneInfo.NO_FIRING : PaneInfo.of(rand() < 0.5, rand() < 0.5, pick(timings), int(3), pick([-1, 0, 1, 2])))));
});

describe("structuralValue is cheap where it can be", () => {
  it("is the value itself for strings and safe integers", () => {
    expect(StringUtf8Coder.of().structuralValue("word")).toBe("word");
    expect(VarLongCoder.of().structuralValue(42)).toBe(42);
    expect(GeneralObjectCoder.of().structuralValue("word")).toBe("word");
    expect(GeneralObjectCoder.of().structuralValue(42)).toBe(42);
  });
  it("is one string for a KV of those", () => {
    expect(typeof KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()).structuralValue(KV.of("a", 1))).toBe("string");
  });
});
