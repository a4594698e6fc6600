// Helpers for chart tests that look at pictures: the PNG's pixels, vega's scenegraph, word counts.
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inflateSync } from "node:zlib";
import type { View } from "vega";

export const SHAKESPEARE = "/work/shared/data/tinyshakespeare.txt";

/** Word counts of a text, as `{ key, value }` rows (what Count.perElement gives), in first-seen order. */
export function wordCountRows(file = SHAKESPEARE): { key: string; value: number }[] {
  const counts = new Map<string, number>();
  for (const w of readFileSync(file, "utf8").toLowerCase().split(/[^a-z']+/)) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].map(([key, value]) => ({ key, value }));
}

/** Writes a picture under test-results/display/ (git-ignored) for a person to look at. */
export function savePicture(name: string, pngBase64: string): string {
  const dir = path.resolve("test-results/display");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.from(pngBase64, "base64"));
  return file;
}

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, rows top to bottom. */
  pixels: Uint8Array;
}

/** A PNG decoded (8-bit RGBA or RGB, non-interlaced: what resvg writes). */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const buf = Buffer.from(bytes);
  if (buf.subarray(0, 8).toString("hex") !== "89504e470d0a1a0a") throw new Error("not a PNG");
  let off = 8;
  let width = 0, height = 0, colorType = 0, bitDepth = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString("latin1", off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8];
      colorType = data[9];
      if (data[12] !== 0) throw new Error("interlaced PNG");
    } else if (type === "IDAT") idat.push(data);
    off += 12 + len;
  }
  if (bitDepth !== 8 || (colorType !== 6 && colorType !== 2)) throw new Error(`PNG bit depth ${bitDepth}, color type ${colorType}`);
  const channels = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      cur[i] = (line[i] + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = cur[x * channels + k];
      out[(y * width + x) * 4 + 3] = channels === 4 ? cur[x * channels + 3] : 255;
    }
    prev.set(cur);
  }
  return { width, height, pixels: out };
}

/** Width and height from the PNG's IHDR chunk. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const buf = Buffer.from(bytes);
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Share of pixels that are not (near) white. */
export function inkShare(png: DecodedPng): number {
  let ink = 0;
  for (let i = 0; i < png.pixels.length; i += 4) if (png.pixels[i] < 235 || png.pixels[i + 1] < 235 || png.pixels[i + 2] < 235) ink++;
  return ink / (png.width * png.height);
}

/** Pixels within `tolerance` of an RGB color. */
export function pixelsOfColor(png: DecodedPng, [r, g, b]: [number, number, number], tolerance = 12): number {
  let n = 0;
  for (let i = 0; i < png.pixels.length; i += 4) {
    if (Math.abs(png.pixels[i] - r) <= tolerance && Math.abs(png.pixels[i + 1] - g) <= tolerance && Math.abs(png.pixels[i + 2] - b) <= tolerance) n++;
  }
  return n;
}

/** A box in the view's coordinates (group offsets applied). */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface SceneItemInfo {
  role: string;
  marktype: string;
  /** The mark's name (vega-lite names its marks: "marks", "layer_0_marks"). */
  name?: string;
  text?: string;
  datum?: Record<string, unknown>;
  box: Box;
}

/** Every visible item of the view's scenegraph, with its mark's role and its bounds in view coordinates. */
export function sceneItems(view: View): SceneItemInfo[] {
  const out: SceneItemInfo[] = [];
  type Node = { marktype?: string; role?: string; name?: string; items?: Node[]; bounds?: Box; x?: number; y?: number; text?: unknown; datum?: Record<string, unknown>; opacity?: number };
  const visit = (mark: Node, dx: number, dy: number) => {
    for (const item of mark.items ?? []) {
      const b = item.bounds;
      // Vega hides labels that would overlap by making them transparent: they are not drawn.
      if (b && item.opacity !== 0) {
        const text = Array.isArray(item.text) ? item.text.join(" ") : item.text === undefined ? undefined : String(item.text);
        out.push({ role: mark.role ?? "", marktype: mark.marktype ?? "", name: mark.name, text, datum: item.datum, box: { x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy } });
      }
      // A group item's children are placed relative to the group's x, y.
      if (mark.marktype === "group") for (const child of item.items ?? []) visit(child, dx + (item.x ?? 0), dy + (item.y ?? 0));
    }
  };
  const [ox, oy] = view.origin();
  visit((view.scenegraph() as unknown as { root: Node }).root, ox, oy);
  return out;
}

export const overlaps = (a: Box, b: Box) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** How many `<path>` elements an SVG group of class `mark-<type>` holds, over all such groups. */
export function svgMarkCount(svg: string, marktype: string, role = "mark"): number {
  let n = 0;
  const re = new RegExp(`<g class="mark-${marktype} role-${role}[^"]*"[^>]*>(.*?)</g>`, "g");
  for (const m of svg.matchAll(re)) n += (m[1].match(/<path /g) ?? []).length;
  return n;
}
