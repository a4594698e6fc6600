// Byte vectors, computed by hand from Beam's coder definitions (Java SDK, org.apache.beam.sdk.coders)
// and checked against Beam's own reference encodings in
// model/fn-execution/src/main/resources/org/apache/beam/model/fnexecution/v1/standard_coders.yaml
// (cited as "standard_coders.yaml"; flowbook always uses the nested context).
import { describe, expect, it } from "vitest";
import {
  AvroCoder,
  BooleanCoder,
  BytesCoder,
  DoubleCoder,
  IterableCoder,
  JsonCoder,
  KvCoder,
  NullableCoder,
  StringUtf8Coder,
  VarLongCoder,
} from "../../../src/sdk/coders/index.js";
import { KV } from "../../../src/sdk/values/kv.js";
import { expectVector, fromHex } from "./helpers.js";

describe("StringUtf8Coder (beam:coder:string_utf8:v1): varint byte length + UTF-8", () => {
  const c = StringUtf8Coder.of();
  it("writes ASCII", () => {
    expectVector(c, "abc", "03 61 62 63");
    expectVector(c, "", "00");
    expectVector(c, "ab\0c", "04 61 62 00 63"); // standard_coders.yaml
  });
  it("writes multi-byte UTF-8", () => {
    expectVector(c, "\u00ff", "02 c3 bf"); // standard_coders.yaml
    expectVector(c, "光线", "06 e5 85 89 e7 ba bf"); // standard_coders.yaml
    expectVector(c, "😀", "04 f0 9f 98 80"); // a surrogate pair is one 4-byte code point
  });
  it("writes lone surrogates as U+FFFD (EF BF BD), as Java does", () => {
    expectVector(c, "\uD800", "03 ef bf bd", "\uFFFD");
    expectVector(c, "a\uDC00b", "05 61 ef bf bd 62", "a\uFFFDb");
  });
  it("takes a two-byte length at 128 bytes and beyond", () => {
    // standard_coders.yaml: a 200-character string has length c8 01.
    const s = Array.from({ length: 20 }, (_, i) => String((i + 1) * 10).padStart(9, " ") + "|").join("");
    expect(s.length).toBe(200);
    const bytes = c.encodeToBytes(s);
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0xc8, 0x01]);
    expect(bytes.length).toBe(202);
    // 127 ASCII bytes: one length byte; 128: two. Non-ASCII near the boundary, too.
    expect(c.encodeToBytes("x".repeat(127))[0]).toBe(127);
    expect(Array.from(c.encodeToBytes("x".repeat(128)).subarray(0, 2))).toEqual([0x80, 0x01]);
    const wide = "é".repeat(64); // 128 bytes of UTF-8 from 64 UTF-16 units
    expect(Array.from(c.encodeToBytes(wide).subarray(0, 2))).toEqual([0x80, 0x01]);
    expect(c.decodeFromBytes(c.encodeToBytes(wide))).toBe(wide);
  });
});

describe("VarLongCoder (beam:coder:varint:v1): LEB128 of the int64 two's complement", () => {
  const c = VarLongCoder.of<number | bigint>();
  it("writes small and large values", () => {
    // standard_coders.yaml
    expectVector(c, 0, "00");
    expectVector(c, 1, "01");
    expectVector(c, 10, "0a");
    expectVector(c, 200, "c8 01");
    expectVector(c, 1000, "e8 07");
    expectVector(c, 9001, "a9 46");
    expectVector(c, -1, "ff ff ff ff ff ff ff ff ff 01");
    // By hand: 300 = 0b10_0101100 → 0xac, 0x02.
    expectVector(c, 300, "ac 02");
    expectVector(c, 127, "7f");
    expectVector(c, 128, "80 01");
    // 2^31 and 2^32 cross the writer's 32-bit fast path.
    expectVector(c, 2 ** 31, "80 80 80 80 08");
    expectVector(c, 2 ** 32, "80 80 80 80 10");
  });
  it("covers the safe-integer and int64 extremes", () => {
    // 2^53 − 1 is 53 one-bits: seven bytes of 7 bits, then 0b1111.
    expectVector(c, Number.MAX_SAFE_INTEGER, "ff ff ff ff ff ff ff 0f");
    // −(2^53 − 1) = 2^64 − 2^53 + 1 unsigned.
    expectVector(c, Number.MIN_SAFE_INTEGER, "81 80 80 80 80 80 80 f0 ff 01");
    expectVector(c, 2n ** 53n, "80 80 80 80 80 80 80 10");
    expectVector(c, 2n ** 63n - 1n, "ff ff ff ff ff ff ff ff 7f");
    expectVector(c, -(2n ** 63n), "80 80 80 80 80 80 80 80 80 01");
    expectVector(c, -(2n ** 53n), "80 80 80 80 80 80 80 f0 ff 01");
    expectVector(c, -2147483648, "80 80 80 80 f8 ff ff ff ff 01");
  });
  it("decodes to a number when safe, else a bigint", () => {
    expect(c.decodeFromBytes(fromHex("ff ff ff ff ff ff ff 0f"))).toBe(Number.MAX_SAFE_INTEGER);
    expect(c.decodeFromBytes(fromHex("80 80 80 80 80 80 80 10"))).toBe(2n ** 53n);
    expect(c.decodeFromBytes(c.encodeToBytes(5n))).toBe(5);
    expect(c.decodeFromBytes(c.encodeToBytes(-5n))).toBe(-5);
  });
});

describe("DoubleCoder (beam:coder:double:v1): 8-byte big-endian IEEE 754", () => {
  const c = DoubleCoder.of();
  it("writes doubles", () => {
    expectVector(c, 1.0, "3f f0 00 00 00 00 00 00");
    // standard_coders.yaml
    expectVector(c, 0, "00 00 00 00 00 00 00 00");
    expectVector(c, -0, "80 00 00 00 00 00 00 00");
    expectVector(c, 0.1, "3f b9 99 99 99 99 99 9a");
    expectVector(c, -0.1, "bf b9 99 99 99 99 99 9a");
    expectVector(c, 4.9e-324, "00 00 00 00 00 00 00 01");
    expectVector(c, 1.7976931348623157e308, "7f ef ff ff ff ff ff ff");
    expectVector(c, Infinity, "7f f0 00 00 00 00 00 00");
    expectVector(c, -Infinity, "ff f0 00 00 00 00 00 00");
    expectVector(c, NaN, "7f f8 00 00 00 00 00 00");
  });
});

describe("BytesCoder (beam:coder:bytes:v1): varint length + bytes", () => {
  const c = BytesCoder.of();
  it("writes byte arrays", () => {
    expectVector(c, new Uint8Array([0x61, 0x62, 0x63]), "03 61 62 63"); // standard_coders.yaml
    expectVector(c, new Uint8Array([0x61, 0x62, 0x00, 0x63]), "04 61 62 00 63");
    expectVector(c, new Uint8Array(0), "00");
    const big = new Uint8Array(300).map((_, i) => i & 0xff);
    const bytes = c.encodeToBytes(big);
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0xac, 0x02]);
    expect(c.decodeFromBytes(bytes)).toEqual(big);
  });
  it("decodes to a copy, not a view of the input", () => {
    const input = fromHex("02 01 02");
    const out = c.decodeFromBytes(input);
    input[1] = 9;
    expect(Array.from(out)).toEqual([1, 2]);
  });
});

describe("BooleanCoder (beam:coder:bool:v1): one byte", () => {
  const c = BooleanCoder.of();
  it("writes 00 and 01", () => {
    expectVector(c, false, "00");
    expectVector(c, true, "01");
  });
  it("refuses other bytes", () => {
    expect(() => c.decodeFromBytes(fromHex("02"))).toThrow(/neither 00 \(false\) nor 01 \(true\)/);
  });
});

describe("KvCoder (beam:coder:kv:v1): key then value", () => {
  it("writes KV(\"a\", 1)", () => {
    expectVector(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()), KV.of("a", 1), "01 61 01");
  });
  it("matches standard_coders.yaml", () => {
    const abc = new Uint8Array([0x61, 0x62, 0x63]);
    expectVector(KvCoder.of(BytesCoder.of(), VarLongCoder.of()), KV.of(abc, 0), "03 61 62 63 00");
    expectVector(KvCoder.of(BytesCoder.of(), BooleanCoder.of()), KV.of(abc, true), "03 61 62 63 01");
    expectVector(KvCoder.of(BytesCoder.of(), BytesCoder.of()), KV.of(abc, new Uint8Array([0x64, 0x65, 0x66])), "03 61 62 63 03 64 65 66");
  });
  it("nests", () => {
    const c = KvCoder.of(StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), BooleanCoder.of()));
    expectVector(c, KV.of("k", KV.of(-1, true)), "01 6b ff ff ff ff ff ff ff ff ff 01 01");
  });
});

describe("IterableCoder (beam:coder:iterable:v1): int32 big-endian count, then elements", () => {
  it("writes [\"a\", \"b\"]", () => {
    expectVector(IterableCoder.of(StringUtf8Coder.of()), ["a", "b"], "00 00 00 02 01 61 01 62");
  });
  it("matches standard_coders.yaml", () => {
    const c = IterableCoder.of(VarLongCoder.of());
    expectVector(c, [0], "00 00 00 01 00");
    expectVector(c, [1, 10, 200, 1000], "00 00 00 04 01 0a c8 01 e8 07");
    expectVector(c, [], "00 00 00 00");
    expectVector(IterableCoder.of(BooleanCoder.of()), [true, false], "00 00 00 02 01 00");
  });
  it("encodes any iterable and decodes to an array", () => {
    const c = IterableCoder.of(VarLongCoder.of());
    expectVector(c, new Set([3, 4]), "00 00 00 02 03 04", [3, 4]);
    function* gen() { yield 7; }
    expectVector(c, gen(), "00 00 00 01 07", [7]);
  });
  it("reads Beam's unknown-size form: count -1, blocks, varint 0 (standard_coders.yaml)", () => {
    const c = IterableCoder.of(BytesCoder.of());
    expect(c.decodeFromBytes(fromHex("ff ff ff ff 00"))).toEqual([]);
    expect(c.decodeFromBytes(fromHex("ff ff ff ff 01 03 61 62 63 00"))).toEqual([new Uint8Array([0x61, 0x62, 0x63])]);
    expect(c.decodeFromBytes(fromHex("ff ff ff ff 02 04 61 62 00 63 04 64 65 00 66 00"))).toEqual([
      new Uint8Array([0x61, 0x62, 0, 0x63]),
      new Uint8Array([0x64, 0x65, 0, 0x66]),
    ]);
  });
});

describe("NullableCoder (beam:coder:nullable:v1): 00, or 01 then the value", () => {
  const c = NullableCoder.of(StringUtf8Coder.of());
  it("writes null, undefined and values", () => {
    expectVector(c, null, "00");
    expectVector(c, undefined, "00", null);
    expectVector(c, "a", "01 01 61");
    expectVector(c, "", "01 00");
  });
});

describe("JsonCoder (flowbook:coder:json:v1): varint length + UTF-8 JSON", () => {
  const c = JsonCoder.of();
  it("writes JSON text", () => {
    expectVector(c, { a: 1 }, "07 7b 22 61 22 3a 31 7d");
    expectVector(c, null, "04 6e 75 6c 6c");
    expectVector(c, "é", "04 22 c3 a9 22");
  });
});

describe("AvroCoder (flowbook:coder:avro:v1): varint length + Avro binary", () => {
  it("writes primitives", () => {
    // Avro: a string is a zigzag varint length (2 → 04) then UTF-8; a long is a zigzag varint.
    expectVector(AvroCoder.of("string"), "hi", "03 04 68 69");
    expectVector(AvroCoder.of("long"), -1, "01 01");
    expectVector(AvroCoder.of("long"), 1, "01 02");
  });
  it("writes records as their fields in order", () => {
    const c = AvroCoder.of({ type: "record", name: "User", fields: [{ name: "name", type: "string" }, { name: "age", type: "int" }] });
    // "ab" → 04 61 62; 30 → zigzag 60 = 3c. Total 4 bytes.
    expectVector(c, { name: "ab", age: 30 }, "04 04 61 62 3c");
  });
});
