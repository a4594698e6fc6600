/**
 * Checks a Vega-Lite spec for the mistakes people make, before vega-lite compiles it:
 * unknown marks, channels, types and aggregates, and fields that no row has. Vega-lite
 * either crashes on these with an unrelated message or drops them with a warning; the
 * user should instead read what is wrong and what would be right.
 */
import { AGGREGATE_OPS, CHANNELS, COMPOSITE_MARKS, MARKS, SCALE_TYPES, TIME_UNITS, TYPES, TYPE_ABBREVIATIONS, isTimeUnit } from "./vega_lite_vocabulary.js";
import { ChartSpecError } from "./request.js";
import { columnOf } from "./rows.js";

type Json = Record<string, unknown>;

const VIEW_KEYS = ["mark", "layer", "facet", "hconcat", "vconcat", "concat", "repeat"] as const;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The message for a field that no row has, naming the fields that exist. */
export function missingFieldMessage(field: string, fields: readonly string[]): string {
  return `chart: no field "${field}" in the rows; fields: ${fields.length ? fields.join(", ") : "(none: the rows are empty)"}`;
}

/**
 * Throws ChartSpecError for the first problem found. `fields`: the columns of the rows
 * the chart will draw (undefined when the spec brings its own data or there are no rows
 * to judge by: then fields are not checked).
 */
export function validateVegaLiteSpec(spec: Json, fields: readonly string[] | undefined): void {
  if (!VIEW_KEYS.some((k) => k in spec)) {
    throw new ChartSpecError(`chart: a Vega-Lite spec needs one of ${VIEW_KEYS.join(", ")} (got keys: ${Object.keys(spec).join(", ") || "none"})`);
  }
  checkView(spec, fields ? new Set(fields) : undefined, fields ?? []);
}

function checkView(spec: Json, known: Set<string> | undefined, rowFields: readonly string[]): void {
  // A view with its own data (or a lookup/pivot whose output fields we cannot know) is not checked against our rows.
  if ("data" in spec && spec.data !== null) known = undefined;
  if (known && Array.isArray(spec.transform)) known = withTransformOutputs(known, spec.transform);

  if ("mark" in spec) checkMark(spec.mark);
  if (isObject(spec.encoding)) checkEncoding(spec.encoding, "encoding", known, rowFields);
  if (isObject(spec.facet)) checkFacet(spec.facet, known, rowFields);
  for (const key of ["layer", "hconcat", "vconcat", "concat"] as const) {
    const children = spec[key];
    if (Array.isArray(children)) for (const c of children) if (isObject(c)) checkView(c, known, rowFields);
  }
  if (isObject(spec.spec)) checkView(spec.spec, known, rowFields);
}

function checkMark(mark: unknown): void {
  const type = isObject(mark) ? mark.type : mark;
  const all: readonly string[] = [...MARKS, ...COMPOSITE_MARKS];
  if (typeof type !== "string" || !all.includes(type)) {
    throw new ChartSpecError(`chart: unknown mark ${JSON.stringify(type)}; marks: ${all.join(", ")}`);
  }
}

function checkEncoding(encoding: Json, path: string, known: Set<string> | undefined, rowFields: readonly string[]): void {
  for (const [channel, def] of Object.entries(encoding)) {
    if (!(CHANNELS as readonly string[]).includes(channel)) {
      throw new ChartSpecError(`chart: unknown encoding channel "${channel}"; channels: ${CHANNELS.join(", ")}`);
    }
    for (const d of Array.isArray(def) ? def : [def]) if (isObject(d)) checkFieldDef(d, `${path}.${channel}`, known, rowFields);
  }
}

function checkFacet(facet: Json, known: Set<string> | undefined, rowFields: readonly string[]): void {
  if ("field" in facet) checkFieldDef(facet, "facet", known, rowFields);
  for (const k of ["row", "column"]) if (isObject(facet[k])) checkFieldDef(facet[k] as Json, `facet.${k}`, known, rowFields);
}

function checkFieldDef(def: Json, path: string, known: Set<string> | undefined, rowFields: readonly string[]): void {
  if (def.type !== undefined) {
    const t = typeof def.type === "string" ? def.type.toLowerCase() : def.type;
    if (typeof t !== "string" || !((TYPES as readonly string[]).includes(t) || t in TYPE_ABBREVIATIONS)) {
      throw new ChartSpecError(`chart: ${path}.type ${JSON.stringify(def.type)} is not a Vega-Lite type; types: ${TYPES.join(", ")}`);
    }
  }
  if (typeof def.aggregate === "string" && !(AGGREGATE_OPS as readonly string[]).includes(def.aggregate)) {
    throw new ChartSpecError(`chart: ${path}.aggregate "${def.aggregate}" is not a Vega-Lite aggregate; aggregates: ${AGGREGATE_OPS.join(", ")}`);
  }
  const unit = isObject(def.timeUnit) ? def.timeUnit.unit : def.timeUnit;
  if (typeof unit === "string" && !isTimeUnit(unit)) {
    throw new ChartSpecError(`chart: ${path}.timeUnit "${unit}" is not a Vega-Lite time unit; units: ${TIME_UNITS.join(", ")} (joined in this order, as in "yearmonthdate"; "utc" first for UTC)`);
  }
  const scaleType = isObject(def.scale) ? def.scale.type : undefined;
  if (scaleType !== undefined && !(typeof scaleType === "string" && (SCALE_TYPES as readonly string[]).includes(scaleType))) {
    throw new ChartSpecError(`chart: ${path}.scale.type ${JSON.stringify(scaleType)} is not a Vega-Lite scale type; types: ${SCALE_TYPES.join(", ")}`);
  }
  if (known && typeof def.field === "string" && !known.has(columnOf(def.field))) {
    throw new ChartSpecError(missingFieldMessage(def.field, rowFields));
  }
  // A conditional encoding ({ condition: { field, ... } }) names fields too.
  const cond = def.condition;
  for (const c of Array.isArray(cond) ? cond : [cond]) if (isObject(c)) checkFieldDef(c, `${path}.condition`, known, rowFields);
}

/** Fields the transforms add (their `as` names and the defaults of fold, density, quantile); undefined when unknowable. */
function withTransformOutputs(known: Set<string>, transforms: unknown[]): Set<string> | undefined {
  const out = new Set(known);
  for (const t of transforms) {
    if (!isObject(t)) continue;
    if ("pivot" in t || "lookup" in t) return undefined;
    if ("fold" in t) ["key", "value"].forEach((f) => out.add(f));
    if ("density" in t) ["value", "density"].forEach((f) => out.add(f));
    if ("quantile" in t) ["prob", "value"].forEach((f) => out.add(f));
    collectAs(t, out);
  }
  return out;
}

function collectAs(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) return v.forEach((x) => collectAs(x, out));
  if (!isObject(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (k === "as") for (const name of Array.isArray(x) ? x : [x]) if (typeof name === "string") out.add(name);
    collectAs(x, out);
  }
}
