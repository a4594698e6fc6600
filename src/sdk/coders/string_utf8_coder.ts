import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { notA } from "./describe.js";
import { wellFormed } from "./structural.js";

/**
 * Beam's StringUtf8Coder (`beam:coder:string_utf8:v1`), nested: varint byte length, then
 * the UTF-8 bytes. `"abc"` → `03 61 62 63`.
 *
 * Lone surrogates (a JS string may hold them, UTF-8 cannot) are written as U+FFFD, as Java
 * writes them, so `"\uD800"` decodes as `"\uFFFD"`. Equal strings still give equal bytes:
 * the coder is deterministic.
 */
export class StringUtf8Coder extends Coder<string> {
  static readonly URN = "beam:coder:string_utf8:v1";
  static readonly INSTANCE = new StringUtf8Coder();
  readonly urn = StringUtf8Coder.URN;

  static of(): StringUtf8Coder {
    return StringUtf8Coder.INSTANCE;
  }

  encode(value: string, out: ByteWriter): void {
    if (typeof value !== "string") throw notA("string", value, this);
    out.lengthPrefixedUtf8(value);
  }

  decode(input: ByteReader): string {
    const n = input.varUint("the length of a string");
    return input.utf8(n, `a ${n}-byte UTF-8 string`);
  }

  /** The string itself (with lone surrogates as U+FFFD, the way they encode). */
  override structuralValue(value: string): unknown {
    return wellFormed(value);
  }
}

registerCoder(StringUtf8Coder.URN, () => StringUtf8Coder.INSTANCE);
