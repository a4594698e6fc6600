/**
 * The shorthands of `chart(pcoll, shorthand)`, each turned into a Vega-Lite unit spec:
 *   { bar: { x: "key", y: "value" }, top: 20 }      top 20 keys by y, sorted descending
 *   { line: { x: "timestamp", y: "value" } }         x as time (UTC) when it holds times
 *   { histogram: "field", bins: 30 }
 *   { point: { x, y, color } }, { area: { x, y } }
 * with `color`, `title`, `width` and `height` as options. Types come from the rows' values.
 */
import { ChartSpecError } from "./request.js";
import { isCssColor } from "./css_colors.js";
import { inferFieldType, type FieldType } from "./field_types.js";
import { columnOf, valueAt } from "./rows.js";
import { missingFieldMessage } from "./validate.js";

type Json = Record<string, unknown>;
type Rows = readonly Record<string, unknown>[];

export const SHORTHAND_MARKS = ["bar", "line", "area", "point", "histogram"] as const;
export type ShorthandMark = (typeof SHORTHAND_MARKS)[number];
const OPTIONS = ["top", "bins", "color", "title", "width", "height"] as const;
const CHANNELS_OF: Record<ShorthandMark, readonly string[]> = {
  bar: ["x", "y", "color"],
  line: ["x", "y", "color"],
  area: ["x", "y", "color"],
  point: ["x", "y", "color", "size"],
  histogram: ["field", "x", "color"],
};

export const DEFAULT_WIDTH = 600;
export const DEFAULT_HEIGHT = 300;
export const DEFAULT_BINS = 20;
/**
 * Pixels per character of a 10px label, generously (DejaVu's widest lowercase letters are
 * ~0.65 em, and a notebook's font may be wider): a level label must fit in any font.
 */
const LABEL_CHAR_PX = 8;

/** The shorthand mark a spec names, or undefined when it is not a shorthand. */
export function shorthandMarkOf(spec: Json): ShorthandMark | undefined {
  const marks = SHORTHAND_MARKS.filter((m) => m in spec);
  if (marks.length > 1) throw new ChartSpecError(`chart: a shorthand draws one mark; got ${marks.join(" and ")}`);
  return marks[0];
}

export interface ShorthandChart {
  /** A Vega-Lite unit spec without $schema and data. */
  spec: Json;
  /** The rows to draw. */
  rows: Record<string, unknown>[];
  /** Set when a top-N cut kept this many categories. */
  top?: { kept: number };
}

/** `rows`: every row the caller gave (a top-N ranks all of them); `limit`: at most this many rows are drawn otherwise. */
export function shorthandChart(sh: Json, rows: Record<string, unknown>[], fields: readonly string[], limit: number): ShorthandChart {
  const mark = shorthandMarkOf(sh)!;
  for (const k of Object.keys(sh)) {
    if (k !== mark && !(OPTIONS as readonly string[]).includes(k)) {
      throw new ChartSpecError(`chart: unknown shorthand option "${k}"; options: ${OPTIONS.join(", ")} (or give a full Vega-Lite spec)`);
    }
  }
  if (sh.top !== undefined && mark !== "bar") throw new ChartSpecError(`chart: "top" applies to bar charts, not ${mark}`);
  if (sh.bins !== undefined && mark !== "histogram") throw new ChartSpecError(`chart: "bins" applies to histograms, not ${mark}`);
  const top = positiveInt(sh.top, "top");
  const bins = positiveInt(sh.bins, "bins");

  const entry = channelsEntry(mark, sh[mark]);
  const ctx = new Channels(mark, rows, fields);
  const color = entry.color ?? sh.color;
  const size = { width: sh.width ?? DEFAULT_WIDTH, height: sh.height ?? DEFAULT_HEIGHT };
  const title = sh.title === undefined ? {} : { title: sh.title };

  if (mark === "histogram") {
    const field = ctx.field("field", entry.field ?? entry.x, true);
    const nonNumber = rows.map((r) => valueAt(r, field)).find((v) => v !== null && v !== undefined && typeof v !== "number");
    if (nonNumber !== undefined) {
      throw new ChartSpecError(`chart: a histogram counts numbers; "${field}" holds ${JSON.stringify(nonNumber)} (${typeof nonNumber})`);
    }
    // Whole numbers (lengths, counts) get whole-number bins, not bins half of which must stay empty.
    const integers = rows.every((r) => { const v = valueAt(r, field); return v === null || v === undefined || Number.isInteger(v); });
    const whole = integers && rows.length > 0;
    const bin = { maxbins: bins ?? DEFAULT_BINS, ...(whole ? { minstep: 1 } : {}) };
    const encoding: Json = {
      x: { field, type: "quantitative", bin, title: field, ...(whole ? { axis: { format: "d" } } : {}) },
      y: { aggregate: "count", type: "quantitative", title: "count" },
      ...ctx.color(color),
    };
    return { spec: { ...title, ...size, mark: "bar", encoding }, rows: rows.slice(0, limit) };
  }

  const x = ctx.field("x", entry.x, true);
  const y = ctx.field("y", entry.y, mark !== "bar");
  if (mark === "bar") return barChart(ctx, x, y, color, top, limit, { ...title, ...size });

  const xType = ctx.type(x, true, "quantitative");
  const encoding: Json = {
    x: xType === "temporal" ? timeAxis(x, rows) : { field: x, type: xType, title: x },
    y: { field: y, type: ctx.type(y!, false, "quantitative"), title: y },
    ...ctx.color(color),
  };
  if (entry.size !== undefined) {
    const s = ctx.field("size", entry.size, true);
    encoding.size = { field: s, type: ctx.type(s, false, "quantitative"), title: s };
  }
  const markDef = mark === "point" ? { type: "point", filled: true } : mark;
  return { spec: { ...title, ...size, mark: markDef, encoding }, rows: rows.slice(0, limit) };
}

/**
 * An event-time x: in UTC (elements' timestamps mean the same instant on every machine),
 * labelled as times of day when the range is within a day.
 */
function timeAxis(field: string, rows: Rows): Json {
  const times = rows.map((r) => valueAt(r, field)).map((v) => (typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : NaN)).filter(Number.isFinite);
  const span = times.length ? Math.max(...times) - Math.min(...times) : Infinity;
  const format = span < 600_000 ? "%H:%M:%S" : span < 86_400_000 ? "%H:%M" : undefined;
  // labelFlush off: a first label pushed flush against the axis's start crowds the second.
  return { field, type: "temporal", title: `${field} (UTC)`, scale: { type: "utc" }, axis: { labelFlush: false, ...(format ? { format } : {}) } };
}

function barChart(
  ctx: Channels,
  x: string,
  y: string | undefined,
  color: unknown,
  top: number | undefined,
  limit: number,
  base: Json,
): ShorthandChart {
  const xType = ctx.type(x, false, "nominal");
  const yType = y === undefined ? "quantitative" : ctx.type(y, false, "quantitative");
  // { x: number, y: category } asks for horizontal bars.
  const horizontal = xType === "quantitative" && (yType === "nominal" || yType === "ordinal");
  const [cat, catType, val] = horizontal ? [y!, yType, x] : [x, xType, y];
  let rows = ctx.rows;
  let kept: number | undefined;
  const sort = top === undefined ? undefined : val === undefined ? { op: "count", order: "descending" } : { op: "sum", field: val, order: "descending" };
  if (top !== undefined) {
    const ranked = rankCategories(rows, cat, val);
    const keep = new Set(ranked.slice(0, top));
    kept = keep.size;
    rows = rows.filter((r) => keep.has(categoryKey(valueAt(r, cat))));
  } else {
    rows = rows.slice(0, limit);
  }
  const catDef: Json = { field: cat, type: catType, title: cat, ...(sort ? { sort } : {}) };
  const valDef: Json = val === undefined ? { aggregate: "count", type: "quantitative", title: "count" } : { field: val, type: "quantitative", title: val };
  if (!horizontal && (catType === "nominal" || catType === "ordinal") && typeof base.width === "number") {
    catDef.axis = { labelAngle: labelAngleFor(rows, cat, base.width), labelOverlap: true };
  }
  const encoding: Json = horizontal ? { x: valDef, y: catDef } : { x: catDef, y: valDef };
  Object.assign(encoding, ctx.color(color));
  return { spec: { ...base, mark: "bar", encoding }, rows, ...(kept !== undefined ? { top: { kept } } : {}) };
}

/** Horizontal labels when the longest fits its band, else vertical (never overlapping). */
function labelAngleFor(rows: Rows, cat: string, width: number): number {
  const labels = new Set(rows.map((r) => String(valueAt(r, cat))));
  const longest = Math.max(0, ...[...labels].map((l) => Math.min(l.length, 30)));
  return longest * LABEL_CHAR_PX + 6 <= width / Math.max(1, labels.size) ? 0 : -90;
}

const categoryKey = (v: unknown): string => (typeof v === "string" ? `s${v}` : `j${JSON.stringify(v)}`);

/** Categories by their total (sum of `val`, or row count), largest first; ties keep first-seen order. */
function rankCategories(rows: Rows, cat: string, val: string | undefined): string[] {
  const totals = new Map<string, number>();
  for (const r of rows) {
    const k = categoryKey(valueAt(r, cat));
    const v = val === undefined ? 1 : Number(valueAt(r, val));
    totals.set(k, (totals.get(k) ?? 0) + (Number.isFinite(v) ? v : 0));
  }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([k]) => k);
}

function positiveInt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ChartSpecError(`chart: "${name}" must be a positive integer; got ${JSON.stringify(v)}`);
  return v;
}

/** The `{ x, y, … }` of a shorthand's mark (a histogram's is the field name). */
function channelsEntry(mark: ShorthandMark, entry: unknown): Json {
  if (mark === "histogram" && typeof entry === "string") return { field: entry };
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    const want = mark === "histogram" ? `a field name: { histogram: "value" }` : `{ x: "field", y: "field" }`;
    throw new ChartSpecError(`chart: ${mark} takes ${want}; got ${JSON.stringify(entry)}`);
  }
  const allowed = CHANNELS_OF[mark];
  for (const k of Object.keys(entry)) {
    if (!allowed.includes(k)) throw new ChartSpecError(`chart: ${mark} has no channel "${k}"; channels: ${allowed.join(", ")}`);
  }
  return entry as Json;
}

/** Field names checked against the rows, and their types. */
class Channels {
  constructor(
    readonly mark: ShorthandMark,
    readonly rows: Record<string, unknown>[],
    readonly fields: readonly string[],
  ) {}

  field(channel: string, v: unknown, required: true): string;
  field(channel: string, v: unknown, required: boolean): string | undefined;
  field(channel: string, v: unknown, required: boolean): string | undefined {
    if (v === undefined) {
      if (!required) return undefined;
      throw new ChartSpecError(`chart: ${this.mark} needs ${channel} (a field name); fields: ${this.fields.join(", ") || "(none)"}`);
    }
    if (typeof v !== "string" || v === "") throw new ChartSpecError(`chart: ${this.mark}.${channel} must be a field name; got ${JSON.stringify(v)}`);
    this.check(v);
    return v;
  }

  check(field: string): void {
    if (this.rows.length > 0 && !this.fields.includes(columnOf(field))) throw new ChartSpecError(missingFieldMessage(field, this.fields));
  }

  type(field: string, eventTime: boolean, fallback: FieldType): FieldType {
    return inferFieldType(this.rows, field, eventTime, fallback);
  }

  /** `color` names a field (a color scale and legend) or a CSS color (every mark painted with it). */
  color(color: unknown): Json {
    if (color === undefined) return {};
    if (typeof color !== "string" || color === "") throw new ChartSpecError(`chart: color must be a field name or a CSS color; got ${JSON.stringify(color)}`);
    if (!this.fields.includes(columnOf(color)) && isCssColor(color)) return { color: { value: color } };
    this.check(color);
    const type = inferFieldType(this.rows, color, false, "nominal");
    return { color: { field: color, type: type === "quantitative" ? "quantitative" : type, title: color } };
  }
}
