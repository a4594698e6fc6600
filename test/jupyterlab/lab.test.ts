/**
 * JupyterLab in headless Chromium: notebooks/wordcount.ipynb executed by nbclient and saved
 * with its outputs into a temporary root, `jupyter trust`ed (an untrusted notebook shows no
 * SVG), opened in `jupyter lab` (venv; token; a free port) from Chromium driven over the
 * DevTools protocol. The page must render the chart through JupyterLab's Vega extension and
 * the graph as its SVG; screenshots of both go to test-results/jupyterlab/ and are checked
 * as pictures: not blank, and the chart's bars and the graph's boxes in their colours.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { countColor, decodePng, type Pixels } from "../display/graph/png_pixels.js";
import { JUPYTER, NOTEBOOKS, RESULTS, executeNotebook, installKernel, run } from "../notebooks/support/jupyter.js";
import { assertChromium, launchChromium, type Browser } from "./support/chromium.js";
import { startJupyter, type JupyterProcess } from "./support/servers.js";

const SHOTS = path.join(RESULTS, "jupyterlab");
const WIDTH = 1400;
const HEIGHT = 2200;
let lab: JupyterProcess | undefined;
let browser: Browser | undefined;

/** The notebook on show (JupyterLab keeps other tabs' panels in the page, hidden). */
const PANEL = `[...document.querySelectorAll(".jp-NotebookPanel")].find((p) => !p.classList.contains("lm-mod-hidden"))`;
/** What the notebook on show shows, read in the page: cells, and rendered outputs by kind. */
const PAGE_STATE = `(() => {
  const root = ${PANEL} ?? document;
  const vega = [...root.querySelectorAll('.jp-OutputArea-output .vega-embed')];
  // JupyterLab draws an image/svg+xml output as an <img> of a data: URI (scripts in it never run).
  const svgText = (img) => { const [head, body] = img.src.split(','); return head.endsWith(';base64') ? atob(body) : decodeURIComponent(body); };
  const graphImgs = [...root.querySelectorAll('.jp-RenderedSVG img')].filter((i) => i.src.startsWith('data:image/svg+xml') && svgText(i).includes('class="cluster"'));
  return {
    title: document.title,
    cells: root.querySelectorAll('.jp-Notebook .jp-Cell').length,
    codeCells: root.querySelectorAll('.jp-Notebook .jp-CodeCell').length,
    markdown: root.querySelectorAll('.jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown h1, .jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown h2').length,
    tables: root.querySelectorAll('.jp-OutputArea-output table').length,
    vegaEmbeds: vega.length,
    vegaDrawn: vega.filter((v) => { const c = v.querySelector('canvas.marks'); return (c && c.width > 300) || v.querySelector('svg.marks'); }).length,
    svgOutputs: root.querySelectorAll('.jp-RenderedSVG').length,
    graphSvgs: graphImgs.filter((i) => i.complete && i.naturalWidth > 200).length,
    graphClusters: graphImgs.map((i) => [...svgText(i).matchAll(/<g id="clust\\d+" class="cluster">\\s*<title>[^<]*<\\/title>\\s*<g id="a_clust\\d+"><a xlink:title="([^"]+)"/g)].map((m) => m[1])),
    graphNodes: graphImgs.map((i) => (svgText(i).match(/class="node transform/g) || []).length),
    pngOutputs: root.querySelectorAll('.jp-RenderedImage img').length,
    jsonTrees: root.querySelectorAll('.jp-RenderedJSON').length,
    kernel: root.querySelector('.jp-Toolbar-kernelName, .jp-KernelName')?.textContent ?? null,
    errors: root.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
  };
})()`;

interface PageState {
  cells: number;
  codeCells: number;
  markdown: number;
  tables: number;
  vegaEmbeds: number;
  vegaDrawn: number;
  svgOutputs: number;
  graphSvgs: number;
  graphClusters: string[][];
  graphNodes: number[];
  pngOutputs: number;
  jsonTrees: number;
  kernel: string | null;
  errors: number;
}

let state: PageState;
const shots: Record<string, { pixels: Pixels; rect: { x: number; y: number; width: number; height: number } | null }> = {};

/** Scrolls the first `selector` in the notebook on show to the middle of the page, screenshots the page, and keeps both. */
async function shoot(name: string, selector: string | null): Promise<void> {
  const page = browser!.page;
  const el = selector ? `(${PANEL}).querySelector(${JSON.stringify(selector)})` : null;
  if (el) await page.evaluate(`${el}.scrollIntoView({ block: "center" })`);
  await new Promise((r) => setTimeout(r, 1_000));
  const rect = el ? await page.evaluate<{ x: number; y: number; width: number; height: number }>(`(() => { const r = ${el}.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; })()`) : null;
  const png = await page.screenshot();
  writeFileSync(path.join(SHOTS, `${name}.png`), png);
  shots[name] = { pixels: decodePng(png), rect };
}

/** Opens a notebook of the root dir alone (`?reset`: a fresh workspace), as a user opens a link with the token, and waits until `ready`. */
async function open(name: string, ready: (s: PageState) => boolean): Promise<PageState> {
  await browser!.page.navigate(`${lab!.url}/lab/tree/${name}?reset&token=${lab!.token}`);
  // Ready when drawn, and when Lab has started the notebook's kernel from its kernelspec.
  const s = await browser!.page.waitUntil<PageState>(PAGE_STATE, (v) => typeof v === "object" && v !== null && ready(v) && v.kernel === "flowbook (TypeScript)", 180_000, `JupyterLab to render ${name}`);
  // Let vega finish its transitions and fonts settle.
  await new Promise((r) => setTimeout(r, 1_500));
  return s;
}

let windows: PageState;
const temporary: string[] = [];

beforeAll(async () => {
  assertChromium();
  const kernel = installKernel();
  const root = mkdtempSync(path.join(os.tmpdir(), "flowbook-lab-root-"));
  temporary.push(kernel.prefix, root);
  // The notebooks executed and saved with outputs, then trusted (their SVG is shown only then).
  await Promise.all(
    ["wordcount.ipynb", "windows.ipynb"].map(async (name) => {
      const nbPath = path.join(root, name);
      await executeNotebook(path.join(NOTEBOOKS, name), nbPath, kernel.env, 420_000);
      const trusted = await run(JUPYTER, ["trust", nbPath], kernel.env, 60_000);
      if (trusted.status !== 0) throw new Error(`jupyter trust failed:\n${trusted.output}`);
      mkdirSync(SHOTS, { recursive: true });
      copyFileSync(nbPath, path.join(SHOTS, name.replace(".ipynb", "-executed.ipynb")));
    }),
  );
  lab = await startJupyter("lab", { rootDir: root, kernel, timeoutMs: 120_000 });
  browser = await launchChromium(WIDTH, HEIGHT);

  state = await open("wordcount.ipynb", (s) => s.vegaDrawn >= 1 && s.graphSvgs >= 2 && s.tables >= 3);
  await shoot("notebook-top", null);
  await shoot("chart", ".jp-OutputArea-output .vega-embed");
  await shoot("graph", ".jp-RenderedSVG img");

  windows = await open("windows.ipynb", (s) => s.vegaDrawn >= 2 && s.graphSvgs >= 1 && s.tables >= 3);
  await shoot("windows-line-chart", ".jp-OutputArea-output .vega-embed");
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Share of pixels in a region that are not the page's white/near-white background. */
function inked(p: Pixels, r: { x: number; y: number; width: number; height: number } = { x: 0, y: 0, width: p.width, height: p.height }): number {
  const x0 = Math.max(0, Math.floor(r.x)), y0 = Math.max(0, Math.floor(r.y));
  const x1 = Math.min(p.width, Math.ceil(r.x + r.width)), y1 = Math.min(p.height, Math.ceil(r.y + r.height));
  let n = 0, all = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * p.width + x) * 4;
      all++;
      if (p.rgba[i]! < 235 || p.rgba[i + 1]! < 235 || p.rgba[i + 2]! < 235) n++;
    }
  }
  return all ? n / all : 0;
}

test("JupyterLab opens the notebook with the flowbook kernel, every cell and its tables rendered", () => {
  // Windowing is off (servers.ts): every cell of the notebook is in the page.
  const cells = (JSON.parse(readFileSync(path.join(NOTEBOOKS, "wordcount.ipynb"), "utf8")) as { cells: { cell_type: string }[] }).cells;
  expect(state.cells).toBe(cells.length);
  expect(state.codeCells).toBe(cells.filter((c) => c.cell_type === "code").length);
  expect(state.kernel).toBe("flowbook (TypeScript)");
  expect(state.markdown).toBeGreaterThanOrEqual(5);
  expect(state.tables).toBeGreaterThanOrEqual(3);
  expect(state.errors).toBe(0);
});

test("the chart renders through JupyterLab's Vega-Lite extension: drawn marks, and the bars in the screenshot", () => {
  expect(state.vegaEmbeds).toBe(1);
  expect(state.vegaDrawn).toBe(1);
  const { pixels, rect } = shots.chart!;
  expect(rect!.width).toBeGreaterThan(400);
  expect(rect!.height).toBeGreaterThan(250);
  // Vega-Lite's default bar colour, #4c78a8, fills a good part of the chart's box.
  const bars = countColor(crop(pixels, rect!), "#4c78a8", 30);
  expect(bars).toBeGreaterThan(rect!.width * rect!.height * 0.05);
});

test("the graph renders as its SVG (trusted notebook), composites as clusters, and is drawn in the screenshot", () => {
  expect(state.graphSvgs).toBe(2);
  expect(state.graphClusters[0]).toEqual(expect.arrayContaining(["CountWords", "CountWords/Count.PerElement", "Top20"]));
  expect(state.graphClusters[1]!.sort()).toEqual(["CountWords", "Top20"]);
  expect(state.graphNodes[0]).toBeGreaterThanOrEqual(12);
  // Neither a JSON tree (a bundle's application/json outranks SVG in JupyterLab) nor the PNG fallback.
  expect(state.jsonTrees).toBe(0);
  expect(state.pngOutputs).toBe(0);
  const { pixels, rect } = shots.graph!;
  expect(rect!.height).toBeGreaterThan(500);
  expect(inked(pixels, rect!)).toBeGreaterThan(0.04);
});

test("the windows notebook: its line chart over event time drawn by Lab's Vega extension, one line per page in the screenshot", () => {
  expect(windows.vegaEmbeds).toBe(2);
  expect(windows.vegaDrawn).toBe(2);
  expect(windows.jsonTrees).toBe(0);
  const { pixels, rect } = shots["windows-line-chart"]!;
  const chart = crop(pixels, rect!);
  // Vega's first four category colours, one per page: each line is there.
  for (const colour of ["#4c78a8", "#f58518", "#e45756", "#72b7b2"]) expect(countColor(chart, colour, 24), colour).toBeGreaterThan(150);
});

test("the screenshots are pictures, not blank pages", () => {
  for (const [name, { pixels }] of Object.entries(shots)) {
    expect([pixels.width, pixels.height], name).toEqual([WIDTH, HEIGHT]);
    expect(inked(pixels), name).toBeGreaterThan(0.03);
  }
});

function crop(p: Pixels, r: { x: number; y: number; width: number; height: number }): Pixels {
  const x0 = Math.max(0, Math.floor(r.x)), y0 = Math.max(0, Math.floor(r.y));
  const w = Math.min(p.width, Math.ceil(r.x + r.width)) - x0, h = Math.min(p.height, Math.ceil(r.y + r.height)) - y0;
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) rgba.set(p.rgba.subarray(((y0 + y) * p.width + x0) * 4, ((y0 + y) * p.width + x0 + w) * 4), y * w * 4);
  return { width: w, height: h, rgba };
}
