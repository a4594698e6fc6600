import type { SourceSplit } from "../../../io/registry.js";
import type { Coder } from "../../../sdk/coders/coder.js";
import type { CreatePayload } from "../../../sdk/transforms/create.js";
import { TIMESTAMP_MIN } from "../../../sdk/values/time.js";
import { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { Receiver } from "../operators/receiver.js";

/** Splits Create's elements into contiguous index ranges. */
export function splitCreate(payload: CreatePayload, desired: number): SourceSplit[] {
  const n = payload.elements.length;
  const parts = Math.max(1, Math.min(desired, Math.ceil(n / 1000)));
  const out: SourceSplit[] = [];
  for (let i = 0; i < parts; i++) out.push({ start: Math.floor((i * n) / parts), end: Math.floor(((i + 1) * n) / parts) });
  return out;
}

export function readCreateSplit(payload: CreatePayload, coder: Coder<unknown>, split: SourceSplit, out: Receiver): void {
  const { start, end } = split as { start: number; end: number };
  for (let i = start; i < end; i++) {
    const value = coder.decodeFromBytes(Buffer.from(payload.elements[i]!, "base64"));
    out.process(WindowedValue.valueInGlobalWindow(value, payload.timestamps?.[i] ?? TIMESTAMP_MIN));
  }
}
