/**
 * Plans for people: explain(p) as a text tree and an SVG graph, and `flowbook explain FILE.ts`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PlanExplanation, renderPlan, renderPlanSvg, renderPlanText } from "../../../src/display/plan/index.js";
import { TextIO } from "../../../src/io/index.js";
import { flinkPlanOf, type Explainable } from "../../../src/runners/flink/explain/index.js";
import { StringUtf8Coder } from "../../../src/sdk/coders/index.js";
import { Pipeline } from "../../../src/sdk/pipeline.js";
import { Count } from "../../../src/sdk/transforms/count.js";
import type { ProcessContext } from "../../../src/sdk/transforms/do_fn.js";
import { MapElements } from "../../../src/sdk/transforms/element_wise.js";
import { ParDo } from "../../../src/sdk/transforms/par_do.js";
import { View } from "../../../src/sdk/transforms/view.js";
import type { KV } from "../../../src/sdk/values/kv.js";
import { countColor, decodePng } from "../graph/png_pixels.js";
import { overlaps, textBoxes } from "../graph/svg_text_boxes.js";
import { wordCount as readmeWordCount } from "../graph/word_count_pipeline.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const OUT = join(ROOT, "test-results/display");

const explain = (p: Explainable) => new PlanExplanation(flinkPlanOf(p));

function wordcount(): Pipeline {
  const p = Pipeline.create({ name: "wc", parallelism: 3 });
  const words = p.apply("ReadLines", TextIO.read().from("/data/*.txt"))
    .apply("Split", MapElements.via((l: string) => l))
    .setCoder(StringUtf8Coder.of());
  const total = words.apply("Total", Count.globally()).apply(View.asSingleton<number>());
  words.apply(Count.perElement())
    .apply("Format <&>", ParDo.of((kv: KV<string, number>, c: ProcessContext<KV<string, number>, string>) => c.output(`${kv.key} ${kv.value}/${c.sideInput(total)}`)).withSideInputs(total))
    .apply("WriteCounts", TextIO.write().to("/out/wc"));
  return p;
}

describe("explain: the Flink plan drawn", () => {
  it("renders the plan as a text tree: operators with their transforms and parallelism, edges with their ship strategy", () => {
    const e = explain(wordcount());
    const text = e.text;
    expect(text.split("\n")[0]).toBe(`Flink plan 'wc' · BATCH · parallelism 3 · ${e.plan.operators.length} operators, ${e.plan.operators.filter((o) => o.kind === "usercode").length} running user code in Node`);
    expect(text).toMatch(/^op1 source:text {2}ReadLines {2}×3$/m);
    expect(text).toMatch(/└─forward ▸ op2 usercode · Node {2}Split \+ Total\/WithKeys \+ Total\/Combine\.perKey \+ …/);
    expect(e.plan.operators[1]!.name).toBe("Split + Total/WithKeys + Total/Combine.perKey + … + Count.PerElement/Combine.perKey (5 transforms)");
    expect(text).toMatch(/├─hash ▸ op3 combine · native sum {2}Total\/Combine\.perKey {2}×3/);
    expect(text).toMatch(/lifted: pre-combined in op2 \(Node\), merged here/);
    expect(text).toMatch(/└─hash \[op2\.\S+\] ▸ op\d+ combine · native sum {2}Count\.PerElement\/Combine\.perKey/);
    expect(text).toMatch(/broadcast ▸ op\d+ \(see above\)|broadcast ▸ op\d+ \(input 2 of 2; drawn under op\d+\)/);
    expect(text).toMatch(/to: \/out\/wc-SSSSS-of-NNNNN/);
    // Every operator appears, and console.log shows the tree.
    for (const op of e.plan.operators) expect(text).toContain(`${op.id} `);
    expect(String(e)).toBe(text);
    expect(renderPlanText(e.plan, { width: 40 }).split("\n").every((l) => l.length <= 40)).toBe(true);
  });

  it("renders the plan as an SVG graph laid out by Graphviz: a box per operator listing its transforms, an edge per input drawn by its ship strategy", async () => {
    const e = explain(wordcount());
    const svg = await renderPlanSvg(e.plan);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    const boxes = [...svg.matchAll(/<g id="op_(op\d+)" class="node operator (\w+)/g)];
    expect(boxes.map((m) => m[1]).sort()).toEqual(e.plan.operators.map((o) => o.id).sort());
    expect(boxes.filter((m) => m[2] === "usercode")).toHaveLength(e.plan.operators.filter((o) => o.kind === "usercode").length);
    const edges = [...svg.matchAll(/<g id="in_(op\d+)_\d+" class="edge ship (\w+)">/g)];
    expect(edges).toHaveLength(e.plan.operators.reduce((s, o) => s + o.inputs.length, 0));
    expect(new Set(edges.map((m) => m[2]))).toEqual(new Set(e.plan.operators.flatMap((o) => o.inputs.map((i) => i.ship))));
    // Broadcast (side input) edges dashed, hash edges bold.
    expect(svg).toMatch(/class="edge ship broadcast">[\s\S]*?stroke-dasharray/);
    for (const ship of ["forward", "hash", "broadcast"]) expect(svg).toContain(`>${ship}</text>`);
    expect(svg).toContain("Count.PerElement/Init");
    expect(svg).toContain("Format &lt;&amp;&gt;");
    expect(svg).not.toMatch(/Format <&>/);
    expect(overlaps(textBoxes(svg)).map(([a, b]) => `${a.text} × ${b.text}`)).toEqual([]);
    // The operators holding a transform can be highlighted (the translation stepper's "new part").
    const lit = await renderPlanSvg(e.plan, { highlight: ["Total/Combine.perKey"] });
    expect([...lit.matchAll(/class="node operator \w+ highlighted"/g)].length).toBe(e.plan.operators.filter((o) => o.transforms.includes("Total/Combine.perKey")).length);
    expect(Object.keys(e.toMimeBundle())).toEqual(["text/plain", "application/json"]);
  });

  it("renders WordCount's plan as a bundle: text fitted to the width, SVG, a PNG that shows it, the plan as JSON", async () => {
    const plan = flinkPlanOf(readmeWordCount());
    const bundle = await renderPlan(plan, { width: 60 });
    expect(Object.keys(bundle).sort()).toEqual(["application/vnd.flowbook.plan+json", "image/png", "image/svg+xml", "text/plain"]);
    expect(bundle["application/vnd.flowbook.plan+json"]).toEqual(plan);
    const text = bundle["text/plain"] as string;
    expect(text).toBe(renderPlanText(plan, { width: 60 }));
    expect(Math.max(...text.split("\n").map((l) => l.length))).toBeLessThanOrEqual(60);
    const png = Buffer.from(bundle["image/png"] as string, "base64");
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, "wordcount-plan.png"), png);
    const pixels = decodePng(png);
    const [, w, h] = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(bundle["image/svg+xml"] as string)!.map(Number) as [unknown, number, number];
    expect(pixels.width).toBeCloseTo((w * 4) / 3 * 2, -1);
    expect(pixels.height).toBeCloseTo((h * 4) / 3 * 2, -1);
    // One band per operator kind present: user code orange, the shuffle's blue, the sink's purple.
    expect(countColor(pixels, "#d9822b", 20)).toBeGreaterThan(2000);
    expect(countColor(pixels, "#3c6eb4", 20)).toBeGreaterThan(1000);
    expect(countColor(pixels, "#7d5ba6", 20)).toBeGreaterThan(1000);
    expect(countColor(pixels, "#ffffff", 2)).toBeLessThan(pixels.width * pixels.height * 0.9);
  });

  it("refuses a pipeline the Flink runner cannot run, naming the transform", () => {
    const p = Pipeline.create();
    p.apply("ReadZz", TextIO.read().from("/in/*.zz"));
    expect(() => flinkPlanOf(p)).toThrow(/cannot translate 'ReadZz'/);
  });

  it("flowbook explain FILE.ts prints the tree and writes the SVG without running the pipeline", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-explain-"));
    const { stdout, stderr } = await promisify(execFile)(join(ROOT, "node_modules/.bin/tsx"), [
      join(ROOT, "src/cli/explain_command.ts"), join(ROOT, "test/runners/flink/fixtures/explain_wordcount.ts"),
      "--svg", join(dir, "plan.svg"), "--", "/nowhere/*.txt", join(dir, "out/counts"),
    ], { cwd: ROOT, timeout: 60_000 });
    expect(stdout).toMatch(/^Flink plan 'explained-wordcount' · BATCH/);
    expect(stdout).toMatch(/hash ▸ op3 combine · native sum {2}Count\.PerElement\/Combine\.perKey/);
    expect(stdout).toContain("files: /nowhere/*.txt");
    expect(stderr).toContain("wrote ");
    expect(readFileSync(join(dir, "plan.svg"), "utf8")).toMatch(/^<svg/);
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(readdirSync(dir)).toEqual(["plan.svg"]);
  }, 90_000);
});
