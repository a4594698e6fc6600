/**
 * A table as HTML for notebooks. Plain <table> markup with no colours of its own, so
 * JupyterLab's rendered-HTML styles (theme variables: borders, striped rows, padding)
 * make it fit the light and the dark theme alike; the title is a muted line above it.
 */
import { escapeHtml } from "./html_escape.js";
import { tableTitle, type Table } from "./table_model.js";

export function renderTableHtml(table: Table): string {
  const title = `<div style="opacity:0.7;font-size:0.9em;margin:0 0 0.25em 0">${escapeHtml(tableTitle(table))}</div>`;
  if (table.columns.length === 0) return `<div class="flowbook-table">${title}</div>`;
  const align = (numeric: boolean): string => (numeric ? ' style="text-align:right;font-variant-numeric:tabular-nums"' : ' style="text-align:left"');
  const head = table.columns.map((c) => `<th${align(c.numeric)}>${escapeHtml(c.name)}</th>`).join("");
  const body = table.rows
    .map((row) => `<tr>${table.columns.map((c, i) => `<td${align(c.numeric)}>${escapeHtml(row[i]?.text ?? "")}</td>`).join("")}</tr>`)
    .join("\n");
  const more = table.truncated ? `\n<tr><td colspan="${table.columns.length}" style="text-align:left;opacity:0.7">…</td></tr>` : "";
  return (
    `<div class="flowbook-table">${title}` +
    `<table style="border-collapse:collapse"><thead><tr>${head}</tr></thead>\n<tbody>\n${body}${more}\n</tbody></table></div>`
  );
}
