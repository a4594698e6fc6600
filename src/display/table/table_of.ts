/**
 * A PCollection's elements as a table. The layout follows what the elements are:
 *
 * - KVs: a `key` and a `value` column. When every value is a record, its fields become
 *   columns `value.f` (likewise `key.f` for record keys): a Combine's or CoGroupByKey's
 *   output reads as columns instead of one long `{…}` cell, and the names are the
 *   Vega-Lite field paths into rowsOf's `{ key, value }` rows, so what the table shows
 *   is what a chart spec names.
 * - Records: one column per field, the union over the rows in first-seen order.
 * - Anything else (primitives, arrays, a mix): one `value` column.
 *
 * Nested values are shown compactly (`{a: 1, b: [2, 3]}`, cut with "…"); the element's
 * timestamp, windows and pane are columns on request.
 */
import { KV } from "../../sdk/values/kv.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import { compactValue, isRecord, kindOf, toJsonValue } from "./compact.js";
import { formatInstant, formatPane, formatWindows, isCalendarInstant } from "./element_meta.js";
import type { ColumnType, Table, TableCell, TableColumn } from "./table_model.js";

export interface TableOptions {
  /** The title (a PCollection's name). */
  name?: string;
  /** Add a `timestamp` column (ISO event time). */
  timestamps?: boolean;
  /** Add a `window` column (`[start, end)` or `GlobalWindow`). */
  windows?: boolean;
  /** Add a `pane` column (`ON_TIME first last #0`). */
  panes?: boolean;
  /** More elements exist than given. */
  truncated?: boolean;
  /** How many elements exist at least. */
  totalAtLeast?: number;
  /** How many elements exist, when known exactly. */
  total?: number;
  /** Longest cell text before the renderers fit it to the width (default 80). */
  maxCellChars?: number;
}

/** Where a column's value comes from in an element's value. */
type Accessor = (v: unknown) => { has: boolean; value?: unknown };

interface ValueColumn {
  name: string;
  get: Accessor;
}

export function tableOf(elements: readonly WindowedValue<unknown>[], options: TableOptions = {}): Table {
  const maxChars = options.maxCellChars ?? 80;
  const values = elements.map((e) => e.value);
  const valueColumns = valueColumnsOf(values);
  const meta = metaColumnNames(valueColumns.map((c) => c.name), options);

  const rows: (TableCell | undefined)[][] = elements.map((e) => {
    const row: (TableCell | undefined)[] = valueColumns.map((c) => {
      const got = c.get(e.value);
      return got.has ? valueCell(got.value, maxChars) : undefined;
    });
    if (meta.timestamp) {
      const t = e.timestamp;
      row.push({ text: formatInstant(t), data: isCalendarInstant(t) ? new Date(t).toISOString() : formatInstant(t) });
    }
    if (meta.window) {
      const text = formatWindows(e.windows);
      row.push({ text, data: text });
    }
    if (meta.pane) {
      const text = formatPane(e.pane);
      row.push({ text, data: text });
    }
    return row;
  });

  const columns: TableColumn[] = valueColumns.map((c) => columnOf(c.name, elements.map((e) => c.get(e.value))));
  if (meta.timestamp) {
    const calendar = elements.every((e) => isCalendarInstant(e.timestamp));
    columns.push({ name: meta.timestamp, type: calendar ? "datetime" : "string", numeric: false });
  }
  if (meta.window) columns.push({ name: meta.window, type: "string", numeric: false });
  if (meta.pane) columns.push({ name: meta.pane, type: "string", numeric: false });

  return {
    name: options.name,
    columns,
    rows,
    truncated: options.truncated ?? false,
    totalAtLeast: options.totalAtLeast,
    total: options.total,
  };
}

/**
 * The names of the timestamp, window and pane columns (when asked for): `timestamp`,
 * `window`, `pane`, or with a leading `_` when the data already has a field so named.
 */
export function metaColumnNames(
  dataColumns: readonly string[],
  options: Pick<TableOptions, "timestamps" | "windows" | "panes">,
): { timestamp?: string; window?: string; pane?: string } {
  const taken = new Set(dataColumns);
  const unique = (name: string): string => {
    let n = name;
    while (taken.has(n)) n = "_" + n;
    taken.add(n);
    return n;
  };
  return {
    timestamp: options.timestamps ? unique("timestamp") : undefined,
    window: options.windows ? unique("window") : undefined,
    pane: options.panes ? unique("pane") : undefined,
  };
}

function valueColumnsOf(values: readonly unknown[]): ValueColumn[] {
  if (values.length === 0) return [];
  if (values.every((v) => KV.is(v))) {
    const kvs = values as KV<unknown, unknown>[];
    return [
      ...sideColumns("key", kvs.map((kv) => kv.key), (v) => (v as KV<unknown, unknown>).key),
      ...sideColumns("value", kvs.map((kv) => kv.value), (v) => (v as KV<unknown, unknown>).value),
    ];
  }
  if (values.every(isRecord)) {
    return fieldUnion(values as Record<string, unknown>[]).map((f) => ({ name: f, get: field(f, (v) => v) }));
  }
  return [{ name: "value", get: (v) => ({ has: true, value: v }) }];
}

/** A KV's key or value: its fields as `side.f` columns when every one is a record with fields. */
function sideColumns(side: string, sides: unknown[], pick: (kv: unknown) => unknown): ValueColumn[] {
  if (sides.every(isRecord)) {
    const fields = fieldUnion(sides as Record<string, unknown>[]);
    if (fields.length > 0) return fields.map((f) => ({ name: `${side}.${f}`, get: field(f, pick) }));
  }
  return [{ name: side, get: (v) => ({ has: true, value: pick(v) }) }];
}

function field(name: string, pick: (v: unknown) => unknown): Accessor {
  return (v) => {
    const r = pick(v) as Record<string, unknown>;
    return Object.prototype.hasOwnProperty.call(r, name) ? { has: true, value: r[name] } : { has: false };
  };
}

function fieldUnion(records: readonly Record<string, unknown>[]): string[] {
  const fields = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) fields.add(k);
  return [...fields];
}

function valueCell(v: unknown, maxChars: number): TableCell {
  return { text: compactValue(v, maxChars), data: toJsonValue(v) };
}

function columnOf(name: string, cells: { has: boolean; value?: unknown }[]): TableColumn {
  const kinds = new Set<ColumnType>();
  for (const c of cells) {
    if (!c.has || c.value === null || c.value === undefined) continue;
    kinds.add(typeOfValue(c.value));
  }
  let type: ColumnType = "any";
  if (kinds.size === 1) type = [...kinds][0]!;
  else if (kinds.size === 2 && kinds.has("integer") && kinds.has("number")) type = "number";
  else if (kinds.size === 0) type = "string";
  return { name, type, numeric: type === "integer" || type === "number" };
}

function typeOfValue(v: unknown): ColumnType {
  switch (typeof v) {
    case "number": return Number.isInteger(v) ? "integer" : "number";
    case "bigint": return Number.isSafeInteger(Number(v)) ? "integer" : "string";
    case "boolean": return "boolean";
    case "string": return "string";
  }
  if (Array.isArray(v)) return "array";
  const kind = kindOf(v);
  if (kind === "Date") return "datetime";
  if (kind === "Object" || kind === "Map") return "object";
  if (kind === "Uint8Array") return "string";
  if (kind === "Set" || /Array$/.test(kind)) return "array";
  return "string";
}
