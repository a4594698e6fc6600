import { describe, expect, it } from "vitest";
import {
  BooleanCoder,
  BytesCoder,
  DoubleCoder,
  GeneralObjectCoder,
  inferCoderFromValues,
  KvCoder,
  StringUtf8Coder,
  VarLongCoder,
} from "../../../src/sdk/coders/index.js";
import { KV } from "../../../src/sdk/values/kv.js";

describe("inferCoderFromValues", () => {
  it("picks the obvious Beam coder for uniform values", () => {
    expect(inferCoderFromValues(["a", "b"])).toBe(StringUtf8Coder.of());
    expect(inferCoderFromValues([1, -2, 2 ** 40])).toBe(VarLongCoder.of());
    expect(inferCoderFromValues([1, 2.5])).toBe(DoubleCoder.of());
    expect(inferCoderFromValues([NaN])).toBe(DoubleCoder.of());
    expect(inferCoderFromValues([true, false])).toBe(BooleanCoder.of());
    expect(inferCoderFromValues([new Uint8Array(1), Buffer.from("x")])).toBe(BytesCoder.of());
  });
  it("infers KV components from the keys and the values", () => {
    const c = inferCoderFromValues([KV.of("a", 1), KV.of("b", 2)]);
    expect(c).toBeInstanceOf(KvCoder);
    expect(c.toSpec()).toEqual(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()).toSpec());
    const nested = inferCoderFromValues([KV.of(1, KV.of("x", true))]);
    expect(nested.toString()).toBe("KvCoder(VarLongCoder, KvCoder(StringUtf8Coder, BooleanCoder))");
  });
  it("keeps KV keys groupable: a double key coder becomes GeneralObjectCoder", () => {
    const c = inferCoderFromValues([KV.of(1.5, "a"), KV.of(2, "b")]);
    expect(c.toString()).toBe("KvCoder(GeneralObjectCoder, StringUtf8Coder)");
    expect(c.isDeterministic()).toBe(true);
    // Double values are fine.
    expect(inferCoderFromValues([KV.of("a", 1.5)]).toString()).toBe("KvCoder(StringUtf8Coder, DoubleCoder)");
  });
  it("falls back to GeneralObjectCoder", () => {
    expect(inferCoderFromValues([])).toBe(GeneralObjectCoder.of());
    expect(inferCoderFromValues(["a", 1])).toBe(GeneralObjectCoder.of());
    expect(inferCoderFromValues([1, 2n ** 60n])).toBe(GeneralObjectCoder.of());
    expect(inferCoderFromValues([2n])).toBe(GeneralObjectCoder.of());
    expect(inferCoderFromValues([null, "a"])).toBe(GeneralObjectCoder.of());
    expect(inferCoderFromValues(["a", null])).toBe(GeneralObjectCoder.of());
    expect(inferCoderFromValues([{ a: 1 }])).toBe(GeneralObjectCoder.of());
    expect(inferCoderFromValues([KV.of("a", 1), { key: "b" }])).toBe(GeneralObjectCoder.of());
    expect(inferCoderFromValues([[1, 2]])).toBe(GeneralObjectCoder.of());
  });
});
