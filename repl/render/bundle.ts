/**
 * A mime bundle → what a terminal shows: the richest form it can. text/plain is what
 * src/display draws for terminals (tables fitted to a width, charts in Unicode bars and
 * braille, graphs and plans as trees); a table wider than this terminal is drawn again from
 * its data; an image is written to a file whose path is printed (and shown inline where the
 * terminal has the kitty or iTerm2 protocol); a progress state becomes a bar.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Mime, type MimeBundle } from "../../src/display/mime.js";
import { visibleWidth, type Painter } from "./ansi.js";
import { renderProgress } from "./progress.js";
import { isDataResource, renderTable } from "./table.js";
import { inlineImage, type ImageProtocol } from "../terminal/images.js";

export interface TerminalContext {
  width: number;
  paint: Painter;
  images: ImageProtocol;
  /** Where pictures are written (created on first use). */
  fileDir: string;
}

export interface TerminalOutput {
  /** Text lines for the screen (may hold SGR colors). */
  text: string;
  /** Escapes to write as they are after the text (an inline image). */
  raw?: string;
}

export function defaultFileDir(): string {
  return path.join(os.tmpdir(), `flowbook-repl-${process.pid}`);
}

let fileCounter = 0;

export function renderBundle(bundle: MimeBundle, ctx: TerminalContext): TerminalOutput {
  const plain = typeof bundle[Mime.text] === "string" ? (bundle[Mime.text] as string) : undefined;
  if (bundle[Mime.progress] !== undefined) {
    const bar = renderProgress(bundle[Mime.progress], ctx.width, ctx.paint);
    if (bar !== undefined) return { text: bar };
  }
  const lines: string[] = [];
  let raw: string | undefined;
  const data = bundle[Mime.dataResource];
  if (isDataResource(data) && (plain === undefined || widest(plain) > ctx.width)) lines.push(renderTable(data, ctx.width));
  else if (plain !== undefined) lines.push(plain);
  else if (typeof bundle[Mime.markdown] === "string") lines.push(bundle[Mime.markdown] as string);
  else if (bundle[Mime.json] !== undefined) lines.push(JSON.stringify(bundle[Mime.json], null, 2));

  const png = typeof bundle[Mime.png] === "string" ? (bundle[Mime.png] as string) : undefined;
  const name = bundle[Mime.vegaLite] !== undefined ? "chart" : "image";
  if (png) {
    const file = save(ctx, name, "png", Buffer.from(png, "base64"));
    lines.push(ctx.paint("gray", `${name === "chart" ? "chart" : "picture"}: ${file}`));
    raw = inlineImage(ctx.images, png) || undefined;
  } else if (typeof bundle[Mime.svg] === "string") {
    const file = save(ctx, name, "svg", Buffer.from(bundle[Mime.svg] as string));
    lines.push(ctx.paint("gray", `picture: ${file}`));
  }
  if (!lines.length && typeof bundle[Mime.html] === "string") {
    const file = save(ctx, "output", "html", Buffer.from(bundle[Mime.html] as string));
    lines.push(ctx.paint("gray", `html: ${file}`));
  }
  if (!lines.length) lines.push(ctx.paint("gray", `(a display of ${Object.keys(bundle).join(", ") || "nothing"})`));
  return { text: lines.join("\n"), raw };
}

function save(ctx: TerminalContext, name: string, ext: string, data: Buffer): string {
  fs.mkdirSync(ctx.fileDir, { recursive: true });
  const file = path.join(ctx.fileDir, `${name}-${++fileCounter}.${ext}`);
  fs.writeFileSync(file, data);
  return file;
}

function widest(text: string): number {
  let w = 0;
  for (const line of text.split("\n")) w = Math.max(w, visibleWidth(line));
  return w;
}
