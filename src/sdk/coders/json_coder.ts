import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { describe } from "./describe.js";

/**
 * flowbook's JsonCoder (`flowbook:coder:json:v1`): varint byte length, then the value as
 * UTF-8 JSON text (`JSON.stringify`). `{"a":1}` → `07 7b 22 61 22 3a 31 7d`.
 *
 * Not deterministic: `JSON.stringify` writes keys in insertion order, so equal objects can
 * give different bytes. For keys use GeneralObjectCoder (sorted keys) or a specific coder.
 * Decodes what JSON can hold: no undefined, bigint, Date (comes back as a string), Map, Set.
 */
export class JsonCoder<T = unknown> extends Coder<T> {
  static readonly URN = "flowbook:coder:json:v1";
  static readonly INSTANCE = new JsonCoder<never>();
  readonly urn = JsonCoder.URN;

  static of<T = unknown>(): JsonCoder<T> {
    return JsonCoder.INSTANCE as unknown as JsonCoder<T>;
  }

  encode(value: T, out: ByteWriter): void {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      throw new TypeError(`JsonCoder cannot encode ${describe(value)}: ${(e as Error).message}`);
    }
    if (text === undefined) throw new TypeError(`JsonCoder cannot encode ${describe(value)}: JSON has no form for it`);
    out.lengthPrefixedUtf8(text);
  }

  decode(input: ByteReader): T {
    const n = input.varUint("the length of a JSON text");
    const text = input.utf8(n, `a ${n}-byte JSON text`);
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new SyntaxError(`JsonCoder: bad JSON at offset ${input.pos - n}: ${(e as Error).message}`);
    }
  }

  override isDeterministic(): boolean {
    return false;
  }

  override nonDeterminismReason(): string {
    return "JsonCoder is not deterministic: JSON.stringify writes object keys in insertion order, so equal objects can encode differently (GeneralObjectCoder sorts keys)";
  }
}

registerCoder(JsonCoder.URN, () => JsonCoder.INSTANCE);
