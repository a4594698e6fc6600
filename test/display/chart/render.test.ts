// The three pictures of issue 9 (a top-20 bar chart, a line over event time, a histogram),
// rendered to SVG and PNG and checked as pictures: marks, axis titles, labels, pixels.
import { afterEach, describe, expect, it } from "vitest";
import type { View } from "vega";
import { chartSpec, renderChart, renderVegaLite, type ChartRequest } from "../../../src/display/chart/index.js";
import { FONT_FAMILY } from "../../../src/display/png.js";
import { Mime } from "../../../src/display/mime.js";
import { histogramOf } from "../../../src/display/chart/text/text_histogram.js";
import { decodePng, inkShare, overlaps, pixelsOfColor, pngSize, savePicture, sceneItems, svgMarkCount, wordCountRows, type SceneItemInfo } from "./pictures.js";

/** Vega-Lite's default mark color, #4c78a8. */
const MARK_BLUE: [number, number, number] = [0x4c, 0x78, 0xa8];
const PNG_SCALE = 2;

const views: View[] = [];
afterEach(() => views.splice(0).forEach((v) => v.finalize()));

async function draw(request: ChartRequest) {
  const spec = chartSpec(request);
  const rendered = await renderVegaLite(spec, FONT_FAMILY);
  views.push(rendered.view);
  const items = sceneItems(rendered.view);
  const size = rendered.svg.match(/<svg[^>]* width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/)!;
  return { spec, svg: rendered.svg, view: rendered.view, items, svgWidth: Number(size[1]), svgHeight: Number(size[2]) };
}

const byRole = (items: SceneItemInfo[], role: string) => items.filter((i) => i.role === role);

/** Every text item lies inside the picture (nothing clipped at its edges). */
function expectInside(items: SceneItemInfo[], width: number, height: number) {
  for (const t of items.filter((i) => i.marktype === "text" && i.text)) {
    expect(t.box.x1, `${t.role} "${t.text}"`).toBeGreaterThanOrEqual(0);
    expect(t.box.y1, `${t.role} "${t.text}"`).toBeGreaterThanOrEqual(0);
    expect(t.box.x2, `${t.role} "${t.text}"`).toBeLessThanOrEqual(width);
    expect(t.box.y2, `${t.role} "${t.text}"`).toBeLessThanOrEqual(height);
  }
}

/** Labels of one axis (grouped by their common y for x axes) never overlap. */
function expectNoOverlap(labels: SceneItemInfo[]) {
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      expect(overlaps(labels[i].box, labels[j].box), `"${labels[i].text}" overlaps "${labels[j].text}"`).toBe(false);
    }
  }
}

/** The x axis's labels: those below the plot (the y axis's are left of it). */
function xLabels(items: SceneItemInfo[]): SceneItemInfo[] {
  const labels = byRole(items, "axis-label");
  const bottom = Math.max(...byRole(items, "axis-domain").map((d) => d.box.y2));
  return labels.filter((l) => l.box.y1 >= bottom - 1);
}

function checkPng(bundlePng: string, svgWidth: number, svgHeight: number) {
  const bytes = Buffer.from(bundlePng, "base64");
  expect(pngSize(bytes)).toEqual({ width: Math.round(svgWidth * PNG_SCALE), height: Math.round(svgHeight * PNG_SCALE) });
  const png = decodePng(bytes);
  const ink = inkShare(png);
  expect(ink).toBeGreaterThan(0.03); // not blank
  expect(ink).toBeLessThan(0.9); // not a solid block
  return png;
}

describe("chart pictures", () => {
  it("draws the top 20 words of Shakespeare as 20 bars, largest first, with readable labels", async () => {
    const rows = wordCountRows();
    const expected = [...rows].sort((a, b) => b.value - a.value).slice(0, 20);
    const request: ChartRequest = { spec: { bar: { x: "key", y: "value" }, top: 20, title: "Most frequent words in Shakespeare" }, rows };
    const { svg, items, svgWidth, svgHeight } = await draw(request);

    const bars = byRole(items, "mark").filter((i) => i.marktype === "rect");
    expect(bars).toHaveLength(20);
    expect(svgMarkCount(svg, "rect")).toBe(20);
    // Left to right, the bars are the words by count, descending; a bar's height is its count.
    const leftToRight = [...bars].sort((a, b) => a.box.x1 - b.box.x1);
    expect(leftToRight.map((b) => b.datum?.key)).toEqual(expected.map((w) => w.key));
    const heights = leftToRight.map((b) => b.box.y2 - b.box.y1);
    heights.forEach((h, i) => expect(h / heights[0]).toBeCloseTo(expected[i].value / expected[0].value, 2));

    expect(byRole(items, "axis-title").map((t) => t.text).sort()).toEqual(["key", "value"]);
    expect(byRole(items, "title-text").map((t) => t.text)).toEqual(["Most frequent words in Shakespeare"]);
    expect(byRole(items, "title-subtitle").map((t) => t.text)).toEqual([`top 20 of ${rows.length.toLocaleString("en-US").replace(/,/g, " ")} rows`]);
    const labels = xLabels(items);
    expect(labels.map((l) => l.text)).toEqual(expected.map((w) => w.key));
    expectNoOverlap(labels);
    expectInside(items, svgWidth, svgHeight);

    const bundle = await renderChart(request, { width: 80 });
    const png = checkPng(bundle[Mime.png] as string, svgWidth, svgHeight);
    expect(pixelsOfColor(png, MARK_BLUE)).toBeGreaterThan(png.width * png.height * 0.1);
    savePicture("chart_top20_words.png", bundle[Mime.png] as string);
  });

  it("draws a line over event time with a UTC time axis", async () => {
    const start = Date.UTC(2026, 11, 5, 18, 0);
    // Events per minute for two hours: a daily-traffic-like wave.
    const rows = Array.from({ length: 120 }, (_, i) => ({ timestamp: start + i * 60_000, value: Math.round(60 + 35 * Math.sin(i / 12) + 8 * Math.sin(i / 2.3)) }));
    const request: ChartRequest = { spec: { line: { x: "timestamp", y: "value" }, title: "Events per minute (event time)" }, rows };
    const { spec, svg, view, items, svgWidth, svgHeight } = await draw(request);

    expect((spec.encoding as Record<string, { type: string }>).x.type).toBe("temporal");
    expect(view.scale("x").type).toBe("utc");
    // One line: one path in the SVG, one scene item per point.
    expect(svgMarkCount(svg, "line")).toBe(1);
    const points = byRole(items, "mark").filter((i) => i.marktype === "line");
    expect(points).toHaveLength(120);
    expect(byRole(items, "axis-title").map((t) => t.text).sort()).toEqual(["timestamp (UTC)", "value"]);
    // The x labels are times of day in UTC, from 18:00, apart.
    const labels = xLabels(items);
    expect(labels.length).toBeGreaterThanOrEqual(4);
    for (const l of labels) expect(l.text).toMatch(/^\d\d:\d\d$/);
    expect(labels[0].text).toBe("18:00");
    expectNoOverlap(labels);
    expectInside(items, svgWidth, svgHeight);

    const bundle = await renderChart(request, { width: 80 });
    const png = checkPng(bundle[Mime.png] as string, svgWidth, svgHeight);
    expect(pixelsOfColor(png, MARK_BLUE)).toBeGreaterThan(1000);
    savePicture("chart_line_event_time.png", bundle[Mime.png] as string);
  });

  it("draws a histogram with the bins the terminal draws too", async () => {
    const rows = wordCountRows().map(({ key }) => ({ length: key.length }));
    const request: ChartRequest = { spec: { histogram: "length", bins: 30, title: "Lengths of Shakespeare's words" }, rows: rows.slice(0, 5000), truncated: true, totalRows: rows.length };
    const { spec, items, svgWidth, svgHeight } = await draw(request);

    const bars = byRole(items, "mark").filter((i) => i.marktype === "rect");
    const x = (spec.encoding as Record<string, { field: string; bin: object }>).x;
    const bins = histogramOf((spec.data as { values: Record<string, unknown>[] }).values, x).filter((b) => b.count > 0);
    expect(bars).toHaveLength(bins.length);
    // Whole-number data, whole-number bins (the last holds its upper edge), every row counted once.
    for (const b of bins) expect(b.end - b.start).toBe(1);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(5000);
    const picture = bars.map((b) => Object.values(b.datum!).filter((v) => typeof v === "number") as number[]);
    for (const bin of bins) expect(picture.some((nums) => nums.includes(bin.start) && nums.includes(bin.end) && nums.includes(bin.count))).toBe(true);

    expect(byRole(items, "axis-title").map((t) => t.text).sort()).toEqual(["count", "length"]);
    expect(byRole(items, "title-subtitle").map((t) => t.text)).toEqual([`5 000 of at least ${rows.length.toLocaleString("en-US").replace(/,/g, " ")} rows`]);
    expectNoOverlap(xLabels(items));
    expectInside(items, svgWidth, svgHeight);

    const bundle = await renderChart(request, { width: 80 });
    const png = checkPng(bundle[Mime.png] as string, svgWidth, svgHeight);
    expect(pixelsOfColor(png, MARK_BLUE)).toBeGreaterThan(png.width * png.height * 0.05);
    savePicture("chart_histogram.png", bundle[Mime.png] as string);
  });

  it("renders a bundle of the four forms, from one spec", async () => {
    const rows = [{ key: "a", value: 3 }, { key: "b", value: 1 }];
    const bundle = await renderChart({ spec: { bar: { x: "key", y: "value" } }, rows }, { width: 40 });
    expect(Object.keys(bundle).sort()).toEqual([Mime.png, Mime.svg, Mime.text, Mime.vegaLite].sort());
    const spec = bundle[Mime.vegaLite] as Record<string, unknown>;
    expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    expect(spec.data).toEqual({ values: rows });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec); // plain JSON
    expect(bundle[Mime.svg]).toMatch(/^<svg[^>]*>/);
    expect(bundle[Mime.svg]).toContain(`font-family="${FONT_FAMILY}"`);
    expect((bundle[Mime.text] as string).split("\n").every((l) => [...l].length <= 40)).toBe(true);
  });

  it("draws an honest empty chart for no rows", async () => {
    for (const spec of [{ bar: { x: "key", y: "value" }, top: 5 }, { line: { x: "timestamp", y: "value" } }, { histogram: "value" }, { point: { x: "a", y: "b" } }]) {
      const { items } = await draw({ spec, rows: [] });
      expect(byRole(items, "mark").filter((i) => i.marktype !== "group")).toHaveLength(0);
      expect(byRole(items, "title-text").map((t) => t.text)).toEqual(["no rows"]);
      const bundle = await renderChart({ spec, rows: [] });
      expect(bundle[Mime.text]).toContain("no rows");
    }
  });
});
