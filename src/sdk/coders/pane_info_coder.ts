import { PaneInfo, type PaneTiming } from "../values/pane.js";
import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { notA } from "./describe.js";

/** Beam's PaneInfo.Timing ordinals: part of the encoding, never reorder. */
const TIMINGS: readonly PaneTiming[] = ["EARLY", "ON_TIME", "LATE", "UNKNOWN"];
const TIMING_ORDINAL: Readonly<Record<PaneTiming, number>> = { EARLY: 0, ON_TIME: 1, LATE: 2, UNKNOWN: 3 };

/** Beam's PaneInfoCoder.Encoding: the high nibble of the first byte. */
const FIRST = 0x00;
const ONE_INDEX = 0x10;
const TWO_INDICES = 0x20;

/** Low nibble: bit 0 isFirst, bit 1 isLast, bits 2-3 the timing ordinal (Beam's encodedByte). */
export function paneEncodedByte(pane: PaneInfo): number {
  const ordinal = TIMING_ORDINAL[pane.timing];
  if (ordinal === undefined) throw new TypeError(`PaneInfoCoder: unknown pane timing ${String(pane.timing)}`);
  return (pane.isFirst ? 1 : 0) | (pane.isLast ? 2 : 0) | (ordinal << 2);
}

/**
 * What Beam's BYTE_TO_PANE_INFO table holds for each low nibble: the pane a FIRST-encoded
 * byte decodes to. First panes have index 0, later ones -1; nonSpeculativeIndex is -1
 * for EARLY, else 0. The two everyday panes come back as the shared PaneInfo constants.
 */
const BASE: readonly PaneInfo[] = Array.from({ length: 16 }, (_, b) => {
  const isFirst = (b & 1) !== 0;
  const isLast = (b & 2) !== 0;
  const timing = TIMINGS[b >> 2]!;
  const pane = PaneInfo.of(isFirst, isLast, timing, isFirst ? 0 : -1, timing === "EARLY" ? -1 : 0);
  if (b === paneEncodedByte(PaneInfo.NO_FIRING)) return PaneInfo.NO_FIRING;
  if (b === paneEncodedByte(PaneInfo.ON_TIME_AND_ONLY_FIRING)) return PaneInfo.ON_TIME_AND_ONLY_FIRING;
  return pane;
});

/**
 * Beam's PaneInfo.PaneInfoCoder (`flowbook:coder:pane_info:v1`; Beam has no standard URN).
 * One byte: the low nibble is isFirst | isLast<<1 | timing<<2 (EARLY 0, ON_TIME 1, LATE 2,
 * UNKNOWN 3); the high nibble picks the encoding, exactly as Beam chooses it:
 * - `0x0_` FIRST, nothing follows: when index = 0 and nonSpeculativeIndex = 0, or the
 *   timing is UNKNOWN. NO_FIRING → `0f`; ON_TIME_AND_ONLY_FIRING → `07`.
 * - `0x1_` ONE_INDEX, then VarLong index: when index = nonSpeculativeIndex, or EARLY
 *   (whose nonSpeculativeIndex decodes as -1, else as index).
 * - `0x2_` TWO_INDICES, then VarLong index, VarLong nonSpeculativeIndex.
 * Like Beam, FIRST drops the indices: it decodes to the table's pane for that nibble.
 */
export class PaneInfoCoder extends Coder<PaneInfo> {
  static readonly URN = "flowbook:coder:pane_info:v1";
  static readonly INSTANCE = new PaneInfoCoder();
  readonly urn = PaneInfoCoder.URN;

  static of(): PaneInfoCoder {
    return PaneInfoCoder.INSTANCE;
  }

  encode(pane: PaneInfo, out: ByteWriter): void {
    if (pane === PaneInfo.NO_FIRING) return out.byte(0x0f);
    if (pane === null || typeof pane !== "object") throw notA("a PaneInfo", pane, this);
    const b = paneEncodedByte(pane);
    const { index, nonSpeculativeIndex, timing } = pane;
    if ((index === 0 && nonSpeculativeIndex === 0) || timing === "UNKNOWN") {
      out.byte(b | FIRST);
    } else if (index === nonSpeculativeIndex || timing === "EARLY") {
      out.byte(b | ONE_INDEX);
      out.varInt64(checkIndex(index));
    } else {
      out.byte(b | TWO_INDICES);
      out.varInt64(checkIndex(index));
      out.varInt64(checkIndex(nonSpeculativeIndex));
    }
  }

  decode(input: ByteReader): PaneInfo {
    const b = input.byte("a PaneInfo");
    const base = BASE[b & 0x0f]!;
    switch (b & 0xf0) {
      case FIRST:
        return base;
      case ONE_INDEX: {
        const index = Number(input.varInt64("the index of a PaneInfo"));
        return PaneInfo.of(base.isFirst, base.isLast, base.timing, index, base.timing === "EARLY" ? -1 : index);
      }
      case TWO_INDICES: {
        const index = Number(input.varInt64("the index of a PaneInfo"));
        const nonSpeculativeIndex = Number(input.varInt64("the non-speculative index of a PaneInfo"));
        return PaneInfo.of(base.isFirst, base.isLast, base.timing, index, nonSpeculativeIndex);
      }
      default:
        throw new RangeError(`PaneInfoCoder: unknown encoding 0x${(b & 0xf0).toString(16)} in byte 0x${b.toString(16).padStart(2, "0")} at offset ${input.pos - 1}`);
    }
  }

  override structuralValue(pane: PaneInfo): unknown {
    if (pane === PaneInfo.NO_FIRING) return "\x0f"; // = bytesKey of its one byte
    return super.structuralValue(pane);
  }
}

function checkIndex(i: number): number {
  if (!Number.isSafeInteger(i)) throw new TypeError(`PaneInfoCoder: pane index ${i} is not an integer`);
  return i;
}

registerCoder(PaneInfoCoder.URN, () => PaneInfoCoder.INSTANCE);
