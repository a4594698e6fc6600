import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { describe } from "./describe.js";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Beam's VarLongCoder (`beam:coder:varint:v1`): LEB128 of the 64-bit two's complement.
 * `300` → `ac 02`; `-1` → `ff ff ff ff ff ff ff ff ff 01` (negatives always take 10 bytes).
 *
 * Encodes safe-integer numbers and bigints in the int64 range; decodes to a number where
 * the value is a safe integer, else to a bigint. The type parameter says which the
 * pipeline expects: `VarLongCoder.of()` is a `Coder<number>` (the usual case: counts,
 * sums); `VarLongCoder.of<number | bigint>()` when values may pass 2^53.
 */
export class VarLongCoder<T extends number | bigint = number> extends Coder<T> {
  static readonly URN = "beam:coder:varint:v1";
  static readonly INSTANCE = new VarLongCoder<never>();
  readonly urn = VarLongCoder.URN;

  static of<T extends number | bigint = number>(): VarLongCoder<T> {
    return VarLongCoder.INSTANCE as VarLongCoder<T>;
  }

  encode(value: T, out: ByteWriter): void {
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw badLong(value);
      out.varInt64(value);
    } else if (typeof value === "bigint") {
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new RangeError(`VarLongCoder cannot encode ${value}n: outside the 64-bit signed range`);
      }
      out.varInt64(value);
    } else {
      throw badLong(value);
    }
  }

  decode(input: ByteReader): T {
    return input.varInt64("a varint (VarLongCoder)") as T;
  }

  /** The number itself (a bigint only past 2^53), so equal values are === . */
  override structuralValue(value: T): unknown {
    if (typeof value === "number") return value + 0; // -0 encodes as 0
    if (typeof value === "bigint" && value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER) return Number(value);
    return value;
  }
}

function badLong(value: unknown): Error {
  if (typeof value === "number") {
    if (Number.isInteger(value)) {
      return new RangeError(`VarLongCoder cannot encode ${value}: past Number.MAX_SAFE_INTEGER, so it may already have lost precision; pass a bigint`);
    }
    return new TypeError(`VarLongCoder cannot encode ${value}: not an integer (use DoubleCoder for fractional numbers)`);
  }
  return new TypeError(`VarLongCoder expects an integer (a safe-integer number or a bigint), got ${describe(value)}`);
}

registerCoder(VarLongCoder.URN, () => VarLongCoder.INSTANCE);
