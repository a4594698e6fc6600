/**
 * A table bundle's `application/vnd.dataresource+json` drawn as text fitted to a width:
 * used when the bundle's own text/plain is wider than the terminal (it was fitted to
 * another width) or missing. Columns share the width; long cells are cut with an ellipsis.
 */
import { truncate, visibleWidth } from "./ansi.js";

export interface DataResource {
  schema?: { fields?: Array<{ name: string; type?: string }> };
  data?: Array<Record<string, unknown>>;
}

export function isDataResource(x: unknown): x is DataResource {
  return typeof x === "object" && x !== null && Array.isArray((x as DataResource).data);
}

export function renderTable(res: DataResource, width: number): string {
  const rows = res.data ?? [];
  const names = res.schema?.fields?.map((f) => f.name) ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (!names.length) return "(empty table)";
  const cells = rows.map((r) => names.map((n) => cellText(r[n])));
  const natural = names.map((n, i) => Math.max(visibleWidth(n), ...cells.map((c) => visibleWidth(c[i]!))));
  const widths = fit(natural, width - (names.length - 1) * 3 - 2);
  const line = (vals: string[]) => " " + vals.map((v, i) => pad(truncate(v, widths[i]!), widths[i]!)).join(" │ ").trimEnd();
  const rule = "─" + widths.map((w) => "─".repeat(w)).join("─┼─") + "─";
  return [line(names), rule, ...cells.map(line)].join("\n");
}

/** Shrinks the widest columns first until the total fits (each keeps at least 3). */
function fit(natural: number[], total: number): number[] {
  const w = [...natural];
  let over = w.reduce((a, b) => a + b, 0) - Math.max(total, w.length * 3);
  while (over > 0) {
    const i = w.indexOf(Math.max(...w));
    if (w[i]! <= 3) break;
    w[i]!--;
    over--;
  }
  return w;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v.replace(/\n/g, "⏎");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const pad = (s: string, w: number) => s + " ".repeat(Math.max(0, w - visibleWidth(s)));
