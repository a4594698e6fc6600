import type { ByteReader, ByteWriter } from "./byte_io.js";
import { bytesKey, Coder, registerCoder } from "./coder.js";
import { notA } from "./describe.js";

/**
 * Beam's ByteArrayCoder (`beam:coder:bytes:v1`), nested: varint length, then the bytes.
 * `[0x61, 0x00]` → `02 61 00`. Decodes to a fresh Uint8Array (a copy, safe to keep).
 */
export class BytesCoder extends Coder<Uint8Array> {
  static readonly URN = "beam:coder:bytes:v1";
  static readonly INSTANCE = new BytesCoder();
  readonly urn = BytesCoder.URN;

  static of(): BytesCoder {
    return BytesCoder.INSTANCE;
  }

  encode(value: Uint8Array, out: ByteWriter): void {
    if (!(value instanceof Uint8Array)) throw notA("a Uint8Array", value, this);
    out.varUint(value.length);
    out.bytes(value);
  }

  decode(input: ByteReader): Uint8Array {
    const n = input.varUint("the length of a byte array");
    return input.bytes(n, `a ${n}-byte array`).slice();
  }

  /** The bytes as a string, one char per byte (no length prefix needed: it's one value). */
  override structuralValue(value: Uint8Array): unknown {
    return bytesKey(value);
  }
}

registerCoder(BytesCoder.URN, () => BytesCoder.INSTANCE);
