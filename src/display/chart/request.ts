/**
 * What a chart is made from: the user's spec (a Vega-Lite spec or one of our shorthands)
 * and the rows to draw, as plain JSON objects (a KV element as `{ key, value }`, an
 * object's fields as columns, an element's event time as `timestamp` when asked).
 */

/** At most this many rows travel inline in a chart's spec (more would bloat the notebook). */
export const CHART_ROW_LIMIT = 5000;

export interface ChartRequest {
  /** A full Vega-Lite v5 spec, or a shorthand such as `{ bar: { x: "key", y: "value" }, top: 20 }`. */
  spec: Record<string, unknown>;
  rows: Record<string, unknown>[];
  /** Rows before the caller cut them, if known. */
  totalRows?: number;
  /** The caller brought back only part of the data (more rows exist than `rows` holds). */
  truncated?: boolean;
}

/** A spec or a shorthand that cannot be drawn; the message says what is wrong. */
export class ChartSpecError extends Error {
  override readonly name = "ChartSpecError";
}
