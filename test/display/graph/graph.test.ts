/**
 * The pipeline graph drawn (issue 9, `graph`): WordCount as SVG laid out by Graphviz and as
 * PNG, checked as pictures — nodes, edges, the composite's cluster, edge labels naming
 * PCollection and coder, depth collapsing, labels that do not overlap, a PNG that shows
 * something — and as a text tree. The PNGs land in test-results/display/ to be looked at.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { graphDot, graphSummary, renderGraph, renderGraphSvg, renderGraphText } from "../../../src/display/graph/index.js";
import { svgToPng } from "../../../src/display/png.js";
import type { PipelineGraph } from "../../../src/graph/types.js";
import { countColor, decodePng } from "./png_pixels.js";
import { overlaps, textBoxes } from "./svg_text_boxes.js";
import { wordCount } from "./word_count_pipeline.js";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "../../../test-results/display");

/** Graphviz's SVG groups by class: `<g id="…" class="node transform usercode">`. */
function groups(svg: string, cls: RegExp): Array<{ id: string; cls: string; body: string }> {
  const out: Array<{ id: string; cls: string; body: string }> = [];
  const re = /<g id="([^"]*)" class="([^"]*)">([\s\S]*?)(?=\n<!--|\n<g id="[^"]*" class="(?:node|edge|cluster)|\n<g class="cluster-titles"|<\/g>\n<\/svg>)/g;
  for (const m of svg.matchAll(re)) if (cls.test(m[2]!)) out.push({ id: m[1]!, cls: m[2]!, body: m[3]! });
  return out;
}

function texts(body: string): string[] {
  return textBoxes(body).map((b) => b.text);
}

function write(name: string, data: Uint8Array | string): void {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, name), data);
}

describe("graph: WordCount drawn by Graphviz", () => {
  const graph: PipelineGraph = wordCount().toJSON();
  const primitives = Object.values(graph.transforms).filter((t) => t.subtransforms.length === 0);

  it("draws every primitive transform once and an edge for every PCollection a transform reads", async () => {
    const svg = await renderGraphSvg(graph);
    expect(svg.startsWith("<svg")).toBe(true);
    const nodes = groups(svg, /^node transform\b/);
    expect(nodes.map((n) => texts(n.body)[0]).sort()).toEqual(primitives.map((t) => t.name).sort());
    expect(nodes).toHaveLength(7);
    // ReadLines → ExtractWords → Init → GroupByKey → GroupedValues → FormatResults → WriteCounts.
    const reads = groups(svg, /^edge reads$/);
    expect(reads).toHaveLength(6);
    // Shapes say what a node is: the source and the sink apart from the steps between them.
    expect(groups(svg, /\bsource\b/).map((n) => n.id)).toEqual(["node_" + primitives.find((t) => t.name === "ReadLines")!.id]);
    expect(groups(svg, /\bsink\b/).map((n) => n.id)).toEqual(["node_" + primitives.find((t) => t.name === "WriteCounts")!.id]);
    const shapeOf = (name: string) => groups(svg, /^node transform/).find((n) => texts(n.body)[0] === name)!.body;
    expect(shapeOf("ReadLines")).toMatch(/<path fill="#eef7ee"/);
    expect(shapeOf("ExtractWords")).toMatch(/fill="#fff4e5"/);
    expect(shapeOf("WriteCounts")).toMatch(/<polygon fill="#f4eefa"/);
    expect(shapeOf("ExtractWords")).toContain("ParDo(ExtractWordsFn)");
    expect(shapeOf("FormatResults")).toContain("MapElements(λ)");
  });

  it("nests the composites as clusters: CountWords ⊃ Count.PerElement ⊃ Combine.perKey", async () => {
    const svg = await renderGraphSvg(graph);
    const clusters = groups(svg, /^cluster$/).map((c) => /<title>([^<]*)<\/title>/.exec(c.body)![1]);
    const composite = (fullName: string) => Object.values(graph.transforms).find((t) => t.fullName === fullName)!;
    expect(clusters).toEqual(["CountWords", "CountWords/Count.PerElement", "CountWords/Count.PerElement/Combine.perKey"].map((n) => `cluster_${composite(n).id}`));
    // Titles drawn above the edges, on a halo of the cluster's fill.
    const titles = /<g class="cluster-titles">([\s\S]*?)<\/g>/.exec(svg)![1]!;
    expect(texts(titles)).toEqual(["CountWords", "Count.PerElement", "Combine.perKey"]);
    expect(titles).toMatch(/paint-order="stroke"/);
    // Each cluster's box holds the nodes of its transforms.
    const box = (body: string) => {
      const xs: number[] = [], ys: number[] = [];
      for (const m of body.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) xs.push(Number(m[1])), ys.push(Number(m[2]));
      return { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
    };
    const countWords = box(groups(svg, /^cluster$/)[0]!.body);
    for (const name of ["ExtractWords", "Init", "GroupByKey", "Combine.GroupedValues"]) {
      const n = box(groups(svg, /^node transform/).find((g) => texts(g.body)[0] === name)!.body);
      expect(n.x0).toBeGreaterThanOrEqual(countWords.x0);
      expect(n.x1).toBeLessThanOrEqual(countWords.x1);
      expect(n.y0).toBeGreaterThanOrEqual(countWords.y0);
      expect(n.y1).toBeLessThanOrEqual(countWords.y1);
    }
    for (const name of ["ReadLines", "FormatResults", "WriteCounts"]) {
      const n = box(groups(svg, /^node transform/).find((g) => texts(g.body)[0] === name)!.body);
      expect(n.y1 < countWords.y0 || n.y0 > countWords.y1).toBe(true);
    }
  });

  it("labels each edge with the PCollection's name and its coder, in short form", async () => {
    const svg = await renderGraphSvg(graph);
    const labels = Object.fromEntries(groups(svg, /^node pcollection$/).map((g) => [g.id.replace(/^pcollection_/, ""), texts(g.body)]));
    const expected: Record<string, [string, string]> = {
      ReadLines: ["ReadLines.out", "string"],
      ExtractWords: ["ExtractWords.out", "general"],
      Init: ["Init.out", "KV<general, varint>"],
      GroupByKey: ["GroupByKey.out", "KV<general, Iterable<varint>>"],
      "Combine.GroupedValues": ["Combine.GroupedValues.out", "KV<general, varint>"],
      FormatResults: ["FormatResults.out", "general"],
    };
    for (const [producer, [name, coder]] of Object.entries(expected)) {
      const t = primitives.find((x) => x.name === producer)!;
      const pc = Object.values(t.outputs)[0]!;
      expect(labels[pc]).toEqual([name, coder]);
      // The label sits on the edge: producer — label — consumer.
      expect(svg).toContain(`<g id="produces_${pc}" class="edge produces">\n<title>${t.id}&#45;&gt;${pc}</title>`);
      expect(groups(svg, /^edge reads$/).some((e) => e.body.includes(`<title>${pc}&#45;&gt;`))).toBe(true);
    }
  });

  it("collapses composites beyond the depth into one node saying how much it hides", async () => {
    const counts: number[] = [];
    for (const depth of [0, 1, 2, 3]) {
      const svg = await renderGraphSvg(graph, { depth });
      const nodes = groups(svg, /^node transform/);
      counts.push(nodes.length);
      const collapsed = groups(svg, /^node transform collapsed$/).map((n) => texts(n.body));
      const edges = groups(svg, /^edge reads$/).length;
      expect(edges).toBe(nodes.length - 1); // still one chain from source to sink
      if (depth === 0) expect(collapsed).toEqual([["CountWords", "composite · 6 transforms inside"]]);
      if (depth === 1) expect(collapsed).toEqual([["Count.PerElement", "composite · 4 transforms inside"]]);
      if (depth === 2) expect(collapsed).toEqual([["Combine.perKey", "composite · 2 transforms inside"]]);
      if (depth === 3) expect(collapsed).toEqual([]);
      expect(groups(svg, /^cluster$/)).toHaveLength(Math.min(depth, 3));
    }
    expect(counts).toEqual([4, 5, 6, 7]);
    // The edge out of a collapsed composite still names the PCollection it carries.
    const svg0 = await renderGraphSvg(graph, { depth: 0 });
    expect(texts(svg0)).toContain("CountWords/…/Combine.GroupedValues.out");
    write("wordcount-graph-depth1.png", svgToPng(await renderGraphSvg(graph, { depth: 1 })));
  });

  it("highlights the transforms asked for, or the collapsed composite holding them", async () => {
    const extract = primitives.find((t) => t.name === "ExtractWords")!;
    const full = await renderGraphSvg(graph, { highlight: [extract.fullName] });
    const node = groups(full, /^node transform/).find((n) => n.id === `node_${extract.id}`)!;
    expect(node.body).toMatch(/stroke="#e8590c" stroke-width="3"/);
    expect(groups(full, /^node transform/).filter((n) => n.body.includes("#e8590c"))).toHaveLength(1);
    const collapsed = await renderGraphSvg(graph, { depth: 0, highlight: [extract.id] });
    expect(groups(collapsed, /^node transform collapsed$/)[0]!.body).toMatch(/stroke="#e8590c"/);
    // graph(pcoll) highlights a PCollection by id: its label is framed, its producer's line marked.
    const init = primitives.find((t) => t.name === "Init")!;
    const pc = Object.values(init.outputs)[0]!;
    const framed = await renderGraphSvg(graph, { highlight: [pc] });
    expect(groups(framed, /^node pcollection highlighted$/).map((g) => g.id)).toEqual([`pcollection_${pc}`]);
    expect(groups(framed, /^node transform/).filter((n) => n.body.includes("#e8590c"))).toHaveLength(0);
    const marked = renderGraphText(graph, { highlight: [pc] }).split("\n").filter((l) => l.includes("◀"));
    expect(marked).toEqual([expect.stringMatching(/─ Init ◀ +ParDo/)]);
    const hidden = renderGraphText(graph, { depth: 0, highlight: [pc] }).split("\n").filter((l) => l.includes("◀"));
    expect(hidden).toEqual([expect.stringMatching(/─ CountWords ◀ +composite/)]);
  });

  it("keeps labels apart: no two text boxes overlap, at any depth", async () => {
    for (const depth of [0, 1, 2, undefined]) {
      const svg = await renderGraphSvg(graph, { depth });
      const boxes = textBoxes(svg);
      expect(boxes.length).toBeGreaterThan(10);
      expect(overlaps(boxes).map(([a, b]) => `${a.text} × ${b.text}`)).toEqual([]);
    }
  });

  it("the overlap check finds overlapping labels (so the test above can fail)", () => {
    const svg = `<svg><text x="10" y="20" font-size="12">ExtractWords.out</text><text x="40" y="24" font-size="10">general</text><text x="10" y="60">apart</text></svg>`;
    expect(overlaps(textBoxes(svg)).map(([a, b]) => [a.text, b.text])).toEqual([["ExtractWords.out", "general"]]);
  });

  it("renders a bundle: the text tree, the SVG, a PNG that shows the picture, a JSON summary", async () => {
    const bundle = await renderGraph(graph, {}, { width: 100 });
    expect(Object.keys(bundle).sort()).toEqual(["application/vnd.flowbook.graph+json", "image/png", "image/svg+xml", "text/plain"]);
    const png = Buffer.from(bundle["image/png"] as string, "base64");
    write("wordcount-graph.png", png);
    const svg = bundle["image/svg+xml"] as string;
    const [, w, h] = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg)!.map(Number) as [unknown, number, number];
    const pixels = decodePng(png);
    // pt → px (4/3), at the PNG's scale of 2.
    expect(pixels.width).toBeCloseTo((w * 4) / 3 * 2, -1);
    expect(pixels.height).toBeCloseTo((h * 4) / 3 * 2, -1);
    expect(pixels.height).toBeGreaterThan(pixels.width);
    // Not blank: the user-code nodes' orange, the source's green, dark text.
    expect(countColor(pixels, "#d9822b", 30)).toBeGreaterThan(500);
    expect(countColor(pixels, "#5b9a5b", 30)).toBeGreaterThan(200);
    expect(countColor(pixels, "#000000", 60)).toBeGreaterThan(2000);
    expect(countColor(pixels, "#ffffff", 2)).toBeLessThan(pixels.width * pixels.height * 0.9);
    const summary = bundle["application/vnd.flowbook.graph+json"] as ReturnType<typeof graphSummary>;
    expect(summary.nodes).toHaveLength(7);
    expect(summary.edges).toHaveLength(6);
    expect(summary.edges.find((e) => e.pcollection === "CountWords/Count.PerElement/Init.out")!.coder).toBe("KV<general, varint>");
    expect(bundle["text/plain"]).toBe(renderGraphText(graph, { width: 100 }));
  });

  it("writes DOT that Graphviz reads: clusters, HTML labels, DejaVu Sans", () => {
    const dot = graphDot(graph, { depth: 1 });
    expect(dot).toMatch(/^digraph pipeline \{/);
    expect(dot).toContain('subgraph "cluster_');
    expect(dot).toContain('fontname="DejaVu Sans"');
    expect(dot.match(/^\s*subgraph /gm)).toHaveLength(1);
  });
});

describe("graph: the text tree", () => {
  const graph = wordCount().toJSON();

  it("nests composites and gives each step its kind and the PCollection it outputs with the coder", () => {
    const text = renderGraphText(graph, { width: 120 });
    const lines = text.split("\n");
    expect(lines[0]).toBe("wordcount · 10 transforms, 6 PCollections");
    expect(lines.slice(1).map((l) => /^[│├└─ ]*(\S+)/.exec(l)![1])).toEqual([
      "ReadLines", "CountWords", "ExtractWords", "Count.PerElement", "Init", "Combine.perKey", "GroupByKey", "Combine.GroupedValues", "FormatResults", "WriteCounts",
    ]);
    expect(text).toMatch(/^├─ ReadLines +TextIO\.Read +→ string \(ReadLines\.out\)$/m);
    expect(text).toMatch(/^│ {2}├─ ExtractWords +ParDo\(ExtractWordsFn\) +→ general \(ExtractWords\.out\)$/m);
    expect(text).toMatch(/^│ {5}├─ Init +ParDo\(PairWithOneFn\) +→ KV<general, varint> \(Init\.out\)$/m);
    expect(text).toMatch(/^│ {8}└─ Combine\.GroupedValues +Combine\.GroupedValues\(count\) +→ KV<general, varint> \(Combine\.GroupedValues\.out\)$/m);
    expect(text).toMatch(/^└─ WriteCounts +TextIO\.Write$/m);
    // Kinds line up in one column.
    const kindAt = (name: string) => lines.find((l) => l.includes(`─ ${name} `))!.search(/\S+$|TextIO|ParDo|MapElements|composite|GroupByKey|Combine\.GroupedValues\(/);
    expect(new Set(["ReadLines", "ExtractWords", "FormatResults"].map(kindAt)).size).toBe(1);
  });

  it("collapses beyond the depth, counting what is hidden", () => {
    const text = renderGraphText(graph, { depth: 0, width: 120 });
    expect(text.split("\n")).toHaveLength(5);
    expect(text).toMatch(/^├─ CountWords +composite · 6 transforms hidden +→ KV<general, varint> \(CountWords\/…\/Combine\.GroupedValues\.out\)$/m);
    expect(text.split("\n")[0]).toContain("depth 0: 6 in collapsed composites");
    expect(renderGraphText(graph, { depth: 1 }).split("\n")).toHaveLength(7);
  });

  it("fits the width it is given", () => {
    for (const width of [40, 60, 80]) {
      const lines = renderGraphText(graph, { width }).split("\n");
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(width);
      expect(lines.some((l) => l.endsWith("…"))).toBe(true);
    }
  });
});
