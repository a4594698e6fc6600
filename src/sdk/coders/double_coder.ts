import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { notA } from "./describe.js";

/**
 * Beam's DoubleCoder (`beam:coder:double:v1`): the IEEE 754 double, 8 bytes big-endian.
 * `1.0` → `3f f0 00 00 00 00 00 00`.
 *
 * Not deterministic, as Beam says: values that compare equal can have different bytes
 * (`0` and `-0`; NaNs with different payloads), so a double is not a safe grouping key.
 * Key by an integer, a string, or let GeneralObjectCoder (which normalizes -0 and NaN) do it.
 */
export class DoubleCoder extends Coder<number> {
  static readonly URN = "beam:coder:double:v1";
  static readonly INSTANCE = new DoubleCoder();
  readonly urn = DoubleCoder.URN;

  static of(): DoubleCoder {
    return DoubleCoder.INSTANCE;
  }

  encode(value: number, out: ByteWriter): void {
    if (typeof value !== "number") throw notA("a number", value, this);
    out.float64BE(value);
  }

  decode(input: ByteReader): number {
    return input.float64BE("a double (DoubleCoder)");
  }

  override isDeterministic(): boolean {
    return false;
  }

  override nonDeterminismReason(): string {
    return "DoubleCoder is not deterministic (as in Beam): floating-point values that compare equal can encode differently (0 and -0, NaN payloads)";
  }

  /** The number itself where === agrees with the bytes (not 0, -0 or NaN). */
  override structuralValue(value: number): unknown {
    if (value !== 0 && value === value) return value;
    return super.structuralValue(value);
  }
}

registerCoder(DoubleCoder.URN, () => DoubleCoder.INSTANCE);
