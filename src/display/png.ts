/**
 * SVG → PNG for every picture the display layer draws (charts, graphs, plans): a PNG rides
 * beside each SVG because JupyterLab shows no SVG from an untrusted notebook, and the REPL
 * writes it to a file. Fonts come from the dejavu-fonts-ttf package, not the machine, so a
 * bare Debian (or a container without fonts) renders the same text.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { Resvg } from "@resvg/resvg-js";

/** The family every renderer names in its SVG. */
export const FONT_FAMILY = "DejaVu Sans";

let fontFiles: string[] | undefined;
function fonts(): string[] {
  if (!fontFiles) {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json")), "ttf");
    fontFiles = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf"].map((f) => path.join(dir, f));
  }
  return fontFiles;
}

export interface PngOptions {
  /** Pixels per SVG unit (default 2: sharp on high-density screens). */
  scale?: number;
  /** Background (default white: transparent PNGs read badly on dark themes). */
  background?: string;
}

/** The PNG of an SVG document. */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const resvg = new Resvg(svg, {
    background: options.background ?? "white",
    fitTo: { mode: "zoom", value: options.scale ?? 2 },
    font: { fontFiles: fonts(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY, monospaceFamily: "DejaVu Sans Mono" },
  });
  return resvg.render().asPng();
}

/** The same, base64-encoded, as a mime bundle's `image/png` carries it. */
export function svgToPngBase64(svg: string, options: PngOptions = {}): string {
  return Buffer.from(svgToPng(svg, options)).toString("base64");
}
