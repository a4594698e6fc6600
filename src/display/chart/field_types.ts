/** Which Vega-Lite measurement type a field's values call for. */
import { valueAt } from "./rows.js";

export type FieldType = "quantitative" | "temporal" | "nominal" | "ordinal";

/** Epoch milliseconds between 2000 and 2100: numbers this large in an event-time chart are times. */
const EPOCH_MS_MIN = Date.UTC(2000, 0, 1);
const EPOCH_MS_MAX = Date.UTC(2100, 0, 1);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function looksLikeEpochMillis(values: readonly unknown[]): boolean {
  let seen = 0;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < EPOCH_MS_MIN || v > EPOCH_MS_MAX) return false;
    seen++;
  }
  return seen > 0;
}

/**
 * The type of `field` over `rows`. `eventTime`: the field is the x of a line, area or
 * point chart, where epoch-millisecond numbers mean times. A field named `timestamp` is
 * always a time (it is how an element's event time arrives).
 */
export function inferFieldType(
  rows: readonly Record<string, unknown>[],
  field: string,
  eventTime: boolean,
  /** The type when no row has a value to judge by. */
  fallback: FieldType,
): FieldType {
  if (field === "timestamp") return "temporal";
  const values = rows.map((r) => valueAt(r, field)).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) return fallback;
  if (values.every((v) => v instanceof Date || (typeof v === "string" && ISO_DATE.test(v)))) return "temporal";
  if (values.every((v) => typeof v === "number" || typeof v === "bigint")) {
    return eventTime && looksLikeEpochMillis(values) ? "temporal" : "quantitative";
  }
  return "nominal";
}
