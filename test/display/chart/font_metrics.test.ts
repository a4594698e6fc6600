// The widths vega lays charts out with are the widths resvg draws: measured against resvg's own ink.
import { describe, expect, it } from "vitest";
import { Resvg } from "@resvg/resvg-js";
import { createRequire } from "node:module";
import path from "node:path";
import { textWidth, vegaTextWidth } from "../../../src/display/chart/font_metrics.js";

const ttf = path.join(path.dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json")), "ttf");

/** The ink width resvg draws `text` with, in DejaVu Sans. */
function inkWidth(text: string, size: number, bold: boolean): number {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="100"><text x="10" y="60" font-family="DejaVu Sans" font-size="${size}"${bold ? ' font-weight="bold"' : ""}>${text}</text></svg>`;
  const r = new Resvg(svg, { font: { fontFiles: [path.join(ttf, "DejaVuSans.ttf"), path.join(ttf, "DejaVuSans-Bold.ttf")], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" } });
  return r.getBBox()!.width;
}

describe("DejaVu Sans text widths", () => {
  it("match what resvg draws, within a glyph's side bearings", () => {
    for (const [text, size, bold] of [
      ["Most frequent words in Shakespeare", 13, true],
      ["timestamp (UTC)", 11, true],
      ["5 000 of at least 12 631 rows", 11, false],
      ["wwwwwwwwww", 10, false],
      ["iiiiiiiiiiiiiiiiiiii", 10, false],
      ["6,000", 10, false],
    ] as const) {
      const ours = textWidth(text, size, bold);
      // Ink excludes the first glyph's left and the last glyph's right bearing: at most ~0.3 em together.
      expect(ours - inkWidth(text, size, bold), text).toBeGreaterThanOrEqual(-0.5);
      expect(ours - inkWidth(text, size, bold), text).toBeLessThan(0.3 * size);
    }
  });

  it("tell narrow from wide letters and bold from regular, as vega asks", () => {
    expect(textWidth("w", 10)).toBeGreaterThan(2.5 * textWidth("i", 10));
    expect(vegaTextWidth({ fontSize: 13, fontWeight: "bold" }, "Title")).toBeGreaterThan(vegaTextWidth({ fontSize: 13 }, "Title"));
    expect(vegaTextWidth({ fontSize: 10 }, 6000)).toBe(textWidth("6000", 10));
    expect(vegaTextWidth({}, "  a  ")).toBe(textWidth("a", 11)); // vega's default size, text trimmed
  });
});
