/**
 * renderChartText: a Vega-Lite spec (as chartSpec makes it, or a user's simple one) drawn
 * in a terminal `width` columns wide — bar charts as block bars, histograms with vega's
 * bins, line/area/point charts in braille — and any other spec described in a line.
 */
import { formatCount } from "../format.js";
import { drawBars, barsOf } from "./text_bars.js";
import { drawHistogram, histogramOf } from "./text_histogram.js";
import { drawXY, seriesOf } from "./text_xy.js";
import { channel, channelTitle, fit, inlineRows, isObject, markType, titleLines, type ChannelDef, type Json } from "./read_spec.js";

const DISCRETE = new Set(["nominal", "ordinal"]);
const CONTINUOUS = new Set(["quantitative", "temporal"]);
const COMPOSITION = ["layer", "facet", "hconcat", "vconcat", "concat", "repeat", "transform"];

type Fielded = ChannelDef & { field: string };
const hasField = (d: ChannelDef | undefined): d is Fielded => typeof d?.field === "string";

/**
 * `height`: lines the chart may take, its title included (default: as many as it needs up
 * to 40 bars or 25 histogram bins; 12 lines for line charts, 14 for histograms as columns).
 */
export function renderChartText(spec: Record<string, unknown>, width = 80, height?: number): string {
  width = Math.max(20, Math.floor(width));
  const head = titleLines(spec).map((l) => fit(l, width));
  const bodyHeight = height === undefined ? undefined : Math.max(4, Math.floor(height) - head.length);
  const body = drawBody(spec, width, bodyHeight) ?? [describe(spec)];
  return [...head, ...body.map((l) => fit(l, width))].join("\n");
}

function drawBody(spec: Json, width: number, height: number | undefined): string[] | undefined {
  if (COMPOSITION.some((k) => k in spec)) return undefined;
  const rows = inlineRows(spec);
  const mark = markType(spec);
  const x = channel(spec, "x");
  const y = channel(spec, "y");
  if (!rows || !mark) return undefined;

  if (mark === "bar") {
    // A histogram: one channel binned, the other counting (or summing) rows.
    for (const [b, c] of [[x, y], [y, x]] as const) {
      if (hasField(b) && b.bin && b.bin !== "binned" && (!c || c.aggregate === "count" || c.aggregate === "sum")) {
        const bins = histogramOf(rows, b, c?.aggregate === "sum" ? c : undefined);
        return drawHistogram(bins, width, height, { x: channelTitle(b), y: c ? channelTitle(c) : "count" });
      }
    }
    for (const [cat, val, valChannel] of [[x, y, "y"], [y, x, "x"]] as const) {
      if (hasField(cat) && DISCRETE.has(cat.type ?? "") && val && !val.bin && (val.type === "quantitative" || val.aggregate === "count")) {
        const bars = barsOf(rows, cat, val, valChannel);
        return drawBars(bars, width, height ?? 41, { cat: channelTitle(cat), val: channelTitle(val) });
      }
    }
    return undefined;
  }

  const xy = mark === "line" || mark === "area" || mark === "trail" ? (mark === "area" ? "area" : "line") : ["point", "circle", "square"].includes(mark) ? "point" : undefined;
  if (xy && hasField(x) && hasField(y) && CONTINUOUS.has(x.type ?? "") && y.type === "quantitative" && !x.aggregate && !y.aggregate && !x.bin && !y.bin && !x.timeUnit) {
    const color = channel(spec, "color");
    const zero = y.scale?.zero !== false && !y.scale?.domain && xy !== "point";
    return drawXY(seriesOf(rows, x, y, color), width, height ?? 12, { mark: xy, temporal: x.type === "temporal", zero }, { x: channelTitle(x), y: channelTitle(y) });
  }
  return undefined;
}

/** One line for a chart the terminal does not draw. */
function describe(spec: Json): string {
  const views = ["layer", "facet", "hconcat", "vconcat", "concat", "repeat"].find((k) => k in spec);
  const what = markType(spec) ?? (views ? `${views} of views` : "chart");
  const rows = inlineRows(spec);
  const count = rows ? `, ${formatCount(rows.length)} row${rows.length === 1 ? "" : "s"}` : isObject(spec.data) ? ", data from elsewhere" : "";
  return `Vega-Lite chart: ${what}${count}; open in a notebook for the picture`;
}
