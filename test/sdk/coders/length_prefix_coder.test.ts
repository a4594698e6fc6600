import { describe, expect, it } from "vitest";
import {
  ByteReader,
  ByteWriter,
  coderFromSpec,
  GeneralObjectCoder,
  JsonCoder,
  KvCoder,
  LengthPrefixCoder,
  StringUtf8Coder,
  VarLongCoder,
} from "../../../src/sdk/coders/index.js";
import { KV } from "../../../src/sdk/values/kv.js";
import { expectVector, fromHex, roundTrip } from "./helpers.js";

describe("LengthPrefixCoder (beam:coder:length_prefix:v1): varint length + inner encoding", () => {
  it("writes vectors", () => {
    expectVector(LengthPrefixCoder.of(JsonCoder.of()), 1, "02 01 31");
    expectVector(LengthPrefixCoder.of(StringUtf8Coder.of()), "abc", "04 03 61 62 63");
    expectVector(LengthPrefixCoder.of(VarLongCoder.of()), -1, "0a ff ff ff ff ff ff ff ff ff 01");
  });
  it("moves long values to fit a multi-byte prefix, mid-stream", () => {
    const c = KvCoder.of(StringUtf8Coder.of(), LengthPrefixCoder.of(GeneralObjectCoder.of()));
    for (const n of [0, 10, 125, 126, 127, 128, 300, 20_000, 70_000]) {
      const v = KV.of("k", "x".repeat(n));
      expect(roundTrip(c, v)).toEqual(v);
    }
    // Grow a tiny writer across the insert.
    const w = new ByteWriter(16);
    const lp = LengthPrefixCoder.of(StringUtf8Coder.of());
    lp.encode("y".repeat(200), w);
    lp.encode("z", w);
    const r = new ByteReader(w.toBytes());
    expect(lp.decode(r)).toBe("y".repeat(200));
    expect(lp.decode(r)).toBe("z");
    expect(r.atEnd()).toBe(true);
  });
  it("checks the inner value fills the prefix exactly", () => {
    const c = LengthPrefixCoder.of(StringUtf8Coder.of());
    expect(() => c.decodeFromBytes(fromHex("03 01 61 62"))).toThrow(/1 byte\(s\) of the 3-byte value left/);
    expect(() => c.decodeFromBytes(fromHex("05 01 61"))).toThrow(/5-byte length-prefixed value/);
  });
  it("takes its determinism from the inner coder and rebuilds from its spec", () => {
    expect(LengthPrefixCoder.of(JsonCoder.of()).isDeterministic()).toBe(false);
    expect(LengthPrefixCoder.of(GeneralObjectCoder.of()).isDeterministic()).toBe(true);
    const c = LengthPrefixCoder.of(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    expect(coderFromSpec(c.toSpec()).toSpec()).toEqual({
      urn: "beam:coder:length_prefix:v1",
      components: [{ urn: "beam:coder:kv:v1", components: [{ urn: "beam:coder:string_utf8:v1" }, { urn: "beam:coder:varint:v1" }] }],
    });
  });
});
