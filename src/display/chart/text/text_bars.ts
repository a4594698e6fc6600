/** A bar chart in the terminal: one line per category, a label, a block bar and the value. */
import { formatNumber } from "../format.js";
import { valueAt } from "../rows.js";
import { horizontalBar } from "./blocks.js";
import { charLength, fit, fitMiddle, isObject, toNumber, type ChannelDef } from "./read_spec.js";

export interface Bar {
  label: string;
  value: number;
}

/** The bars a Vega-Lite bar spec draws: one per category, its value aggregated as the spec says, in the spec's order. */
export function barsOf(
  rows: readonly Record<string, unknown>[],
  cat: ChannelDef & { field: string },
  val: ChannelDef,
  valChannel: "x" | "y",
): Bar[] {
  const groups = new Map<string, { key: unknown; values: number[]; rows: number; first: number }>();
  rows.forEach((row, i) => {
    const key = valueAt(row, cat.field);
    const id = typeof key === "string" ? `s${key}` : `j${JSON.stringify(key)}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, values: [], rows: 0, first: i }));
    g.rows++;
    if (val.field) {
      const v = toNumber(valueAt(row, val.field), false);
      if (v !== undefined) g.values.push(v);
    }
  });
  const bars = [...groups.values()].map((g) => ({ label: g.key === undefined ? "(none)" : String(g.key), value: aggregate(val, g.values, g.rows), key: g.key, first: g.first }));
  const order = sortOrder(cat.sort, valChannel);
  if (Array.isArray(order)) {
    const rank = new Map(order.map((v, i) => [JSON.stringify(v), i]));
    const r = (k: unknown) => rank.get(JSON.stringify(k)) ?? order.length;
    bars.sort((a, b) => r(a.key) - r(b.key) || a.first - b.first);
  } else if (order) {
    const sign = order.descending ? -1 : 1;
    bars.sort((a, b) => sign * (order.byValue ? a.value - b.value : compareKeys(a.key, b.key)) || a.first - b.first);
  }
  return bars.map(({ label, value }) => ({ label, value }));
}

function aggregate(val: ChannelDef, values: number[], rows: number): number {
  const op = val.aggregate ?? (val.field ? "sum" : "count");
  if (op === "count") return rows;
  if (values.length === 0) return 0;
  switch (op) {
    case "mean":
    case "average":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
    case "median": {
      const s = [...values].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
    case "distinct":
      return new Set(values).size;
    case "valid":
      return values.length;
    default:
      return values.reduce((a, b) => a + b, 0);
  }
}

type Order = { byValue: boolean; descending: boolean } | unknown[] | undefined;

/** Vega-Lite's sort of a category channel: undefined → categories ascending; null → data order. */
function sortOrder(sort: unknown, valChannel: string): Order {
  if (sort === null) return undefined;
  if (Array.isArray(sort)) return sort;
  if (sort === undefined || sort === "ascending") return { byValue: false, descending: false };
  if (sort === "descending") return { byValue: false, descending: true };
  if (typeof sort === "string") return { byValue: sort.replace(/^-/, "") === valChannel, descending: sort.startsWith("-") };
  if (isObject(sort)) return { byValue: "op" in sort || "field" in sort || "encoding" in sort, descending: sort.order === "descending" };
  return undefined;
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** The lines of a bar chart `width` columns wide and at most `height` lines tall (a header, the bars, a line saying how many more). */
export function drawBars(bars: readonly Bar[], width: number, height: number, titles: { cat: string; val: string }): string[] {
  if (bars.length === 0) return ["(no bars: no rows)"];
  const room = Math.max(1, height - 1);
  const shown = bars.slice(0, bars.length <= room ? room : Math.max(1, room - 1));
  const values = shown.map((b) => formatNumber(b.value));
  const valueWidth = Math.max(...values.map(charLength));
  const labelWidth = Math.min(Math.max(charLength(titles.cat), ...shown.map((b) => charLength(b.label))), Math.max(4, Math.floor(width * 0.3)));
  const barWidth = Math.max(1, width - labelWidth - valueWidth - 2);
  const max = Math.max(...shown.map((b) => Math.abs(b.value)));
  const lines = [`${fit(titles.cat, labelWidth).padEnd(labelWidth)} ${fit(titles.val, barWidth + 1 + valueWidth)}`];
  shown.forEach((b, i) => {
    const cells = max > 0 ? (Math.abs(b.value) / max) * barWidth : 0;
    // A negative value is drawn shaded, so its length still compares with the others.
    const bar = b.value < 0 ? "░".repeat(Math.round(cells)) : horizontalBar(cells);
    lines.push(`${fitMiddle(b.label, labelWidth).padEnd(labelWidth)} ${bar} ${values[i]}`.trimEnd());
  });
  if (bars.length > shown.length) lines.push(`… ${bars.length - shown.length} more bars`);
  return lines;
}
