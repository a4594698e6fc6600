/**
 * chartSpec: a chart request → the full Vega-Lite v5 spec every renderer draws (the
 * notebook's vega-embed, our headless SVG/PNG, the terminal). Data travels inline and
 * bounded; when rows were cut, the chart's subtitle says so.
 */
import { CHART_ROW_LIMIT, ChartSpecError, type ChartRequest } from "./request.js";
import { fieldsOf, jsonSafeRow } from "./rows.js";
import { shorthandChart, shorthandMarkOf, SHORTHAND_MARKS } from "./shorthand.js";
import { validateVegaLiteSpec } from "./validate.js";
import { formatCount } from "./format.js";

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The full Vega-Lite spec of a request (pure: same request, same spec). Throws ChartSpecError for bad input. */
export function chartSpec(request: ChartRequest): Json {
  const { spec } = request;
  if (!isObject(spec)) throw new ChartSpecError(`chart: the spec must be an object (a Vega-Lite spec or a shorthand such as { bar: { x: "key", y: "value" } }); got ${JSON.stringify(spec)}`);
  if (!Array.isArray(request.rows)) throw new ChartSpecError("chart: rows must be an array of objects");
  const rows = request.rows.map((r) => (isObject(r) ? jsonSafeRow(r) : { value: r }));
  const total = Math.max(request.totalRows ?? 0, rows.length);
  const truncated = request.truncated === true;

  const isVegaLite = ["mark", "layer", "facet", "hconcat", "vconcat", "concat", "repeat"].some((k) => k in spec);
  if (!isVegaLite && shorthandMarkOf(spec) === undefined) {
    throw new ChartSpecError(
      `chart: give a shorthand (${SHORTHAND_MARKS.map((m) => `{ ${m}: … }`).join(", ")}) or a Vega-Lite spec (with mark, layer, facet, concat or repeat); got keys: ${Object.keys(spec).join(", ") || "none"}`,
    );
  }

  if (!isVegaLite) {
    const made = shorthandChart(spec, rows, fieldsOf(rows), CHART_ROW_LIMIT);
    const used = made.top ? rows.length : made.rows.length;
    let note = rowNote(used, total, truncated);
    if (made.top && used > 0) note = note ? `top ${formatCount(made.top.kept)} among ${note}` : `top ${formatCount(made.top.kept)} of ${formatCount(total)} rows`;
    return finish(made.spec, made.rows, note);
  }

  // A user's own Vega-Lite spec: kept as written; our rows fill it unless it brings data.
  const own = spec.data;
  if (isObject(own) && Array.isArray(own.values)) {
    const values = own.values.slice(0, CHART_ROW_LIMIT);
    validateVegaLiteSpec(spec, undefined);
    return finish(spec, values, rowNote(values.length, own.values.length, false), { ...own, values });
  }
  // A named data source with nothing in it ({ name: "table" }) is where our rows go.
  const named = isObject(own) && Object.keys(own).every((k) => k === "name" || k === "format");
  if (own !== undefined && own !== null && !named) {
    validateVegaLiteSpec(spec, undefined);
    return finish(spec, undefined, undefined);
  }
  const shown = rows.slice(0, CHART_ROW_LIMIT);
  validateVegaLiteSpec(spec, shown.length > 0 ? fieldsOf(shown) : undefined);
  return finish(spec, shown, rowNote(shown.length, total, truncated), named ? { ...own, values: shown } : undefined);
}

/** "5 000 of at least 12 345 rows" when the drawn rows are not all there are; undefined otherwise. */
export function rowNote(used: number, total: number, truncated: boolean): string | undefined {
  if (used === 0 && !truncated) return "no rows";
  if (used < total) return `${formatCount(used)} of ${truncated ? "at least " : ""}${formatCount(total)} rows`;
  if (truncated) return `${formatCount(used)} rows; more exist`;
  return undefined;
}

function finish(spec: Json, values: unknown[] | undefined, note: string | undefined, data?: Json): Json {
  const out: Json = { $schema: VEGA_LITE_SCHEMA, ...spec };
  if (data) out.data = data;
  else if (values) out.data = { values };
  if (note) out.title = withSubtitle(spec.title, note);
  // Put $schema first and data before the encoding, as people read specs.
  const { $schema, data: d, ...rest } = out;
  return { $schema, ...(d !== undefined ? { data: d } : {}), ...rest };
}

function withSubtitle(title: unknown, note: string): Json {
  if (isObject(title)) {
    const sub = title.subtitle;
    const subtitle = sub === undefined ? note : Array.isArray(sub) ? [...sub, note] : [String(sub), note];
    if (title.text === undefined || title.text === "") return { ...title, text: note, ...NOTE_STYLE };
    return { ...title, subtitle };
  }
  // Vega draws no subtitle under an empty title: with no title, the note is the title, set like a subtitle.
  if (title === undefined || title === "") return { text: note, ...NOTE_STYLE };
  return { text: title as string | string[], subtitle: note };
}

const NOTE_STYLE = { fontSize: 11, fontWeight: "normal" };
