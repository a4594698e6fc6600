import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from "../values/time.js";
import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { describe } from "./describe.js";

const TWO_32 = 4294967296;

/**
 * Beam's timestamp bounds in exact milliseconds. In JS they are not safe integers
 * (|t| > 2^53), so `TIMESTAMP_MIN`, `TIMESTAMP_MAX` and `END_OF_GLOBAL_WINDOW` are the
 * nearest doubles; the coder maps them to and from Beam's exact values, so Java sees
 * BoundedWindow.TIMESTAMP_MIN_VALUE / TIMESTAMP_MAX_VALUE / GlobalWindow.maxTimestamp().
 */
export const BEAM_TIMESTAMP_MIN_MILLIS = -9223372036854775n;
export const BEAM_TIMESTAMP_MAX_MILLIS = 9223372036854775n;
export const BEAM_END_OF_GLOBAL_WINDOW_MILLIS = 9223372036854775n - 86_400_000n;

/**
 * The exact millisecond value Beam gets for a JS instant: the number itself when it is a
 * safe integer (fractions are floored); the bounds map to Beam's bounds, and anything
 * beyond them is clamped to them (±Infinity included).
 */
export function instantToBeamMillis(t: Instant): number | bigint {
  if (Number.isSafeInteger(t)) return t;
  if (typeof t !== "number" || Number.isNaN(t)) {
    throw new TypeError(`not a timestamp: ${describe(t)} (an Instant is milliseconds since the epoch as a number)`);
  }
  if (t >= TIMESTAMP_MAX) return BEAM_TIMESTAMP_MAX_MILLIS;
  if (t <= TIMESTAMP_MIN) return BEAM_TIMESTAMP_MIN_MILLIS;
  if (t === END_OF_GLOBAL_WINDOW) return BEAM_END_OF_GLOBAL_WINDOW_MILLIS;
  const floored = Math.floor(t);
  return Number.isSafeInteger(floored) ? floored : BigInt(floored);
}

/** The JS instant for Beam's exact milliseconds: the inverse of instantToBeamMillis. */
export function beamMillisToInstant(m: number | bigint): Instant {
  if (typeof m === "number") return m;
  if (m >= BEAM_TIMESTAMP_MAX_MILLIS) return TIMESTAMP_MAX;
  if (m <= BEAM_TIMESTAMP_MIN_MILLIS) return TIMESTAMP_MIN;
  if (m === BEAM_END_OF_GLOBAL_WINDOW_MILLIS) return END_OF_GLOBAL_WINDOW;
  return Number(m);
}

/** Writes Beam's InstantCoder bytes for exact millis (a safe integer or a bigint). */
export function writeBeamMillis(m: number | bigint, out: ByteWriter): void {
  if (typeof m === "number") {
    const hi = Math.floor(m / TWO_32);
    out.int32BE(hi ^ 0x80000000);
    out.int32BE(m - hi * TWO_32);
  } else {
    out.int64BE(BigInt.asIntN(64, m ^ -0x8000000000000000n));
  }
}

/** Reads Beam's InstantCoder bytes as exact millis: a number where safe, else a bigint. */
export function readBeamMillis(input: ByteReader): number | bigint {
  const hi = input.int32BE("a timestamp") ^ 0x80000000;
  const lo = input.int32BE("a timestamp") >>> 0;
  if (hi >= -0x200000 && hi < 0x200000) {
    const m = hi * TWO_32 + lo;
    if (Number.isSafeInteger(m)) return m;
  }
  return BigInt(hi) * 4294967296n + BigInt(lo);
}

/**
 * Beam's InstantCoder (`flowbook:coder:instant:v1`; Beam has no standard URN for it):
 * 8 bytes big-endian of (millis − Long.MIN_VALUE), i.e. the int64 with its sign bit
 * flipped, so byte order is time order. `0` → `80 00 00 00 00 00 00 00`;
 * `-1` → `7f ff ff ff ff ff ff ff`. Instants are JS numbers of milliseconds.
 */
export class InstantCoder extends Coder<Instant> {
  static readonly URN = "flowbook:coder:instant:v1";
  static readonly INSTANCE = new InstantCoder();
  readonly urn = InstantCoder.URN;

  static of(): InstantCoder {
    return InstantCoder.INSTANCE;
  }

  encode(value: Instant, out: ByteWriter): void {
    writeBeamMillis(instantToBeamMillis(value), out);
  }

  decode(input: ByteReader): Instant {
    return beamMillisToInstant(readBeamMillis(input));
  }

  override structuralValue(value: Instant): unknown {
    const m = instantToBeamMillis(value);
    return typeof m === "number" ? m + 0 : m;
  }
}

registerCoder(InstantCoder.URN, () => InstantCoder.INSTANCE);
