/**
 * A table rebuilt from the data resource of its bundle, so a front end can draw the text
 * again at its own width with the same renderer (the REPL, when a bundle's text/plain was
 * fitted to another width). Accepts any Frictionless-shaped JSON; returns undefined for
 * anything else.
 */
import { compactValue } from "./compact.js";
import type { ColumnType, Table } from "./table_model.js";

const TYPES = new Set<ColumnType>(["string", "number", "integer", "boolean", "datetime", "object", "array", "any"]);

export function tableFromDataResource(resource: unknown, maxCellChars = 80): Table | undefined {
  if (typeof resource !== "object" || resource === null) return undefined;
  const r = resource as { title?: unknown; schema?: { fields?: unknown }; data?: unknown };
  if (!Array.isArray(r.data)) return undefined;
  const rows = r.data.filter((d): d is Record<string, unknown> => typeof d === "object" && d !== null && !Array.isArray(d));
  const fields = Array.isArray(r.schema?.fields)
    ? (r.schema.fields as unknown[]).filter((f): f is { name: string; type?: unknown } => typeof (f as { name?: unknown })?.name === "string")
    : [...new Set(rows.flatMap((d) => Object.keys(d)))].map((name) => ({ name, type: "any" }));
  const columns = fields.map((f) => {
    const type = TYPES.has(f.type as ColumnType) ? (f.type as ColumnType) : "any";
    return { name: f.name, type, numeric: type === "integer" || type === "number" };
  });
  return {
    title: typeof r.title === "string" ? r.title : undefined,
    columns,
    // A null is shown as an empty cell: the resource does not tell a missing field from a null one.
    rows: rows.map((d) => columns.map((c) => (d[c.name] === null || d[c.name] === undefined ? undefined : { text: compactValue(d[c.name], maxCellChars), data: d[c.name] }))),
    truncated: false,
  };
}
