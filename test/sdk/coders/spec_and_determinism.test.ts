import { describe, expect, it } from "vitest";
import {
  AvroCoder,
  BooleanCoder,
  BytesCoder,
  Coder,
  coderFromSpec,
  DoubleCoder,
  GeneralObjectCoder,
  GlobalWindowCoder,
  InstantCoder,
  IntervalWindowCoder,
  IterableCoder,
  JsonCoder,
  KvCoder,
  LengthPrefixCoder,
  NullableCoder,
  PaneInfoCoder,
  StringUtf8Coder,
  VarLongCoder,
  WindowedValueCoder,
} from "../../../src/sdk/coders/index.js";

const userSchema = { type: "record", name: "User", fields: [{ name: "name", type: "string" }, { name: "age", type: "int" }] };
const mapSchema = { type: "record", name: "Doc", fields: [{ name: "attrs", type: { type: "map", values: "string" } }] };

const all: [string, Coder<unknown>][] = [
  ["StringUtf8Coder", StringUtf8Coder.of()],
  ["VarLongCoder", VarLongCoder.of()],
  ["DoubleCoder", DoubleCoder.of()],
  ["BytesCoder", BytesCoder.of()],
  ["BooleanCoder", BooleanCoder.of()],
  ["KvCoder", KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()) as Coder<unknown>],
  ["IterableCoder", IterableCoder.of(BytesCoder.of()) as Coder<unknown>],
  ["NullableCoder", NullableCoder.of(DoubleCoder.of()) as Coder<unknown>],
  ["JsonCoder", JsonCoder.of()],
  ["LengthPrefixCoder", LengthPrefixCoder.of(JsonCoder.of())],
  ["AvroCoder", AvroCoder.of(userSchema)],
  ["GeneralObjectCoder", GeneralObjectCoder.of()],
  ["GlobalWindowCoder", GlobalWindowCoder.of() as Coder<unknown>],
  ["IntervalWindowCoder", IntervalWindowCoder.of() as Coder<unknown>],
  ["InstantCoder", InstantCoder.of() as Coder<unknown>],
  ["PaneInfoCoder", PaneInfoCoder.of() as Coder<unknown>],
  ["WindowedValueCoder", WindowedValueCoder.of(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(VarLongCoder.of())), IntervalWindowCoder.of()) as Coder<unknown>],
];

describe("coderFromSpec(c.toSpec())", () => {
  it.each(all)("rebuilds %s from its JSON spec", (_name, coder) => {
    const spec = JSON.parse(JSON.stringify(coder.toSpec()));
    const rebuilt = coderFromSpec(spec);
    expect(rebuilt.constructor).toBe(coder.constructor);
    expect(rebuilt.toSpec()).toEqual(coder.toSpec());
    expect(rebuilt.isDeterministic()).toBe(coder.isDeterministic());
    expect(rebuilt.toString()).toBe(coder.toString());
  });
  it("writes Beam's URNs and components", () => {
    expect(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()).toSpec()).toEqual({
      urn: "beam:coder:kv:v1",
      components: [{ urn: "beam:coder:string_utf8:v1" }, { urn: "beam:coder:varint:v1" }],
    });
    expect(WindowedValueCoder.of(BytesCoder.of(), GlobalWindowCoder.of()).toSpec()).toEqual({
      urn: "beam:coder:windowed_value:v1",
      components: [{ urn: "beam:coder:bytes:v1" }, { urn: "beam:coder:global_window:v1" }],
    });
    expect(AvroCoder.of(userSchema).toSpec()).toEqual({ urn: "flowbook:coder:avro:v1", payload: userSchema });
  });
  it("names the unknown URN", () => {
    expect(() => coderFromSpec({ urn: "beam:coder:nope:v1" })).toThrow(/unknown coder URN 'beam:coder:nope:v1'/);
  });
  it("accepts an Avro schema given as JSON text", () => {
    const c = AvroCoder.of(JSON.stringify(userSchema));
    expect(c.toSpec().payload).toEqual(userSchema);
    expect(c.decodeFromBytes(c.encodeToBytes({ name: "a", age: 1 }))).toEqual({ name: "a", age: 1 });
  });
});

describe("isDeterministic", () => {
  it("answers as Beam does for Beam's coders", () => {
    expect(StringUtf8Coder.of().isDeterministic()).toBe(true);
    expect(VarLongCoder.of().isDeterministic()).toBe(true);
    expect(BytesCoder.of().isDeterministic()).toBe(true);
    expect(BooleanCoder.of().isDeterministic()).toBe(true);
    expect(DoubleCoder.of().isDeterministic()).toBe(false);
    expect(DoubleCoder.of().nonDeterminismReason()).toMatch(/0 and -0/);
    expect(InstantCoder.of().isDeterministic()).toBe(true);
    expect(IntervalWindowCoder.of().isDeterministic()).toBe(true);
    expect(GlobalWindowCoder.of().isDeterministic()).toBe(true);
    expect(PaneInfoCoder.of().isDeterministic()).toBe(true);
  });
  it("composes through components and says which one", () => {
    expect(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of()).isDeterministic()).toBe(false);
    expect(KvCoder.of(DoubleCoder.of(), StringUtf8Coder.of()).nonDeterminismReason()).toMatch(/key coder of KvCoder\(DoubleCoder, StringUtf8Coder\) is not deterministic/);
    expect(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()).isDeterministic()).toBe(true);
    expect(IterableCoder.of(DoubleCoder.of()).isDeterministic()).toBe(false);
    expect(NullableCoder.of(DoubleCoder.of()).isDeterministic()).toBe(false);
    expect(NullableCoder.of(StringUtf8Coder.of()).isDeterministic()).toBe(true);
    expect(WindowedValueCoder.of(DoubleCoder.of(), GlobalWindowCoder.of()).isDeterministic()).toBe(false);
  });
  it("knows JSON's key order and Avro's maps", () => {
    expect(JsonCoder.of().isDeterministic()).toBe(false);
    expect(JsonCoder.of().nonDeterminismReason()).toMatch(/insertion order/);
    expect(AvroCoder.of(userSchema).isDeterministic()).toBe(true);
    expect(AvroCoder.of(mapSchema).isDeterministic()).toBe(false);
    expect(AvroCoder.of(mapSchema).nonDeterminismReason()).toMatch(/map/);
    expect(AvroCoder.of({ type: "array", items: { type: "map", values: "int" } }).isDeterministic()).toBe(false);
    expect(GeneralObjectCoder.of().isDeterministic()).toBe(true);
  });
  it("gives equal bytes for equal strings, even with lone surrogates", () => {
    const c = StringUtf8Coder.of();
    expect(c.encodeToBytes("x\uD83D")).toEqual(c.encodeToBytes("x\uD83D"));
  });
});
