// The terminal's charts (text/plain): block bars, braille lines, histograms with vega's bins,
// a description for the rest; always within the width asked for.
import { describe, expect, it } from "vitest";
import { chartSpec, renderChartText, type ChartRequest } from "../../../src/display/chart/index.js";
import { niceBins } from "../../../src/display/chart/text/bins.js";
import { histogramOf } from "../../../src/display/chart/text/text_histogram.js";
import { BrailleCanvas } from "../../../src/display/chart/text/braille.js";
import { wordCountRows } from "./pictures.js";

const text = (r: ChartRequest, width = 80, height?: number) => renderChartText(chartSpec(r), width, height);
const widthOf = (s: string) => Math.max(...s.split("\n").map((l) => [...l].length));
/** A block bar's length in eighths of a cell. */
const EIGHTHS: Record<string, number> = { "█": 8, "▉": 7, "▊": 6, "▋": 5, "▌": 4, "▍": 3, "▎": 2, "▏": 1 };
const barEighths = (line: string) => [...line].reduce((n, c) => n + (EIGHTHS[c] ?? 0), 0);
const isBraille = (c: string) => c >= "\u2801" && c <= "\u28ff";

describe("terminal bar chart", () => {
  const rows = wordCountRows();
  const top = [...rows].sort((a, b) => b.value - a.value).slice(0, 20);
  const request: ChartRequest = { spec: { bar: { x: "key", y: "value" }, top: 20, title: "Most frequent words" }, rows };

  it("draws one bar per word, largest first, lengths in proportion to the counts", () => {
    const out = text(request, 80);
    const lines = out.split("\n");
    expect(lines[0]).toBe("Most frequent words");
    expect(lines[1]).toBe(`top 20 of ${rows.length.toLocaleString("en-US").replace(/,/g, " ")} rows`);
    const bars = lines.filter((l) => barEighths(l) > 0);
    expect(bars).toHaveLength(20);
    bars.forEach((l, i) => {
      expect(l.startsWith(top[i].key + " ")).toBe(true);
      expect(l.endsWith(" " + top[i].value.toLocaleString("en-US"))).toBe(true);
    });
    const lengths = bars.map(barEighths);
    expect(Math.max(...lengths)).toBe(lengths[0]); // the longest bar is the largest value
    lengths.forEach((n, i) => expect(Math.abs(n / lengths[0] - top[i].value / top[0].value)).toBeLessThan(1 / lengths[0] + 1e-9));
  });

  it("respects the width, and uses it", () => {
    for (const width of [30, 40, 80, 120]) {
      const out = text(request, width);
      expect(widthOf(out), `width ${width}`).toBeLessThanOrEqual(width);
      expect(widthOf(out), `width ${width}`).toBeGreaterThanOrEqual(width - 2);
    }
  });

  it("cuts long labels with an ellipsis and says how many bars it left out", () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ key: `a-rather-long-category-name-${i}`, value: i + 1 }));
    const out = text({ spec: { bar: { x: "key", y: "value" }, title: "Many" }, rows: many }, 60, 10);
    const lines = out.split("\n");
    expect(lines).toHaveLength(10); // the height, title included
    expect(lines.filter((l) => barEighths(l) > 0)).toHaveLength(7);
    // Cut in the middle: labels that share a prefix stay apart (ordered as Vega-Lite orders them: by name).
    expect(lines.slice(2, 9).map((l) => l.split(" ")[0])).toEqual(["a-rather-…y-name-0", "a-rather-…y-name-1", "a-rather-…-name-10", "a-rather-…-name-11", "a-rather-…-name-12", "a-rather-…-name-13", "a-rather-…-name-14"]);
    expect(lines.at(-1)).toBe("… 53 more bars");
    expect(widthOf(out)).toBeLessThanOrEqual(60);
  });
});

describe("terminal line chart", () => {
  const start = Date.UTC(2026, 11, 5, 18, 0);
  const rows = Array.from({ length: 120 }, (_, i) => ({ timestamp: start + i * 60_000, value: 10 + i }));

  it("keeps to the height asked for", () => {
    for (const height of [6, 12, 20]) expect(text({ spec: { line: { x: "timestamp", y: "value" }, title: "T" }, rows }, 80, height).split("\n")).toHaveLength(height);
  });

  it("draws braille dots rising left to right, with y's range and x's range as UTC times", () => {
    const out = text({ spec: { line: { x: "timestamp", y: "value" } }, rows }, 80, 12);
    const lines = out.split("\n");
    expect(widthOf(out)).toBeLessThanOrEqual(80);
    const plot = lines.filter((l) => l.includes("│"));
    expect(plot).toHaveLength(9);
    expect(plot[0].startsWith("129│")).toBe(true); // y max
    expect(plot.at(-1)!.startsWith("  0│")).toBe(true); // y from zero, as Vega-Lite's scale
    const col = (l: string) => [...l].findIndex(isBraille);
    const lastCol = (l: string) => [...l].length - 1 - [...l].reverse().findIndex(isBraille);
    // A rising line: the top row's dots are right of the lowest row's that has any.
    const withDots = plot.filter((l) => [...l].some(isBraille));
    expect(col(withDots[0])).toBeGreaterThan(lastCol(withDots.at(-1)!) - 1);
    expect(lines.at(-1)).toMatch(/^\s+2026-12-05 18:00\s+19:59$/);
  });

  it("draws each series of a color field, naming them", () => {
    const two = rows.flatMap((r) => [{ ...r, series: "a" }, { ...r, value: 200 - r.value, series: "b" }]);
    const out = text({ spec: { line: { x: "timestamp", y: "value", color: "series" } }, rows: two }, 60);
    expect(out).toContain("2 series: a, b");
    expect(widthOf(out)).toBeLessThanOrEqual(60);
  });

  it("draws the same dots for the same points (Bresenham between them)", () => {
    const c = new BrailleCanvas(2, 1);
    c.line(0, 0, 3, 3);
    expect(c.lines()).toEqual(["⠑⢄"]);
  });
});

describe("terminal histogram", () => {
  it("uses vega's bins", () => {
    // Random extents and bin counts: our port of vega's bin choice agrees with vega's own.
    return import("vega").then(({ bin }) => {
      let seed = 7;
      const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      for (let i = 0; i < 500; i++) {
        const a = (rnd() - 0.3) * 10 ** Math.floor(rnd() * 6);
        const b = a + rnd() * 10 ** Math.floor(rnd() * 6 - 2);
        const maxbins = 1 + Math.floor(rnd() * 50);
        const ours = niceBins([a, b], { maxbins });
        const theirs = bin({ extent: [a, b], maxbins });
        expect(ours.start).toBe(theirs.start);
        expect(ours.step).toBe(theirs.step);
        expect(ours.stop).toBeGreaterThanOrEqual(theirs.stop - 1e-9 * Math.abs(theirs.stop));
        // Ours is rounded up to a whole number of steps from the start, as vega's Bin transform rounds it.
        expect(ours.stop).toBeCloseTo(theirs.start + Math.ceil((theirs.stop - theirs.start) / theirs.step) * theirs.step, 9);
      }
    });
  });

  it("lists bins with their ranges when they fit the height", () => {
    const rows = [1, 2, 2, 3, 3, 3, 9].map((v) => ({ v: v + 0.5 }));
    const out = text({ spec: { histogram: "v", bins: 10 }, rows }, 50);
    const lines = out.split("\n");
    expect(lines[0]).toMatch(/^v\s+count$/);
    const bins = histogramOf(rows, { field: "v", bin: { maxbins: 10 } });
    expect(lines.slice(1)).toHaveLength(bins.length);
    bins.forEach((b, i) => expect(lines[1 + i]).toMatch(new RegExp(`^${b.start} – ${b.end} .*${b.count ? ` ${b.count}` : ""}$`)));
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(7);
    expect(widthOf(out)).toBeLessThanOrEqual(50);
  });

  it("draws many bins as columns, with edges under them", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ v: (i * 37) % 100 + (i % 3) / 3 }));
    const out = text({ spec: { histogram: "v", bins: 50 }, rows }, 70);
    const lines = out.split("\n");
    expect(lines[0]).toBe("count per bin of v");
    expect(lines.some((l) => l.includes("█"))).toBe(true);
    expect(lines.at(-2)).toMatch(/└─+$/);
    expect(lines.at(-1)).toMatch(/^\s+0\s.*\s100$/);
    expect(widthOf(out)).toBeLessThanOrEqual(70);
    expect(lines.length).toBeLessThanOrEqual(15);
  });
});

describe("terminal, other charts", () => {
  it("describes what it does not draw", () => {
    const rows = Array.from({ length: 1234 }, (_, i) => ({ a: i, b: i % 7 }));
    expect(text({ spec: { mark: "tick", encoding: { x: { field: "a", type: "quantitative" } } }, rows })).toBe(
      "Vega-Lite chart: tick, 1 234 rows; open in a notebook for the picture",
    );
    const layered = text({ spec: { layer: [{ mark: "rule" }] }, rows: rows.slice(0, 3) });
    expect(layered).toBe("Vega-Lite chart: layer of views, 3 rows; open in a notebook for the picture");
  });

  it("says there are no rows", () => {
    expect(text({ spec: { bar: { x: "key", y: "value" } }, rows: [] })).toBe("no rows\n(no bars: no rows)");
    expect(text({ spec: { line: { x: "timestamp", y: "value" } }, rows: [] })).toContain("no rows");
    expect(text({ spec: { histogram: "v" }, rows: [] })).toContain("no rows");
  });

  it("draws a point chart in braille", () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ a: i, b: (i * 13) % 17 }));
    const out = text({ spec: { point: { x: "a", y: "b" } }, rows }, 50);
    expect([...out].filter(isBraille).length).toBeGreaterThan(10);
    expect(widthOf(out)).toBeLessThanOrEqual(50);
  });
});
