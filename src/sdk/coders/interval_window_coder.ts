import { IntervalWindow } from "../values/windows.js";
import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { notA } from "./describe.js";
import { beamMillisToInstant, instantToBeamMillis, readBeamMillis, writeBeamMillis } from "./instant_coder.js";

/**
 * Beam's IntervalWindow.IntervalWindowCoder (`beam:coder:interval_window:v1`): the end
 * as InstantCoder (8 bytes, sign bit flipped), then the span (end − start) in millis as
 * a VarLong (Beam's DurationCoder). `[0, 1000)` → `80 00 00 00 00 00 03 e8 e8 07`.
 */
export class IntervalWindowCoder extends Coder<IntervalWindow> {
  static readonly URN = "beam:coder:interval_window:v1";
  static readonly INSTANCE = new IntervalWindowCoder();
  readonly urn = IntervalWindowCoder.URN;

  static of(): IntervalWindowCoder {
    return IntervalWindowCoder.INSTANCE;
  }

  encode(value: IntervalWindow, out: ByteWriter): void {
    if (!(value instanceof IntervalWindow)) throw notA("an IntervalWindow", value, this);
    const end = instantToBeamMillis(value.end);
    const start = instantToBeamMillis(value.start);
    writeBeamMillis(end, out);
    if (typeof end === "number" && typeof start === "number") {
      const span = end - start;
      if (Number.isSafeInteger(span)) return out.varInt64(span);
    }
    out.varInt64(BigInt(end) - BigInt(start));
  }

  decode(input: ByteReader): IntervalWindow {
    const end = readBeamMillis(input);
    const span = input.varInt64("the span of an IntervalWindow");
    let start: number | bigint;
    if (typeof end === "number" && typeof span === "number" && Number.isSafeInteger(end - span)) start = end - span;
    else start = BigInt(end) - BigInt(span);
    return new IntervalWindow(beamMillisToInstant(start), beamMillisToInstant(end));
  }

  /** start and end joined (both exact millis), equal exactly when the bytes are. */
  override structuralValue(value: IntervalWindow): unknown {
    return `${instantToBeamMillis(value.start)},${instantToBeamMillis(value.end)}`;
  }
}

registerCoder(IntervalWindowCoder.URN, () => IntervalWindowCoder.INSTANCE);
