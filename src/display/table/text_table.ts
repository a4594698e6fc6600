/**
 * A table as aligned plain-text columns under a title line, fitted to a width: wide
 * columns shrink (their cells cut with "…") before any is dropped, columns that still do
 * not fit are replaced by one "…" column, and no line is ever longer than the width.
 * Numbers are right-aligned.
 */
import { displayWidth, fitToWidth, truncateToWidth } from "./text_width.js";
import { tableTitle, type Table } from "./table_model.js";

const GAP = 2;
/** A column is not shrunk below this (or below its natural width, if narrower). */
const MIN_COLUMN = 5;

export function renderTableText(table: Table, width: number): string {
  const w = Math.max(1, Math.floor(width));
  const title = truncateToWidth(tableTitle(table), w);
  if (table.columns.length === 0) return title;

  const cellText = table.rows.map((row) => table.columns.map((_, i) => row[i]?.text ?? ""));
  const natural = table.columns.map((c, i) => cellText.reduce((w, r) => Math.max(w, displayWidth(r[i]!)), displayWidth(c.name)));
  const { widths, ellipsis } = fitColumns(natural, w);

  const line = (cells: string[], rule = false): string => {
    const parts = widths.map((cw, i) => (rule ? "─".repeat(cw) : fitToWidth(cells[i]!, cw, table.columns[i]!.numeric ? "right" : "left")));
    if (ellipsis) parts.push(rule ? "─" : "…");
    return parts.join(" ".repeat(GAP)).trimEnd();
  };
  const lines = [title, line(table.columns.map((c) => c.name)), line([], true), ...cellText.map((r) => line(r))];
  // A truncated table ends in "…", so the bottom of what is shown says there is more (as the title does).
  if (table.truncated) lines.push("…");
  return lines.join("\n");
}

/**
 * Column widths within `width` (gaps included): the natural widths when they fit, else
 * the widest columns shrunk to a common cap; columns that do not fit even at their
 * minimum are left off the end (`widths` is shorter), leaving room for an "…" column
 * (`ellipsis`) when there is room for it.
 */
export function fitColumns(natural: readonly number[], width: number): { widths: number[]; ellipsis: boolean } {
  const total = (ws: readonly number[]): number => ws.reduce((a, b) => a + b, 0) + GAP * Math.max(0, ws.length - 1);
  if (total(natural) <= width) return { widths: [...natural], ellipsis: false };

  const minimum = natural.map((n) => Math.min(n, MIN_COLUMN));
  // How many columns fit at their minimum, with a "…" column after them when some are left off.
  let kept = natural.length;
  const overflow = (k: number): number => (k < natural.length ? GAP + 1 : 0);
  while (kept > 1 && total(minimum.slice(0, kept)) + overflow(kept) > width) kept--;
  if (kept === 1 && minimum[0]! + overflow(1) > width) {
    // Not even one column and the "…": show the first column alone, as wide as there is room.
    return { widths: [Math.min(natural[0]!, width)], ellipsis: false };
  }

  const nat = natural.slice(0, kept);
  const min = minimum.slice(0, kept);
  const available = width - GAP * (kept - 1) - overflow(kept);
  const capped = (cap: number): number[] => nat.map((n, i) => Math.min(n, Math.max(cap, min[i]!)));
  const sum = (ws: number[]): number => ws.reduce((a, b) => a + b, 0);
  // The largest cap that fits (binary search; a cap of 0 leaves every column at its minimum).
  let lo = 0;
  let hi = Math.max(...nat);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sum(capped(mid)) <= available) lo = mid;
    else hi = mid - 1;
  }
  const widths = capped(lo);
  // Hand out what the cap's rounding left, one column at a time, to the columns it cut.
  let spare = available - sum(widths);
  for (let i = 0; i < widths.length && spare > 0; i++) {
    if (widths[i]! < nat[i]!) {
      widths[i]!++;
      spare--;
    }
  }
  return { widths, ellipsis: kept < natural.length };
}
