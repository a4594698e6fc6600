/**
 * A table as the renderers take it: typed columns and rows of cells, each cell with its
 * one-line text and its JSON value. tableOf (table_of.ts) builds one from a PCollection's
 * elements; renderTable (render_table.ts) turns it into a mime bundle.
 */

/** Frictionless Table Schema field types (what application/vnd.dataresource+json declares). */
export type ColumnType = "string" | "number" | "integer" | "boolean" | "datetime" | "object" | "array" | "any";

export interface TableColumn {
  name: string;
  type: ColumnType;
  /** Numbers: right-aligned in text and HTML. */
  numeric: boolean;
}

export interface TableCell {
  /** One line, already shortened to a readable length (renderers may cut it further). */
  text: string;
  /** The value as JSON (dataresource data). */
  data: unknown;
}

export interface Table {
  /** Shown as the title (a PCollection's name). */
  name?: string;
  /** The whole title line, when it is known already (a table rebuilt from its data resource). */
  title?: string;
  columns: TableColumn[];
  /** One per element; `undefined` where an element has no such field. */
  rows: (TableCell | undefined)[][];
  /** More elements exist than the rows show. */
  truncated: boolean;
  /** How many elements exist at least (said as "first n of at least N"). */
  totalAtLeast?: number;
  /** How many elements exist, when known exactly (said as "first n of N"). */
  total?: number;
}

/**
 * "counts · 20 of at least 57", "counts · 3 elements": what a table's title says. Never
 * "first": a PCollection has no order, the rows are the ones the sample happened to get.
 */
export function tableTitle(table: Table): string {
  if (table.title !== undefined) return table.title;
  const n = table.rows.length;
  let count: string;
  if (!table.truncated) count = n === 0 ? "no elements" : n === 1 ? "1 element" : `${n} elements`;
  else if (table.total !== undefined && table.total > n) count = `${n} of ${table.total}`;
  else count = `${n} of at least ${Math.max(table.totalAtLeast ?? 0, n + 1)}`;
  return table.name ? `${table.name} · ${count}` : count;
}
