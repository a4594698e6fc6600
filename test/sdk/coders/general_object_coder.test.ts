// GeneralObjectCoder (flowbook:coder:general:v1): a type-tag byte, then the value.
// Tags: 00 null, 01 undefined, 02 false, 03 true, 04 int ≥ 0 (varint), 05 int < 0 (varint of
// the magnitude), 06 double, 07/08 bigint ≥ 0 / < 0 (varint byte count + big-endian magnitude),
// 09 string, 0a bytes, 0b Date, 0c array, 0d KV, 0e object (fields sorted), 0f Map, 10 Set.
import { describe, expect, it } from "vitest";
import { GeneralObjectCoder } from "../../../src/sdk/coders/index.js";
import { KV } from "../../../src/sdk/values/kv.js";
import { expectVector, roundTrip, toHex } from "./helpers.js";

const c = GeneralObjectCoder.of();

describe("GeneralObjectCoder vectors", () => {
  it("writes primitives", () => {
    expectVector(c, null, "00");
    expectVector(c, undefined, "01");
    expectVector(c, false, "02");
    expectVector(c, true, "03");
    expectVector(c, 0, "04 00");
    expectVector(c, 1, "04 01");
    expectVector(c, 300, "04 ac 02");
    expectVector(c, -1, "05 01");
    expectVector(c, -300, "05 ac 02");
    expectVector(c, 1.5, "06 3f f8 00 00 00 00 00 00");
    expectVector(c, 2 ** 60, "06 43 b0 00 00 00 00 00 00"); // not a safe integer: a double
    expectVector(c, "a", "09 01 61");
    expectVector(c, "", "09 00");
    expectVector(c, new Uint8Array([1, 2]), "0a 02 01 02");
    expectVector(c, new Date(0), "0b 00 00 00 00 00 00 00 00");
  });
  it("normalizes -0 and NaN", () => {
    expectVector(c, -0, "04 00", 0);
    expectVector(c, NaN, "06 7f f8 00 00 00 00 00 00");
    expectVector(c, new Date(NaN), "0b 7f f8 00 00 00 00 00 00");
  });
  it("writes bigints by magnitude", () => {
    expectVector(c, 0n, "07 00");
    expectVector(c, 255n, "07 01 ff");
    expectVector(c, -256n, "08 02 01 00");
    expectVector(c, 2n ** 64n, "07 09 01 00 00 00 00 00 00 00 00");
  });
  it("writes containers", () => {
    expectVector(c, [1, "a"], "0c 02 04 01 09 01 61");
    expectVector(c, [], "0c 00");
    expectVector(c, KV.of("a", 1), "0d 09 01 61 04 01");
    expectVector(c, { value: 1, key: "a" }, "0d 09 01 61 04 01", { key: "a", value: 1 });
    // Fields sorted by name: a, b.
    expectVector(c, { b: 1, a: true }, "0e 02 01 61 03 01 62 04 01");
    expectVector(c, {}, "0e 00");
    // Map entries sorted by their bytes: ("a", 2) before ("b", 1).
    expectVector(c, new Map<unknown, unknown>([["b", 1], ["a", 2]]), "0f 02 09 01 61 04 02 09 01 62 04 01", new Map([["a", 2], ["b", 1]]));
    expectVector(c, new Set([2, 1]), "10 02 04 01 04 02", new Set([1, 2]));
  });
});

describe("GeneralObjectCoder round trips", () => {
  it("round-trips nested plain data", () => {
    const values: unknown[] = [
      { user: { name: "Ada", tags: ["x", "y"], born: new Date(Date.UTC(1815, 11, 10)) }, scores: [1, -2, 3.25, NaN, Infinity], big: 2n ** 70n, neg: -(2n ** 70n) },
      [null, undefined, true, false, "", "光线😀", new Uint8Array([0, 255])],
      new Map<unknown, unknown>([[1, "one"], ["1", "string one"], [KV.of("k", 2), new Set(["a"])]]),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
      "x".repeat(100_000),
      Object.assign(Object.create(null) as object, { a: 1 }),
    ];
    for (const v of values) expect(roundTrip(c, v)).toEqual(v);
  });
  it("keeps holes as undefined", () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(c.decodeFromBytes(c.encodeToBytes([1, , 3]))).toEqual([1, undefined, 3]);
  });
  it("restores a __proto__ field as data, not as a prototype", () => {
    const o = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    const back = c.decodeFromBytes(c.encodeToBytes(o)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back).sort()).toEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("GeneralObjectCoder determinism", () => {
  it("is deterministic", () => {
    expect(c.isDeterministic()).toBe(true);
    expect(c.nonDeterminismReason()).toBeUndefined();
  });
  it("gives equal bytes for equal objects built in different orders", () => {
    const a = { x: 1, y: { p: [1, 2], q: "s" }, z: null };
    const b = { z: null, y: { q: "s", p: [1, 2] }, x: 1 };
    expect(toHex(c.encodeToBytes(a))).toBe(toHex(c.encodeToBytes(b)));
    const m1 = new Map<unknown, unknown>([["a", 1], [2, "b"], [{ k: 1, j: 2 }, 3]]);
    const m2 = new Map<unknown, unknown>([[{ j: 2, k: 1 }, 3], [2, "b"], ["a", 1]]);
    expect(toHex(c.encodeToBytes(m1))).toBe(toHex(c.encodeToBytes(m2)));
    expect(toHex(c.encodeToBytes(new Set([3, 1, 2])))).toBe(toHex(c.encodeToBytes(new Set([2, 3, 1]))));
    expect(toHex(c.encodeToBytes(-0))).toBe(toHex(c.encodeToBytes(0)));
  });
});

describe("GeneralObjectCoder refusals", () => {
  class Point {
    constructor(readonly x: number) {}
  }
  it("names the class and where it sits, and suggests .setCoder", () => {
    expect(() => c.encodeToBytes(new Point(1))).toThrow(/cannot encode element: it is an instance of Point.*\.setCoder\(/s);
    expect(() => c.encodeToBytes({ users: [{ at: new Point(1) }] })).toThrow(/element\.users\[0\]\.at: it is an instance of Point/);
    expect(() => c.encodeToBytes(new Map([["k", new Point(2)]]))).toThrow(/element\.get\("k"\): it is an instance of Point/);
  });
  it("refuses functions and symbols", () => {
    expect(() => c.encodeToBytes({ f: function handler() {} })).toThrow(/element\.f: it is a function \(handler\)/);
    expect(() => c.encodeToBytes([Symbol("s")])).toThrow(/element\[0\]: it is a symbol \(Symbol\(s\)\)/);
  });
  it("refuses cycles without overflowing the stack", () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(() => c.encodeToBytes(o)).toThrow(/nested more than 1000 levels deep \(does it contain a cycle\?\)/);
  });
  it("refuses an unknown tag", () => {
    expect(() => c.decodeFromBytes(new Uint8Array([0x42]))).toThrow(/unknown type tag 0x42 at offset 0/);
  });
});
