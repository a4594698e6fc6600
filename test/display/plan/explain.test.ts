/**
 * Plans for people: explain(p) as a text tree and an SVG graph, and `flowbook explain FILE.ts`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Count, KV, MapElements, ParDo, Pipeline, StringUtf8Coder, TextIO, View, type ProcessContext } from "../../../src/index.js";
import { PlanExplanation, renderPlanSvg, renderPlanText } from "../../../src/display/plan/index.js";
import { flinkPlanOf, type Explainable } from "../../../src/runners/flink/explain/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");

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

  it("renders the plan as an SVG graph: a box per operator listing its transforms, an edge per input labelled with its ship strategy", () => {
    const e = explain(wordcount());
    const svg = e.svg;
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    const boxes = svg.match(/<rect x="[\d.]+" y="[\d.]+" width="270"/g) ?? [];
    expect(boxes).toHaveLength(e.plan.operators.length);
    const edges = svg.match(/<path d="M[^"]+ C[^"]+" fill="none"/g) ?? [];
    expect(edges).toHaveLength(e.plan.operators.reduce((s, o) => s + o.inputs.length, 0));
    for (const ship of ["forward", "hash", "broadcast"]) expect(svg).toContain(`>${ship}</text>`);
    expect(svg).toContain("Count.PerElement/Init");
    expect(svg).toContain("Format &lt;&amp;&gt;");
    expect(svg).not.toMatch(/Format <&>/);
    expect(renderPlanSvg(e.plan)).toBe(svg);
    expect(Object.keys(e.toMimeBundle())).toEqual(["text/plain", "application/json", "image/svg+xml"]);
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
