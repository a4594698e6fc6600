/**
 * The words of Vega-Lite v5 a spec is checked against before compiling, because
 * vega-lite's own messages for them are obscure ("Cannot read properties of undefined
 * (reading 'filled')" for an unknown mark) or only warnings (an unknown channel is
 * dropped). A test compares these lists with vega-lite's JSON schema.
 */

export const MARKS = ["arc", "area", "bar", "image", "line", "point", "rect", "rule", "text", "tick", "trail", "circle", "square", "geoshape"] as const;

export const COMPOSITE_MARKS = ["boxplot", "errorbar", "errorband"] as const;

/** Channels of a unit spec's encoding (FacetedEncoding: facet, row and column included). */
export const CHANNELS = [
  "x", "y", "x2", "y2", "xOffset", "yOffset", "xError", "xError2", "yError", "yError2",
  "color", "fill", "stroke", "opacity", "fillOpacity", "strokeOpacity", "strokeWidth", "strokeDash",
  "size", "shape", "angle", "radius", "radius2", "theta", "theta2",
  "latitude", "latitude2", "longitude", "longitude2",
  "text", "tooltip", "href", "url", "description", "detail", "key", "order", "time",
  "facet", "row", "column",
] as const;

export const TYPES = ["quantitative", "ordinal", "temporal", "nominal", "geojson"] as const;

export const AGGREGATE_OPS = [
  "argmax", "argmin", "average", "count", "distinct", "max", "mean", "median", "min", "missing", "product",
  "q1", "q3", "ci0", "ci1", "stderr", "stdev", "stdevp", "sum", "valid", "values", "variance", "variancep",
  "exponential", "exponentialb",
] as const;

/** Short names Vega-Lite accepts for types. */
export const TYPE_ABBREVIATIONS: Record<string, string> = { q: "quantitative", o: "ordinal", t: "temporal", n: "nominal" };

export const SCALE_TYPES = [
  "linear", "log", "pow", "sqrt", "symlog", "identity", "sequential", "time", "utc",
  "quantile", "quantize", "threshold", "bin-ordinal", "ordinal", "point", "band",
] as const;

/** The single time units, in the order a multi-unit name ("yearmonthdate") joins them. */
export const TIME_UNITS = ["year", "quarter", "month", "week", "day", "dayofyear", "date", "hours", "minutes", "seconds", "milliseconds"] as const;

const TIME_UNIT_NAME = new RegExp(`^(binned)?(utc)?${TIME_UNITS.map((u) => `(${u})?`).join("")}$`);

/** A time unit name Vega-Lite knows: single ("month"), joined in order ("yearmonthdate"), "utc"/"binned" prefixed. */
export function isTimeUnit(name: string): boolean {
  return TIME_UNIT_NAME.test(name) && name.replace(/^(binned)?(utc)?/, "") !== "";
}
