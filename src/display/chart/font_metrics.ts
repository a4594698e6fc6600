/**
 * Text widths in DejaVu Sans, read from the font files resvg draws with (the
 * dejavu-fonts-ttf package), so headless vega lays charts out for the glyphs that will
 * be drawn. Without a canvas vega guesses 0.8 em a character: too wide for DejaVu, so
 * axis titles float away from their labels and time labels are culled as overlapping
 * when they would fit. vl-convert replaces vega's measure the same way.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** Advance widths in em, for the Basic Multilingual Plane. */
interface FontWidths {
  em: Float32Array;
  /** The width of a character the font lacks (its .notdef glyph). */
  missing: number;
}

let regular: FontWidths | undefined;
let bold: FontWidths | undefined;

function fontFile(name: string): string {
  const dir = path.dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json"));
  return path.join(dir, "ttf", name);
}

/** The width of `text` at `fontSize` pixels, bold or not, kerning aside. */
export function textWidth(text: string, fontSize: number, isBold = false): number {
  const font = isBold ? (bold ??= readWidths(fontFile("DejaVuSans-Bold.ttf"))) : (regular ??= readWidths(fontFile("DejaVuSans.ttf")));
  let em = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    em += cp < 0x10000 ? font.em[cp] || font.missing : font.missing;
  }
  return em * fontSize;
}

/** Advance widths per code point from a TrueType file's cmap (format 4), hmtx, hhea and head tables. */
export function readWidths(file: string): FontWidths {
  const buf = readFileSync(file);
  const tables = new Map<string, number>();
  const numTables = buf.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    tables.set(buf.toString("latin1", rec, rec + 4), buf.readUInt32BE(rec + 8));
  }
  const table = (tag: string) => {
    const at = tables.get(tag);
    if (at === undefined) throw new Error(`${file}: no ${tag} table`);
    return at;
  };
  const unitsPerEm = buf.readUInt16BE(table("head") + 18);
  const numberOfHMetrics = buf.readUInt16BE(table("hhea") + 34);
  const hmtx = table("hmtx");
  const advance = (glyph: number) => buf.readUInt16BE(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1)) / unitsPerEm;

  const cmap = table("cmap");
  let sub = -1;
  for (let i = 0, n = buf.readUInt16BE(cmap + 2); i < n; i++) {
    const rec = cmap + 4 + i * 8;
    const platform = buf.readUInt16BE(rec);
    const encoding = buf.readUInt16BE(rec + 2);
    const at = cmap + buf.readUInt32BE(rec + 4);
    if (buf.readUInt16BE(at) === 4 && (platform === 3 && encoding === 1 || platform === 0)) sub = at;
  }
  if (sub < 0) throw new Error(`${file}: no Unicode BMP cmap`);
  const em = new Float32Array(0x10000);
  const segCount = buf.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + segCount * 2 + 2;
  const deltas = starts + segCount * 2;
  const rangeOffsets = deltas + segCount * 2;
  for (let s = 0; s < segCount; s++) {
    const end = buf.readUInt16BE(ends + 2 * s);
    const start = buf.readUInt16BE(starts + 2 * s);
    const delta = buf.readInt16BE(deltas + 2 * s);
    const rangeAt = rangeOffsets + 2 * s;
    const rangeOffset = buf.readUInt16BE(rangeAt);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
      else {
        const g = buf.readUInt16BE(rangeAt + rangeOffset + 2 * (c - start));
        glyph = g === 0 ? 0 : (g + delta) & 0xffff;
      }
      if (glyph !== 0) em[c] = advance(glyph);
    }
  }
  return { em, missing: advance(0) };
}

/** vega's text item, as far as its width depends on it. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
}

/**
 * A replacement for vega's `textMetrics.width(item, text)`. Labels longer than their
 * limit are measured whole (vega truncates them when drawing, calling this for the parts).
 */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  const weight = item.fontWeight;
  const isBold = weight === "bold" || weight === "bolder" || (typeof weight === "number" && weight >= 600) || (typeof weight === "string" && +weight >= 600);
  return textWidth(text == null ? "" : String(text).trim(), size, isBold);
}
