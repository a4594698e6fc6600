/** Unicode block elements: bars in eighths of a character cell. */

const HORIZONTAL = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const VERTICAL = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/** A horizontal bar `cells` characters long (fractional cells drawn as eighths). */
export function horizontalBar(cells: number): string {
  const eighths = Math.max(0, Math.round(cells * 8));
  return "█".repeat(Math.floor(eighths / 8)) + HORIZONTAL[eighths % 8];
}

/** Row `row` (0 = bottom) of a vertical bar `cells` rows tall. */
export function verticalBarCell(cells: number, row: number): string {
  const eighths = Math.round((cells - row) * 8);
  return VERTICAL[Math.max(0, Math.min(8, eighths))];
}
