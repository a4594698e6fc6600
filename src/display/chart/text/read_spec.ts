/** Reading a Vega-Lite spec for the terminal: its title, mark, channels and inline rows. */
import { TYPE_ABBREVIATIONS } from "../vega_lite_vocabulary.js";

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export interface ChannelDef {
  field?: string;
  type?: string;
  aggregate?: string;
  bin?: boolean | "binned" | Json;
  sort?: unknown;
  title?: string;
  scale?: Json;
  timeUnit?: unknown;
}

/** The title and subtitle lines of a spec. */
export function titleLines(spec: Json): string[] {
  const t = spec.title;
  const lines = (v: unknown): string[] => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  if (isObject(t)) return [...lines(t.text), ...lines(t.subtitle)];
  return lines(t);
}

export function markType(spec: Json): string | undefined {
  const m = spec.mark;
  if (typeof m === "string") return m;
  if (isObject(m) && typeof m.type === "string") return m.type;
  return undefined;
}

export function channel(spec: Json, name: string): ChannelDef | undefined {
  const enc = spec.encoding;
  if (!isObject(enc) || !isObject(enc[name])) return undefined;
  const def = enc[name] as Json;
  const type = typeof def.type === "string" ? (TYPE_ABBREVIATIONS[def.type.toLowerCase()] ?? def.type.toLowerCase()) : undefined;
  return { ...(def as ChannelDef), type };
}

/** Inline rows, when the spec carries them. */
export function inlineRows(spec: Json): Record<string, unknown>[] | undefined {
  const d = spec.data;
  if (isObject(d) && Array.isArray(d.values)) return d.values.filter(isObject);
  return undefined;
}

/** A channel's title as the picture shows it. */
export function channelTitle(def: ChannelDef): string {
  if (typeof def.title === "string") return def.title;
  if (def.aggregate === "count" && !def.field) return "count";
  if (def.aggregate && def.field) return `${def.aggregate} of ${def.field}`;
  return def.field ?? "";
}

/** A value as a number: numbers as they are, dates and date strings as epoch milliseconds. */
export function toNumber(v: unknown, temporal: boolean): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (temporal && (typeof v === "string" || v instanceof Date)) {
    const t = v instanceof Date ? v.getTime() : Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A string cut to `width` characters with an ellipsis. */
export function fit(s: string, width: number): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  return width <= 1 ? chars.slice(0, width).join("") : chars.slice(0, width - 1).join("") + "…";
}

/** A label cut to `width` characters in its middle, so labels sharing a prefix stay apart ("a-rather…name-12"). */
export function fitMiddle(s: string, width: number): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  if (width <= 4) return fit(s, width);
  const tail = Math.floor((width - 1) / 2);
  return chars.slice(0, width - 1 - tail).join("") + "…" + chars.slice(chars.length - tail).join("");
}

export function charLength(s: string): number {
  return [...s].length;
}
