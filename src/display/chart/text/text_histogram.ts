/**
 * A histogram in the terminal, with vega's bins: one line per bin (its range, a bar, the
 * count) when the bins fit the height, else vertical bars with the range under them.
 */
import { formatNumber } from "../format.js";
import { valueAt } from "../rows.js";
import { horizontalBar, verticalBarCell } from "./blocks.js";
import { binIndex, niceBins, type BinParams } from "./bins.js";
import { charLength, fit, isObject, toNumber, type ChannelDef } from "./read_spec.js";

export interface HistogramBin {
  start: number;
  end: number;
  count: number;
}

/** The bins of `field` over `rows`, as `bin` (true or vega-lite's bin params) makes them. */
export function histogramOf(rows: readonly Record<string, unknown>[], binned: ChannelDef & { field: string }, weight?: ChannelDef): HistogramBin[] {
  const pairs: [number, number][] = [];
  for (const row of rows) {
    const v = toNumber(valueAt(row, binned.field), false);
    if (v === undefined) continue;
    const w = weight?.field ? (toNumber(valueAt(row, weight.field), false) ?? 0) : 1;
    pairs.push([v, w]);
  }
  if (pairs.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const [v] of pairs) (min = Math.min(min, v)), (max = Math.max(max, v));
  const params: BinParams = isObject(binned.bin) ? (binned.bin as BinParams) : {};
  const bins = niceBins([min, max], params);
  const n = Math.max(1, Math.round((bins.stop - bins.start) / bins.step));
  const out: HistogramBin[] = Array.from({ length: n }, (_, i) => ({ start: bins.start + i * bins.step, end: bins.start + (i + 1) * bins.step, count: 0 }));
  for (const [v, w] of pairs) {
    if (v < bins.start || v > bins.stop) continue; // outside an explicit extent: vega drops it too
    out[binIndex(bins, v)].count += w;
  }
  return out;
}

/** Bins drawn one per line up to this many (and a header line); beyond, as columns this many lines tall. */
const HORIZONTAL_UP_TO = 25;
const VERTICAL_HEIGHT = 14;

const range = (b: HistogramBin) => `${formatNumber(round(b.start))} – ${formatNumber(round(b.end))}`;
/** Bin edges are sums of float steps: print them as the steps' decimals allow. */
const round = (v: number) => Number(v.toPrecision(12));

/** The lines of a histogram `width` columns wide; `height`: lines it may take (default: one per bin up to 25, else 14). */
export function drawHistogram(bins: readonly HistogramBin[], width: number, height: number | undefined, titles: { x: string; y: string }): string[] {
  if (bins.length === 0) return ["(no bins: no numeric values)"];
  const max = Math.max(...bins.map((b) => b.count));
  if (bins.length + 1 <= (height ?? HORIZONTAL_UP_TO)) {
    const ranges = bins.map(range);
    const counts = bins.map((b) => formatNumber(b.count));
    const rw = Math.min(Math.max(charLength(titles.x), ...ranges.map(charLength)), Math.floor(width * 0.4));
    const cw = Math.max(...counts.map(charLength));
    const barWidth = Math.max(1, width - rw - cw - 2);
    const lines = [`${fit(titles.x, rw).padEnd(rw)} ${fit(titles.y, barWidth + 1 + cw)}`];
    bins.forEach((b, i) => lines.push(`${fit(ranges[i], rw).padEnd(rw)} ${horizontalBar(max > 0 ? (b.count / max) * barWidth : 0)} ${counts[i]}`.trimEnd()));
    return lines;
  }
  // Vertical: each bin a column (or several), the tallest bin `rows` high.
  const yLabel = formatNumber(max);
  const axis = Math.max(charLength(yLabel), 1);
  const plot = Math.max(bins.length, width - axis - 1);
  const colWidth = Math.max(1, Math.floor(plot / bins.length));
  const rows = Math.max(2, (height ?? VERTICAL_HEIGHT) - 3);
  const lines: string[] = [fit(`${titles.y} per bin of ${titles.x}`, width)];
  for (let r = rows - 1; r >= 0; r--) {
    const label = r === rows - 1 ? yLabel : r === 0 ? "0" : "";
    let s = `${label.padStart(axis)}│`;
    for (const b of bins) s += verticalBarCell(max > 0 ? (b.count / max) * rows : 0, r).repeat(colWidth);
    lines.push(s.trimEnd());
  }
  const span = bins.length * colWidth;
  lines.push(`${" ".repeat(axis)}└${"─".repeat(span)}`);
  lines.push(" ".repeat(axis + 1) + edgeLabels(bins, colWidth, span));
  return lines.map((l) => fit(l, width));
}

/** Bin edges under the columns where they fit, left to right, the last edge always shown. */
function edgeLabels(bins: readonly HistogramBin[], colWidth: number, span: number): string {
  const line: string[] = Array(span).fill(" ");
  const last = formatNumber(round(bins[bins.length - 1].end));
  const lastAt = Math.max(0, span - charLength(last));
  let free = 0;
  bins.forEach((b, i) => {
    const label = formatNumber(round(b.start));
    const at = i * colWidth;
    if (at < free || at + charLength(label) >= lastAt) return;
    [...label].forEach((c, k) => (line[at + k] = c));
    free = at + charLength(label) + 2;
  });
  [...last].forEach((c, k) => (line[lastAt + k] = c));
  return line.join("").trimEnd();
}
