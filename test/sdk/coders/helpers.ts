import { expect } from "vitest";
import { coderFromSpec, type Coder } from "../../../src/sdk/coders/index.js";

/** "03 61 62 63" → bytes. Spaces and `|` separators are ignored. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s|]/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Encodes to exactly `hex`, and decodes `hex` back to `decoded` (default: the value). */
export function expectVector<T>(coder: Coder<T>, value: T, hex: string, decoded: unknown = value): void {
  expect(toHex(coder.encodeToBytes(value))).toBe(toHex(fromHex(hex)));
  expect(coder.decodeFromBytes(fromHex(hex))).toEqual(decoded);
}

/** Round trip through bytes, and through the coder rebuilt from its spec (JSON-copied). */
export function roundTrip<T>(coder: Coder<T>, value: T): T {
  const bytes = coder.encodeToBytes(value);
  const back = coder.decodeFromBytes(bytes);
  const rebuilt = coderFromSpec(JSON.parse(JSON.stringify(coder.toSpec()))) as Coder<T>;
  expect(toHex(rebuilt.encodeToBytes(value))).toBe(toHex(bytes));
  return back;
}

export { rng } from "../../support/random.js";
