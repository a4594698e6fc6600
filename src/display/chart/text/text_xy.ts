/**
 * Line, area and point charts in the terminal, drawn in braille dots: y's min and max at
 * the ends of the y axis, x's range under the plot (as UTC times for a temporal x).
 */
import { formatNumber, formatTime } from "../format.js";
import { valueAt } from "../rows.js";
import { BrailleCanvas } from "./braille.js";
import { charLength, fit, toNumber, type ChannelDef } from "./read_spec.js";

export interface XYSeries {
  name: string;
  points: [number, number][];
}

/** Points by series (the color channel's values), each sorted by x; rows without numeric x and y are skipped. */
export function seriesOf(
  rows: readonly Record<string, unknown>[],
  x: ChannelDef & { field: string },
  y: ChannelDef & { field: string },
  color: ChannelDef | undefined,
): XYSeries[] {
  const temporal = x.type === "temporal";
  const byName = new Map<string, [number, number][]>();
  for (const row of rows) {
    const px = toNumber(valueAt(row, x.field), temporal);
    const py = toNumber(valueAt(row, y.field), false);
    if (px === undefined || py === undefined) continue;
    const name = color?.field ? String(valueAt(row, color.field)) : "";
    let pts = byName.get(name);
    if (!pts) byName.set(name, (pts = []));
    pts.push([px, py]);
  }
  return [...byName].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
}

export interface XYStyle {
  mark: "line" | "area" | "point";
  temporal: boolean;
  /** Include 0 in y's range, as Vega-Lite's quantitative scales do by default. */
  zero: boolean;
}

export function drawXY(series: readonly XYSeries[], width: number, height: number, style: XYStyle, titles: { x: string; y: string }): string[] {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return ["(no points: no rows with numbers for x and y)"];
  let [x0, x1] = extent(all.map((p) => p[0]));
  let [y0, y1] = extent(all.map((p) => p[1]));
  if (style.zero) (y0 = Math.min(0, y0)), (y1 = Math.max(0, y1));
  if (x0 === x1) (x0 -= 1), (x1 += 1);
  if (y0 === y1) (y0 -= 1), (y1 += 1);

  const yLabels = [formatNumber(y1), formatNumber(y0)];
  const axis = Math.max(...yLabels.map(charLength));
  const columns = Math.max(4, width - axis - 1);
  const rows = Math.max(2, height - 3);
  const canvas = new BrailleCanvas(columns, rows);
  const px = (x: number) => ((x - x0) / (x1 - x0)) * (canvas.dotWidth - 1);
  const py = (y: number) => (1 - (y - y0) / (y1 - y0)) * (canvas.dotHeight - 1);
  for (const s of series) {
    s.points.forEach(([x, y], i) => {
      if (style.mark === "point" || i === 0) canvas.set(px(x), py(y));
      else canvas.line(px(s.points[i - 1][0]), py(s.points[i - 1][1]), px(x), py(y));
      if (style.mark === "area" && i > 0) fillBelow(canvas, px(s.points[i - 1][0]), py(s.points[i - 1][1]), px(x), py(y), py(Math.max(y0, Math.min(0, y1))));
    });
  }

  const lines = [fit(series.length > 1 ? `${titles.y} by ${titles.x}, ${series.length} series: ${series.map((s) => s.name).join(", ")}` : `${titles.y} by ${titles.x}`, width)];
  canvas.lines().forEach((l, r) => {
    const label = r === 0 ? yLabels[0] : r === rows - 1 ? yLabels[1] : "";
    lines.push(`${label.padStart(axis)}│${l}`.trimEnd());
  });
  lines.push(`${" ".repeat(axis)}└${"─".repeat(columns)}`);
  const span = x1 - x0;
  const left = style.temporal ? formatTime(x0, span) : formatNumber(x0);
  const sameDay = style.temporal && new Date(x0).toISOString().slice(0, 10) === new Date(x1).toISOString().slice(0, 10);
  const right = style.temporal ? formatTime(x1, span, !sameDay) : formatNumber(x1);
  const gap = Math.max(1, columns - charLength(left) - charLength(right));
  lines.push(fit(`${" ".repeat(axis + 1)}${left}${" ".repeat(gap)}${right}`, width));
  return lines;
}

/** An area's fill: every dot column under the segment, down (or up) to the baseline. */
function fillBelow(canvas: BrailleCanvas, xa: number, ya: number, xb: number, yb: number, base: number): void {
  const from = Math.round(xa);
  const to = Math.round(xb);
  for (let c = from; c <= to; c++) {
    const t = to === from ? 1 : (c - from) / (to - from);
    canvas.line(c, ya + t * (yb - ya), c, base);
  }
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  return [lo, hi];
}
