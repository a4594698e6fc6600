/**
 * Records as they travel between Flink operators: Beam's FullWindowedValueCoder bytes
 * (docs/flink-plan.md, "Records").
 */
import { ByteWriter } from "../../../sdk/coders/byte_io.js";
import { InstantCoder } from "../../../sdk/coders/instant_coder.js";

/** Pane byte of PaneInfo.NO_FIRING. */
export const NO_FIRING_BYTE = 0x0f;

/** A record of an encoded value in the global window, with NO_FIRING. */
export function encodeGlobalRecord(timestamp: number, value: Uint8Array): Buffer {
  const w = new ByteWriter(value.length + 16);
  InstantCoder.of().encode(timestamp, w);
  w.int32BE(1);
  w.byte(NO_FIRING_BYTE);
  w.bytes(value);
  return Buffer.from(w.toBytes());
}
