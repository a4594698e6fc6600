/** The rows a chart draws: their fields, a field's values, and values made JSON-safe. */

/** Every field that some row has, in first-seen order. */
export function fieldsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) {
    if (row && typeof row === "object") for (const k of Object.keys(row)) seen.add(k);
  }
  return [...seen];
}

/**
 * The top-level column a Vega-Lite field names: "a.b" reads column "a" (a nested path),
 * "a\\.b" reads column "a.b" (an escaped dot).
 */
export function columnOf(field: string): string {
  let out = "";
  for (let i = 0; i < field.length; i++) {
    const c = field[i];
    if (c === "\\" && i + 1 < field.length) out += field[++i];
    else if (c === "." || c === "[") break;
    else out += c;
  }
  return out;
}

/** A field's value in a row, following Vega-Lite's nested paths ("a.b", "a\\.b"). */
export function valueAt(row: Record<string, unknown>, field: string): unknown {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < field.length; i++) {
    const c = field[i];
    if (c === "\\" && i + 1 < field.length) cur += field[++i];
    else if (c === ".") (parts.push(cur), (cur = ""));
    else cur += c;
  }
  parts.push(cur);
  let v: unknown = row;
  for (const p of parts) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** Dates become epoch milliseconds, so rows survive JSON and every renderer reads the same number. */
export function jsonSafeRow(row: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Date || typeof v === "bigint") {
      out ??= { ...row };
      out[k] = v instanceof Date ? v.getTime() : Number(v);
    }
  }
  return out ?? row;
}
