/**
 * A table as a Frictionless data resource (`application/vnd.dataresource+json`, what
 * pandas sends and JupyterLab's table renderers read): a Table Schema and the rows as
 * JSON objects keyed by column name, a missing field as null.
 */
import { tableTitle, type ColumnType, type Table } from "./table_model.js";

export interface DataResource {
  title: string;
  schema: { fields: { name: string; type: ColumnType }[] };
  data: Record<string, unknown>[];
}

export function toDataResource(table: Table): DataResource {
  return {
    title: tableTitle(table),
    schema: { fields: table.columns.map((c) => ({ name: c.name, type: c.type })) },
    data: table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.name, row[i] === undefined ? null : row[i]!.data]))),
  };
}
