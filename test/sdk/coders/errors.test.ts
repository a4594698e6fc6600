import { describe, expect, it } from "vitest";
import {
  AvroCoder,
  BytesCoder,
  DoubleCoder,
  GeneralObjectCoder,
  InstantCoder,
  IntervalWindowCoder,
  IterableCoder,
  JsonCoder,
  KvCoder,
  NullableCoder,
  PaneInfoCoder,
  StringUtf8Coder,
  VarLongCoder,
  WindowedValueCoder,
  GlobalWindowCoder,
} from "../../../src/sdk/coders/index.js";
import { KV } from "../../../src/sdk/values/kv.js";
import { PaneInfo } from "../../../src/sdk/values/pane.js";
import { WindowedValue } from "../../../src/sdk/values/windowed_value.js";
import { fromHex } from "./helpers.js";

describe("decoding truncated input names what ran short", () => {
  it.each([
    ["a string's length", StringUtf8Coder.of(), "", /length of a string/],
    ["a string's bytes", StringUtf8Coder.of(), "03 61", /needed 3 byte\(s\) for a 3-byte UTF-8 string at offset 1, have 1/],
    ["a varint", VarLongCoder.of(), "ff ff", /truncated input: needed 1 byte\(s\) for a varint \(VarLongCoder\) at offset 2/],
    ["a double", DoubleCoder.of(), "3f f0 00", /needed 8 byte\(s\) for a double/],
    ["a byte array", BytesCoder.of(), "05 01 02", /a 5-byte array/],
    ["an iterable's count", IterableCoder.of(StringUtf8Coder.of()), "00 00", /element count of an iterable/],
    ["an iterable's element", IterableCoder.of(StringUtf8Coder.of()), "00 00 00 02 01 61", /length of a string at offset 6/],
    ["a KV's value", KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()), "01 61", /varint \(VarLongCoder\)/],
    ["a nullable's marker", NullableCoder.of(StringUtf8Coder.of()), "", /null marker/],
    ["a timestamp", InstantCoder.of(), "80 00 00", /needed 4 byte\(s\) for a timestamp/],
    ["a window's span", IntervalWindowCoder.of(), "80 00 00 00 00 00 03 e8", /span of an IntervalWindow/],
    ["a pane index", PaneInfoCoder.of(), "10", /index of a PaneInfo/],
    ["a windowed value's window count", WindowedValueCoder.of(StringUtf8Coder.of(), GlobalWindowCoder.of()), "80 00 00 00 00 00 00 00 00", /window count of a windowed value/],
    ["a general object's field", GeneralObjectCoder.of(), "0e 01 01 61", /type tag \(GeneralObjectCoder\)/],
    ["a JSON text", JsonCoder.of(), "05 7b", /5-byte JSON text/],
    ["an Avro value", AvroCoder.of("string"), "04 06 61", /4-byte Avro value/],
  ] as const)("%s", (_what, coder, hex, message) => {
    expect(() => (coder as { decodeFromBytes(b: Uint8Array): unknown }).decodeFromBytes(fromHex(hex))).toThrow(message);
  });
  it("reports bytes left over", () => {
    expect(() => StringUtf8Coder.of().decodeFromBytes(fromHex("01 61 62"))).toThrow(/1 byte\(s\) left after decoding/);
  });
});

describe("encoding the wrong value says what was expected and what came", () => {
  it("VarLongCoder rejects non-integers, naming the value", () => {
    const c = VarLongCoder.of<number | bigint>();
    expect(() => c.encodeToBytes(1.5)).toThrow(/VarLongCoder cannot encode 1\.5: not an integer/);
    expect(() => c.encodeToBytes(NaN)).toThrow(/cannot encode NaN: not an integer/);
    expect(() => c.encodeToBytes(2 ** 60)).toThrow(/cannot encode 1152921504606847000: past Number.MAX_SAFE_INTEGER.*bigint/);
    expect(() => c.encodeToBytes(2n ** 63n)).toThrow(/9223372036854775808n: outside the 64-bit signed range/);
    expect(() => c.encodeToBytes("7" as unknown as number)).toThrow(/expects an integer .* got "7"/);
  });
  it("other coders name the value", () => {
    expect(() => StringUtf8Coder.of().encodeToBytes(42 as unknown as string)).toThrow(/StringUtf8Coder expects string, got the number 42/);
    expect(() => BytesCoder.of().encodeToBytes([1, 2] as unknown as Uint8Array)).toThrow(/expects a Uint8Array, got an array of 2/);
    expect(() => KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()).encodeToBytes(KV.of("a", 0.5))).toThrow(/not an integer/);
    expect(() => JsonCoder.of().encodeToBytes(undefined)).toThrow(/JsonCoder cannot encode undefined/);
    expect(() => JsonCoder.of().encodeToBytes({ n: 1n })).toThrow(/JsonCoder cannot encode .*BigInt/);
    expect(() => AvroCoder.of({ type: "record", name: "U", fields: [{ name: "age", type: "int" }] }).encodeToBytes({ age: "x" })).toThrow(
      /AvroCoder\(U\) cannot encode .*age is "x", not a valid int/,
    );
    expect(() => PaneInfoCoder.of().encodeToBytes(PaneInfo.of(false, false, "LATE", 1.5, 0))).toThrow(/pane index 1\.5/);
    expect(() => WindowedValueCoder.of(StringUtf8Coder.of(), GlobalWindowCoder.of()).encodeToBytes(WindowedValue.valueInGlobalWindow("a", NaN))).toThrow(/not a timestamp/);
  });
});
