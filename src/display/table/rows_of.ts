/**
 * A PCollection's elements as plain rows with their raw values, for charts: a KV as
 * `{ key, value }`, a record as its own fields, anything else as `{ value }`; with
 * `timestamp` (epoch ms), `window` (`{ start, end }` or "GlobalWindow") and `pane` when
 * asked, named as tableOf names those columns.
 */
import { KV } from "../../sdk/values/kv.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import { isRecord } from "./compact.js";
import { formatPane, windowJson } from "./element_meta.js";
import { metaColumnNames, type TableOptions } from "./table_of.js";

export type RowOptions = Pick<TableOptions, "timestamps" | "windows" | "panes">;

export function rowsOf(elements: readonly WindowedValue<unknown>[], options: RowOptions = {}): Record<string, unknown>[] {
  const values = elements.map((e) => e.value);
  const allKv = values.length > 0 && values.every((v) => KV.is(v));
  const allRecords = !allKv && values.length > 0 && values.every(isRecord);
  const dataFields = new Set<string>();
  const rows = values.map((v): Record<string, unknown> => {
    if (allKv) return { key: (v as KV<unknown, unknown>).key, value: (v as KV<unknown, unknown>).value };
    if (allRecords) {
      const row = { ...(v as Record<string, unknown>) };
      for (const k of Object.keys(row)) dataFields.add(k);
      return row;
    }
    return { value: v };
  });
  const names = metaColumnNames(allKv ? ["key", "value"] : allRecords ? [...dataFields] : ["value"], options);
  elements.forEach((e, i) => {
    const row = rows[i]!;
    if (names.timestamp) row[names.timestamp] = e.timestamp;
    if (names.window) row[names.window] = e.windows.length === 1 ? windowJson(e.windows[0]) : e.windows.map(windowJson);
    if (names.pane) row[names.pane] = formatPane(e.pane);
  });
  return rows;
}
