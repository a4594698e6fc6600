import { describe, expect, it } from "vitest";
import {
  AvroCoder,
  BytesCoder,
  ByteReader,
  ByteWriter,
  DoubleCoder,
  IterableCoder,
  JsonCoder,
  KvCoder,
  NullableCoder,
  StringUtf8Coder,
  VarLongCoder,
} from "../../../src/sdk/coders/index.js";
import { KV } from "../../../src/sdk/values/kv.js";
import { rng, roundTrip } from "./helpers.js";

describe("round trips of edge values", () => {
  it("strings: empty, long, every kind of UTF-16", () => {
    const c = StringUtf8Coder.of();
    const rand = rng(7);
    const samples = ["", "a", "x".repeat(42), "x".repeat(43), "é".repeat(42), "é".repeat(43), "x".repeat(1 << 20), "光线😀\u0000\u007f\u0080\u07ff\u0800\uffff", "\uD83D\uDE00".repeat(1000)];
    for (let i = 0; i < 200; i++) {
      const len = Math.floor(rand() * 200);
      samples.push(String.fromCodePoint(...Array.from({ length: len }, () => {
        const r = rand();
        return r < 0.5 ? Math.floor(rand() * 0x80) : r < 0.8 ? Math.floor(rand() * 0xd800) : 0x10000 + Math.floor(rand() * 0xfffff);
      })));
    }
    for (const s of samples) expect(roundTrip(c, s)).toBe(s);
  });
  it("strings pack one after another in one writer", () => {
    const c = StringUtf8Coder.of();
    const w = new ByteWriter(0);
    const words = ["a", "é".repeat(100), "", "z".repeat(300), "光"];
    for (const s of words) c.encode(s, w);
    const r = new ByteReader(w.toBytes());
    expect(words.map(() => c.decode(r))).toEqual(words);
    expect(r.atEnd()).toBe(true);
  });
  it("varints: every power of two and its neighbours, both signs, as numbers and bigints", () => {
    const c = VarLongCoder.of<number | bigint>();
    for (let p = 0n; p < 64n; p++) {
      for (const d of [-1n, 0n, 1n]) {
        for (const sign of [1n, -1n]) {
          const v = BigInt.asIntN(64, sign * ((1n << p) + d));
          const back = roundTrip(c, v);
          expect(BigInt(back)).toBe(v);
          const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
          expect(typeof back).toBe(safe ? "number" : "bigint");
          if (safe) expect(roundTrip(c, Number(v))).toBe(Number(v));
        }
      }
    }
  });
  it("doubles keep -0 and NaN bit for bit", () => {
    const c = DoubleCoder.of();
    expect(Object.is(roundTrip(c, -0), -0)).toBe(true);
    expect(roundTrip(c, NaN)).toBeNaN();
    for (const d of [Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON, -1e-300, Math.PI]) expect(roundTrip(c, d)).toBe(d);
  });
  it("bytes: empty and large", () => {
    const c = BytesCoder.of();
    expect(roundTrip(c, new Uint8Array(0))).toEqual(new Uint8Array(0));
    const big = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
    const back = c.decodeFromBytes(c.encodeToBytes(big));
    expect(Buffer.from(back).equals(Buffer.from(big))).toBe(true);
  });
  it("iterables: empty and many", () => {
    const c = IterableCoder.of(KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(VarLongCoder.of())));
    expect(roundTrip(c, [])).toEqual([]);
    const many = Array.from({ length: 10_000 }, (_, i) => KV.of(`k${i}`, i % 3 ? i : null));
    expect(roundTrip(c, many)).toEqual(many);
  });
  it("JSON: nested values", () => {
    const v = { a: [1, "x", null, { b: true }], "é": 1.5 };
    expect(roundTrip(JsonCoder.of(), v)).toEqual(v);
  });
  it("Avro: records with unions, arrays, maps and bytes decode to plain objects", () => {
    const c = AvroCoder.of({
      type: "record",
      name: "Event",
      fields: [
        { name: "id", type: "long" },
        { name: "tags", type: { type: "array", items: "string" } },
        { name: "attrs", type: { type: "map", values: "double" } },
        { name: "note", type: ["null", "string"], default: null },
        { name: "payload", type: "bytes" },
        { name: "inner", type: { type: "record", name: "Inner", fields: [{ name: "x", type: "int" }] } },
      ],
    });
    const v = { id: 12, tags: ["a", "b"], attrs: { p: 0.5 }, note: "hi", payload: Buffer.from([1, 2]), inner: { x: 3 } };
    const back = roundTrip(c, v) as typeof v;
    expect(back).toEqual(v);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(back.inner)).toBe(Object.prototype);
  });
});
