/**
 * Every local notebook in notebooks/ executed by nbclient against the INSTALLED kernel
 * (`flowbook kernel install --prefix <temp>`), and its outputs checked: the words at the top
 * of WordCount's table against a count made here in plain Node, the chart's Vega-Lite
 * bundle, PNG and rows, the graph's SVG clusters, the join's rows, the windows' boundaries.
 * The executed copies go to test-results/notebooks/ (never committed). The Flink notebook
 * has its own file (flink_notebook.test.ts), with the cluster it needs.
 */
import { readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodePng } from "../display/graph/png_pixels.js";
import {
  NOTEBOOKS, RESULTS, cellWith, displays, executeNotebook, installKernel, onlyData, problems, resultText, sourceOf, tableOf,
  text, type InstalledKernel, type Notebook,
} from "./support/jupyter.js";

const SHAKESPEARE = path.resolve(NOTEBOOKS, "../../shared/data/tinyshakespeare.txt");
const VEGALITE = "application/vnd.vegalite.v5+json";
let kernel: InstalledKernel;

beforeAll(() => {
  kernel = installKernel();
});
afterAll(() => {
  if (kernel) rmSync(kernel.prefix, { recursive: true, force: true });
});

const executed = new Map<string, Promise<Notebook>>();
/** Executes a notebook once per test file (shared by the tests that read it). */
function executedNotebook(name: string): Promise<Notebook> {
  let nb = executed.get(name);
  if (!nb) {
    nb = executeNotebook(path.join(NOTEBOOKS, name), path.join(RESULTS, "notebooks", name), kernel.env, 420_000);
    executed.set(name, nb);
  }
  return nb;
}

interface VegaLite {
  $schema: string;
  data: { values: Record<string, unknown>[] };
  mark: string | { type: string };
  encoding: Record<string, { field: string; type: string }>;
  title?: unknown;
}

/** A chart's bundle: the Vega-Lite spec (v5 schema) with its SVG and a PNG that decodes to a picture, not a blank. */
function checkChart(cell: Notebook["cells"][number]): VegaLite {
  const spec = onlyData<VegaLite>(cell, VEGALITE);
  expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
  const svg = onlyData<string>(cell, "image/svg+xml");
  expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  checkPng(onlyData<string>(cell, "image/png"), 400, 200);
  return spec;
}

/** A base64 PNG that decodes, at least this big, with a few per cent of its pixels drawn (not white, not transparent). */
function checkPng(base64: string, minWidth: number, minHeight: number): void {
  const png = decodePng(Buffer.from(base64, "base64"));
  expect(png.width).toBeGreaterThanOrEqual(minWidth);
  expect(png.height).toBeGreaterThanOrEqual(minHeight);
  let inked = 0;
  for (let i = 0; i < png.width * png.height; i++) {
    const [r, g, b, a] = [png.rgba[i * 4]!, png.rgba[i * 4 + 1]!, png.rgba[i * 4 + 2]!, png.rgba[i * 4 + 3]!];
    if (a > 128 && (r < 200 || g < 200 || b < 200)) inked++;
  }
  expect(inked / (png.width * png.height)).toBeGreaterThan(0.01);
}

function checkClean(nb: Notebook): void {
  expect(problems(nb)).toEqual([]);
  for (const c of nb.cells.filter((c) => c.cell_type === "code")) expect(c.execution_count, sourceOf(c).slice(0, 60)).toBeGreaterThan(0);
}

/** The notebook's tokenizer, in plain Node: the counts its pipeline must find. */
function countWords(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(SHAKESPEARE, "utf8").split("\n")) {
    for (const word of line.toLowerCase().split(/[^a-z']+/)) {
      const w = word.replace(/^'+|'+$/g, "");
      if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return counts;
}

describe("notebooks/wordcount.ipynb", () => {
  let nb: Notebook;
  const expected = countWords();
  const top20 = [...expected].sort((a, b) => b[1] - a[1]).slice(0, 20);
  beforeAll(async () => {
    nb = await executedNotebook("wordcount.ipynb");
  }, 480_000);

  test("runs clean: no error, nothing on stderr, every code cell executed", () => {
    checkClean(nb);
    // The notebook reads well: markdown explains the steps.
    expect(nb.cells.filter((c) => c.cell_type === "markdown").length).toBeGreaterThanOrEqual(6);
  });

  test("show(lines) and show(counts): tables of the first lines and of counts the plain count agrees with", () => {
    const lines = tableOf(cellWith(nb, "await show(lines"));
    // A sample, not the file's head: the source reads the file in splits, in parallel.
    const fileLines = new Set(readFileSync(SHAKESPEARE, "utf8").split("\n"));
    expect(lines.data).toHaveLength(5);
    for (const r of lines.data) expect(fileLines.has(String(r.value)), String(r.value)).toBe(true);
    expect(lines.title).toMatch(/^ReadLines\.out · 5 of at least \d+/);
    const counts = tableOf(cellWith(nb, "await show(counts"));
    expect(counts.schema.fields.map((f) => f.name)).toEqual(["key", "value"]);
    expect(counts.data).toHaveLength(8);
    for (const r of counts.data) expect(r.value, String(r.key)).toBe(expected.get(String(r.key)));
    expect(counts.title).toMatch(/· 8 of at least/);
  });

  test("the top-20 table: 'the', 'and', 'to' at the top, the same 20 words and counts as counted here", () => {
    const cell = cellWith(nb, "await show(top20)");
    const table = tableOf(cell);
    expect(table.data.slice(0, 3).map((r) => r.key)).toEqual(["the", "and", "to"]);
    expect(table.data.map((r) => [r.key, r.value])).toEqual(top20);
    const shown = displays(cell, "application/vnd.dataresource+json")[0]!.data!;
    const plain = text(shown["text/plain"]);
    expect(plain.split("\n").slice(0, 4).join("\n")).toMatch(/OnePerWord.out · 20 elements\nkey +value\n[─ ]+\nthe +6287/);
    expect(text(shown["text/html"])).toMatch(/<table[\s\S]*<td[^>]*>the<\/td>/);
  });

  test("the chart: a Vega-Lite v5 bar chart of the 20 rows, with an SVG and a PNG", () => {
    const spec = checkChart(cellWith(nb, "await chart(top20"));
    expect(typeof spec.mark === "string" ? spec.mark : spec.mark.type).toBe("bar");
    expect(spec.data.values).toHaveLength(20);
    expect(new Set(spec.data.values.map((r) => r.key))).toEqual(new Set(top20.map(([k]) => k)));
    expect(spec.encoding.x!.field).toBe("key");
    expect(spec.encoding.y!.field).toBe("value");
    expect(JSON.stringify(spec.title)).toContain("The 20 most frequent words in tinyshakespeare");
  });

  test("the graph: SVG and PNG, the CountWords composite a cluster around its parts; depth 1 collapses Count.PerElement", () => {
    const cell = cellWith(nb, "await graph(p);");
    const svg = onlyData<string>(cell, "image/svg+xml");
    const clusters = [...svg.matchAll(/<g id="clust\d+" class="cluster">[\s\S]*?xlink:title="([^"]+)"/g)].map((m) => m[1]);
    expect(clusters).toEqual(expect.arrayContaining(["CountWords", "CountWords/Count.PerElement", "CountWords/Count.PerElement/Combine.perKey", "Top20"]));
    for (const node of ["ReadLines", "ExtractWords", "GroupByKey", "OnePerWord"]) expect(svg).toContain(`>${node}<`);
    checkPng(onlyData<string>(cell, "image/png"), 300, 600);
    const tree = onlyData<string>(cell, "text/plain");
    expect(tree).toMatch(/├─ CountWords +composite\n│  ├─ ExtractWords +ParDo\(ExtractWordsFn\)/);

    const shallow = cellWith(nb, "await graph(p, { depth: 1 })");
    expect(onlyData<string>(shallow, "text/plain")).toMatch(/Count\.PerElement +composite · 4 transforms hidden/);
    const shallowClusters = [...onlyData<string>(shallow, "image/svg+xml").matchAll(/class="cluster">[\s\S]*?xlink:title="([^"]+)"/g)].map((m) => m[1]);
    expect(shallowClusters.sort()).toEqual(["CountWords", "Top20"]);
  });

  test("a cell ending in `await show(...)`, `chart` or `graph` shows its display once, with no execute_result repeating it", () => {
    // The call's value is a display handle, which shows nothing more as a cell's result
    // (calls.ts bundleOf → {}); a kernel printing it as `Displayed { displayId: ... }` doubles every table.
    for (const snippet of ["await show(top20)", "await chart(top20", "await graph(p);"]) {
      const c = cellWith(nb, snippet);
      expect(resultText(c), snippet).toBeUndefined();
    }
  });

  test("the run writes every count: as many words, and as many occurrences, as counted here", () => {
    const run = cellWith(nb, "await p.run().waitUntilFinish()");
    expect(displays(run, "application/vnd.flowbook.progress+json").length).toBeGreaterThanOrEqual(1);
    const summary = resultText(cellWith(nb, "const shards = readdirSync(outDir)"));
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    expect(summary).toContain(`distinctWords: ${expected.size}`);
    expect(summary).toContain(`totalWords: ${total}`);
  });
});

describe("notebooks/join.ipynb", () => {
  let nb: Notebook;
  beforeAll(async () => {
    nb = await executedNotebook("join.ipynb");
  }, 480_000);

  test("runs clean", () => {
    checkClean(nb);
  });

  test("CoGroupByKey: one row per customer id of either input, with every input's values under its tag", () => {
    const rows = tableOf(cellWith(nb, "CoGroupByKey.create")).data;
    expect(rows.map((r) => r.key).sort()).toEqual(["c1", "c2", "c3", "c4", "c5"]);
    const c4 = rows.find((r) => r.key === "c4")!;
    expect(JSON.stringify(c4)).toContain("Barbara Liskov");
  });

  test("the totals in dollars, through the rates side input: the joined rows, unknown customer included", () => {
    const rows = tableOf(cellWith(nb, "withSideInputs(usdPerUnit)")).data;
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual(["c1", "c2", "c3", "c4", "c5"]);
    expect(byId.c1).toEqual({ id: "c1", customer: "Ada Lovelace", city: "London", orders: 2, totalUsd: 20.96 }); // (12.5 + 4) × 1.27
    expect(byId.c2).toMatchObject({ customer: "Grace Hopper", orders: 1, totalUsd: 40 });
    expect(byId.c3).toMatchObject({ customer: "Edsger Dijkstra", orders: 3, totalUsd: 108 }); // 100 × 1.08
    expect(byId.c4).toMatchObject({ customer: "Barbara Liskov", orders: 0, totalUsd: 0 });
    expect(byId.c5).toMatchObject({ customer: "(unknown)", orders: 1, totalUsd: 20 });
  });

  test("the spend chart and the graph: the join a cluster, the rates a side input", () => {
    const spec = checkChart(cellWith(nb, "await chart(totals"));
    expect(spec.data.values).toHaveLength(5);
    const svg = onlyData<string>(cellWith(nb, "await graph(p)"), "image/svg+xml");
    expect(svg).toMatch(/class="cluster">[\s\S]*?xlink:title="JoinById"/);
    expect(svg).toContain("side input");
    expect(svg).toContain(">RatesAsMap<");
  });

  test("stepping through the translation: the moves of later cells updated the stepper's one display in place (update_display_data)", () => {
    const opened = cellWith(nb, "explain(p, { step: true })");
    const step = onlyData<string>(opened, "text/plain");
    // The last move (break + continue + why, two cells below) is what the display shows now.
    expect(step).toMatch(/^Translation of '[^']+' · step \d+ of \d+\n● translate JoinById\/GBK {2}\(GroupByKey\)/);
    expect(step).toMatch(/inside\s+JoinById/);
    expect(step).toMatch(/^why$/m);
    expect(step).toContain("» breakpoint 'GroupByKey'");
    expect(step).toMatch(/^\+ .*group_by_key/m);
    const svg = onlyData<string>(opened, "image/svg+xml");
    const gbk = /<g id="op_op\d+" class="node operator shuffle highlighted">[\s\S]*?<\/g>/.exec(svg)?.[0] ?? "";
    expect(gbk).toContain('fill="#ffd8a8"');
    expect(onlyData<string>(opened, "text/html")).toMatch(/<pre[\s\S]*JoinById\/GBK[\s\S]*<svg/);
    // The moves' cells show nothing of their own.
    expect(cellWith(nb, `st.runTo("JoinById")`).outputs).toEqual([]);
    expect(cellWith(nb, "st.continue().why()").outputs).toEqual([]);
  });
});

describe("notebooks/windows.ipynb", () => {
  let nb: Notebook;
  const MIN = 60_000;
  const START = Date.UTC(2026, 0, 5, 9, 0, 0);
  beforeAll(async () => {
    nb = await executedNotebook("windows.ipynb");
  }, 480_000);

  const parseWindow = (w: unknown): [number, number] => {
    const m = /^\[(\S+), (\S+)\)$/.exec(String(w));
    if (!m) throw new Error(`not a window: ${String(w)}`);
    return [Date.parse(m[1]!), Date.parse(m[2]!)];
  };

  test("runs clean", () => {
    checkClean(nb);
  });

  test("the events carry their event time, shown as a timestamp column", () => {
    const table = tableOf(cellWith(nb, "await show(views"));
    expect(table.schema.fields.map((f) => f.name)).toEqual(["page", "user", "timestamp"]);
    for (const r of table.data) expect(Date.parse(String(r.timestamp))).toBeGreaterThanOrEqual(START);
  });

  test("fixed windows: every count in a 10-minute window on the 10-minute grid", () => {
    const table = tableOf(cellWith(nb, "FixedWindows.of"));
    expect(table.schema.fields.map((f) => f.name)).toEqual(["key", "value", "window"]);
    expect(table.data).toHaveLength(8);
    // Windows print as [start, end) in UTC; which 8 of the counts the sample holds is the runner's choice.
    for (const r of table.data) expect(r.window).toMatch(/^\[2026-01-05T\d\d:\d0:00\.000Z, 2026-01-05T\d\d:\d0:00\.000Z\)$/);
    for (const r of table.data) {
      const [start, end] = parseWindow(r.window);
      expect(end - start).toBe(10 * MIN);
      expect((start - START) % (10 * MIN)).toBe(0);
    }
  });

  test("the line chart over event time: one point per page and window at the window's end, summing to every event", () => {
    const events = Number(resultText(cellWith(nb, "const events: TimestampedValue<PageView>[]")));
    expect(events).toBeGreaterThan(50);
    const spec = checkChart(cellWith(nb, "await chart(perPage"));
    expect(typeof spec.mark === "string" ? spec.mark : spec.mark.type).toBe("line");
    expect(spec.encoding.x).toMatchObject({ field: "timestamp", type: "temporal" });
    expect(spec.encoding.color).toMatchObject({ field: "key" });
    const values = spec.data.values;
    expect(values.reduce((n, r) => n + Number(r.value), 0)).toBe(events);
    for (const r of values) expect((Number(r.timestamp) + 1 - START) % (10 * MIN)).toBe(0);
    // The first window's results stand at its end, 09:09:59.999.
    expect(Math.min(...values.map((r) => Number(r.timestamp)))).toBe(START + 10 * MIN - 1);
    expect(new Set(values.map((r) => r.key))).toEqual(new Set(["/home", "/search", "/product", "/cart"]));
  });

  test("sessions: per user, windows at least the 5-minute gap long, separated by more than the gap", () => {
    const table = tableOf(cellWith(nb, "Sessions.withGapDuration"));
    expect(table.data).toHaveLength(10);
    const byUser = new Map<string, [number, number][]>();
    for (const r of table.data) {
      const w = parseWindow(r.window);
      expect(w[1] - w[0]).toBeGreaterThanOrEqual(5 * MIN);
      byUser.set(String(r.key), [...(byUser.get(String(r.key)) ?? []), w]);
    }
    for (const ws of byUser.values()) {
      ws.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ws.length; i++) expect(ws[i]![0]).toBeGreaterThanOrEqual(ws[i - 1]![1]);
    }
    const summary = resultText(cellWith(nb, "const sessionLengths"));
    expect(summary).toMatch(/sessions: \d+, shortestMinutes: [\d.]+, longestMinutes: [\d.]+/);
    const shortest = Number(/shortestMinutes: ([\d.]+)/.exec(summary!)![1]);
    expect(shortest).toBeGreaterThanOrEqual(5);
    const points = checkChart(cellWith(nb, "await chart(sessionLengths"));
    expect(points.data.values).toHaveLength(Number(/sessions: (\d+)/.exec(summary!)![1]));
  });
});

test("every notebook in notebooks/ is tested, and is committed without outputs", () => {
  const names = readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort();
  expect(names).toEqual(["flink.ipynb", "join.ipynb", "streaming.ipynb", "windows.ipynb", "wordcount.ipynb"]);
  for (const n of names) {
    const nb = JSON.parse(readFileSync(path.join(NOTEBOOKS, n), "utf8")) as Notebook;
    expect(nb.metadata.kernelspec).toMatchObject({ name: "flowbook", language: "typescript" });
    for (const c of nb.cells.filter((c) => c.cell_type === "code")) {
      expect(c.outputs, `${n}: ${sourceOf(c).slice(0, 40)}`).toEqual([]);
      expect(c.execution_count).toBeNull();
    }
  }
});
