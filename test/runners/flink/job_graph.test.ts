/**
 * What Flink made of our plan (issue 15, point 4) and what each operator did in a run
 * (point 5), on a real cluster (port 18161, `FLOWBOOK_FLINK_JOBGRAPH_TEST_PORT`; every test of
 * that port lives in this file, so no other file stops the cluster under it): Flink's job
 * graph planned without running the job (POST /jars/:id/plan) and of a job that ran
 * (GET /jobs/:jid/plan), each vertex mapped to our operators and transforms, drawn as text
 * and SVG; explain(p, { run: true }) and { flink: true } from plain Node and in a session's cells.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, test } from "vitest";
import { explain } from "../../../src/index.js";
import type { Rendered } from "../../../src/display/interactive/calls.js";
import type { CellOutput } from "../../../src/display/outputs.js";
import { jobGraphDot, renderJobGraph, renderJobGraphText } from "../../../src/display/plan/index.js";
import { ok, sessionMaker } from "../../support/sessions.js";
import { Count, FlatMapElements, MapElements, ParDo, Pipeline, StringUtf8Coder, TextIO, TupleTag, type KV, type ProcessContext } from "../../../src/index.js";
import { flinkJobGraphOf, flinkJobGraphOfJob, flinkPlanOf, type FlinkJobGraph } from "../../../src/runners/flink/explain/index.js";
import { ROOT, startTestCluster, type TestCluster } from "./fixture.js";
import { ordersJoin, wordCount } from "./fixtures/trace_pipelines.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_JOBGRAPH_TEST_PORT ?? 18161);
let cluster: TestCluster;
let dir: string;
let input: string;

beforeAll(async () => {
  cluster = await startTestCluster(PORT);
  dir = mkdtempSync(join(tmpdir(), "flowbook-jobgraph-"));
  input = join(dir, "in.txt");
  writeFileSync(input, "the cat sat\non the mat\nthe end\n");
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
});

const vertexOf = (g: FlinkJobGraph, opId: string, part = "") => g.vertices.find((v) => v.chain.some((c) => c.operator === opId && c.part === part));

describe("Flink's job graph beside our plan", () => {
  it("WordCount: Flink chains the source, the fused user code and the pre-combine into one vertex, the merge, the formatter and the sink into another", async () => {
    const g = await flinkJobGraphOf(wordCount(input, join(dir, "out/wc")), cluster.options);
    expect(g.source).toBe("planned");
    expect(g.type).toBe("BATCH");
    expect(g.unmapped).toEqual([]);
    const ids = g.plan.operators.map((o) => `${o.id} ${o.kind}`);
    expect(ids).toEqual(["op1 source:text", "op2 usercode", "op3 combine", "op4 usercode", "op5 sink:text"]);
    expect(g.vertices.map((v) => v.operators)).toEqual([["op1", "op2", "op3"], ["op3", "op4", "op5"]]);
    const [v1, v2] = g.vertices as [FlinkJobGraph["vertices"][0], FlinkJobGraph["vertices"][0]];
    expect(v1.chain.map((c) => `${c.operator}${c.part}`)).toEqual(["op1", "op1/ToRecord", "op2", "op3/PreCombine"]);
    expect(v1.chain[0]!.flinkName).toBe("Source: ReadLines");
    expect(v1.chain.map((c) => c.parent)).toEqual([undefined, 0, 1, 2]);
    expect(v2.chain.map((c) => `${c.operator}${c.part}`)).toEqual(["op3/Merge", "op4", "op5/Write"]);
    // The shuffle of the lifted count: Flink hashes between the two vertices, over a blocking exchange in BATCH.
    expect(v2.inputs).toEqual([{ from: v1.id, ship: "HASH", exchange: "blocking" }]);
    expect(v2.transforms).toEqual(["CountWords/Count.PerElement/Combine.perKey", "FormatAsText", "WriteCounts"]);
    expect(v1.parallelism).toBe(2);

    const text = renderJobGraphText(g, { width: 0 });
    expect(text.split("\n")[0]).toBe("Flink's job graph 'wordcount' · BATCH · planned by Flink (nothing ran) · 5 plan operators chained into 2 vertices (tasks)");
    expect(text).toContain("vertex 2  ×2  ◂ HASH (blocking) from vertex 1");
    expect(text).toContain("└ CountWords/Count.PerElement/Combine.perKey/PreCombine   ← op3/PreCombine · combine · native sum");
    expect(text).toContain("chained (one task each: records handed over in memory, no network hop): op1 → op2 → op3; op3 → op4 → op5");
    const dot = jobGraphDot(g);
    expect(dot).toContain(`subgraph "cluster_v1"`);
    expect(dot).toMatch(/"v1_3" -> "v2_0" \[ltail="cluster_v1", lhead="cluster_v2"/);
    const bundle = await renderJobGraph(g, { width: 100 });
    const svg = String(bundle["image/svg+xml"]);
    expect(svg).toMatch(/^<svg/);
    // Each vertex a frame, each chained operator a box named after our operator.
    expect(svg.match(/class="cluster"/g)?.length).toBe(2);
    for (const id of ["v1_op1", "v1_op1_ToRecord", "v1_op2", "v1_op3_PreCombine", "v2_op3_Merge", "v2_op4", "v2_op5_Write"]) expect(svg).toContain(`id="${id}"`);
    expect(String(bundle["text/plain"])).toMatch(/^Flink plan 'wordcount'[\s\S]*\n\nFlink's job graph 'wordcount'/);
    mkdirSync(join(ROOT, "test-results/display"), { recursive: true });
    writeFileSync(join(ROOT, "test-results/display/jobgraph-wordcount.svg"), svg);
    writeFileSync(join(ROOT, "test-results/display/jobgraph-wordcount.png"), Buffer.from(String(bundle["image/png"]), "base64"));
  }, 120_000);

  it("side inputs and a CoGroupByKey: the broadcast side input and the join's shuffle are Flink exchanges; every operator is in a vertex but the union", async () => {
    const g = await flinkJobGraphOf(ordersJoin(join(dir, "out/oj")), cluster.options);
    expect(g.unmapped).toEqual([]);
    // Flink has no operator for a union: the join's Flatten feeds the grouping's vertex directly.
    const flatten = g.plan.operators.find((o) => o.kind === "flatten")!;
    expect(g.unions).toEqual([flatten.id]);
    expect(renderJobGraphText(g, { width: 0 })).toContain(`${flatten.id} flatten: no Flink operator (a union: its inputs feed vertex`);
    const plan = g.plan;
    const convert = plan.operators.find((o) => o.transforms.includes("Convert"))!;
    const rate = plan.operators.find((o) => o.name === "Rate")!;
    const gbk = plan.operators.find((o) => o.kind === "group_by_key")!;
    const vConvert = vertexOf(g, convert.id)!;
    const vRate = vertexOf(g, rate.id)!;
    // The side input crosses into Convert's vertex by BROADCAST (the bridge's SideInput map is chained after Rate).
    expect(vConvert.inputs.some((i) => i.from === vRate.id && i.ship === "BROADCAST")).toBe(true);
    expect(vertexOf(g, gbk.id)!.inputs.every((i) => i.ship === "HASH")).toBe(true);
    // The ParDos after the grouping run in the grouping's task (chained), not a task of their own.
    const after = plan.operators.find((o) => o.transforms.includes("Describe"))!;
    expect(vertexOf(g, after.id)).toBe(vertexOf(g, gbk.id));
    for (const v of g.vertices) for (const c of v.chain) expect(c.operator, c.flinkName).toBeDefined();
    const bundle = await renderJobGraph(g, { width: 120 });
    writeFileSync(join(ROOT, "test-results/display/jobgraph-orders-join.svg"), String(bundle["image/svg+xml"]));
  }, 120_000);

  it("names Flink escapes (<, &) and a chain that branches (side outputs) map back to our operators", async () => {
    const p = Pipeline.create({ name: "odd <names> & branches" });
    const words = p.apply("Read <&>", TextIO.read().from(input)).apply("Split & trim", FlatMapElements.via((l: string) => l.split(" "))).setCoder(StringUtf8Coder.of());
    const tag = new TupleTag<string>("long");
    const main = new TupleTag<string>("short");
    const split = words.apply("Split <by length>", ParDo.of((w: string, c: ProcessContext<string, string>) => (w.length > 3 ? c.output(tag, w) : c.output(w))).withOutputTags(main, [tag]));
    split.get(main).apply("Upper", MapElements.via((w: string) => w.toUpperCase())).apply(Count.perElement()).apply("Fmt", MapElements.via((kv: KV<string, number>) => `${kv.key}=${kv.value}`)).apply("WriteShort", TextIO.write().to(join(dir, "out/short")));
    split.get(tag).apply("WriteLong", TextIO.write().to(join(dir, "out/long")));
    const g = await flinkJobGraphOf(p, cluster.options);
    expect(g.unmapped).toEqual([]);
    for (const v of g.vertices) for (const c of v.chain) expect(c.operator, c.flinkName).toBeDefined();
    const read = g.vertices[0]!;
    expect(read.chain[0]!.flinkName).toBe("Source: Read <&>");
    // The user-code stage feeds two operators in its task: the long words' sink and the short words' pre-count.
    const stage = read.chain.findIndex((c) => c.flinkName.startsWith("Split & trim"));
    expect(read.chain.filter((c) => c.parent === stage).length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it("a job that ran: GET /jobs/:jid/plan, each vertex with its time, records and bytes", async () => {
    const p = wordCount(input, join(dir, "out/ran"), cluster.options);
    const result = p.run();
    let jobId: string | undefined;
    result.onEvent?.((e) => {
      if (e.kind === "run-started") jobId = e.jobId;
    });
    expect(await result.waitUntilFinish()).toBe("DONE");
    const g = await flinkJobGraphOfJob(jobId!, flinkPlanOf(p), cluster.options);
    expect(g.source).toBe("ran");
    expect(g.jobId).toBe(jobId);
    expect(g.state).toBe("FINISHED");
    expect(g.vertices.map((v) => v.operators)).toEqual([["op1", "op2", "op3"], ["op3", "op4", "op5"]]);
    const [v1, v2] = g.vertices;
    expect(v1!.run!.status).toBe("FINISHED");
    expect(v1!.run!.durationMs).toBeGreaterThan(0);
    // Words: the, cat, sat, on, the, mat, the, end → 6 distinct; each subtask pre-counts what it read.
    expect(v2!.run!.recordsIn).toBeGreaterThanOrEqual(6);
    expect(v2!.run!.recordsIn).toBeLessThanOrEqual(8);
    expect(v1!.run!.bytesOut).toBeGreaterThan(0);
    expect(v2!.run!.bytesIn).toBeGreaterThan(0);
    const text = renderJobGraphText(g, { width: 0 });
    expect(text).toMatch(new RegExp(`job ${jobId} · FINISHED in `));
    expect(text).toMatch(/= finished in [\d.]+ m?s .*records in \d+, out \d+ · network/);
  }, 120_000);
});

describe("flowbook explain --job-graph FILE.ts", () => {
  it("prints the plan, then Flink's job graph of it, and writes both SVGs, running nothing", async () => {
    const { stdout, stderr } = await promisify(execFile)(join(ROOT, "node_modules/.bin/tsx"), [
      join(ROOT, "src/cli/explain_command.ts"), join(ROOT, "test/runners/flink/fixtures/explain_wordcount.ts"), "--job-graph",
      "--flinkMaster", `localhost:${PORT}`, "--svg", join(dir, "cli.svg"), "--", input, join(dir, "out/cli"),
    ], { cwd: ROOT, timeout: 90_000, env: { ...process.env, COLUMNS: "200" } });
    expect(stdout).toMatch(/^Flink plan 'explained-wordcount' · BATCH/);
    expect(stdout).toMatch(/\n\nFlink's job graph 'explained-wordcount' · BATCH · planned by Flink \(nothing ran\)/);
    expect(stdout).toContain("vertex 2  ×2  ◂ HASH (blocking) from vertex 1");
    expect(stderr).toContain(`wrote ${join(dir, "cli-jobgraph.svg")}`);
    expect(readFileSync(join(dir, "cli-jobgraph.svg"), "utf8")).toMatch(/^<svg[\s\S]*class="cluster"/);
    // Nothing ran: no output of this script (other tests of the file write beside it).
    expect(existsSync(join(dir, "out")) ? readdirSync(join(dir, "out")).filter((f) => f.startsWith("cli")) : []).toEqual([]);
  }, 120_000);
});

const bundleOf = (d: { value: unknown }) => (d.value as Rendered).bundle;
const textOf = (d: { value: unknown }) => String(bundleOf(d)["text/plain"]);

describe("explain(p, { run: true }) and { flink: true } on Flink, from plain Node", () => {
  it("a slow transform inside a fused stage shows where it is: each transform's own time in the Node workers", async () => {
    const lines = join(dir, "forty.txt");
    writeFileSync(lines, Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n") + "\n");
    const p = Pipeline.create({ name: "slow-step", ...cluster.options, parallelism: 1 });
    p.apply("Read", TextIO.read().from(lines))
      .apply("Fast", MapElements.via((l: string) => l.toUpperCase()))
      .apply("Slow", MapElements.via((l: string) => {
        const end = Date.now() + 25;
        while (Date.now() < end) {
          // a slow step
        }
        return l;
      }))
      .apply("Write", TextIO.write().to(join(dir, "out/slow")));
    const d = await explain(p, { run: true });
    const text = textOf(d);
    const m = /Node ([\d.]+) (m?s) \(Fast ([\d.]+) (m?s), Slow ([\d.]+) (m?s)\)/.exec(text);
    expect(m, text).not.toBeNull();
    const ms = (v: string, unit: string) => Number(v) * (unit === "s" ? 1000 : 1);
    const fast = ms(m![3]!, m![4]!);
    const slow = ms(m![5]!, m![6]!);
    // 40 elements × 25 ms, estimated from every 16th element: about a second, and far more than Fast.
    expect(slow).toBeGreaterThan(500);
    expect(slow).toBeLessThan(3000);
    expect(slow).toBeGreaterThan(10 * fast);
  }, 180_000);

  it("on Flink: each operator's counts, and the busy time of the vertex it ran in; the hottest operator marked", async () => {
    const p = wordCount(input, join(dir, "out/flink"), cluster.options);
    const d = await explain(p, { run: true });
    const text = textOf(d);
    expect(text.split("\n")[1]).toMatch(/^ran on flink · DONE in [\d.]+ m?s · job [0-9a-f]{32} · most time: op\d/);
    // Time per operator comes from its vertex: op1 and op2 share vertex 1, op4 and op5 vertex 2, op3 spans both.
    expect(text).toMatch(/on vertex 1 \(busy\)/);
    expect(text).toMatch(/[\d.]+ m?s \+ [\d.]+ m?s on vertices 1, 2 \(busy\)/);
    // Vertex 1 (source, user code, pre-count) is where a 5-line input's time goes: its user code is marked.
    expect(text.split("\n")[1]).toMatch(/most time: op(2|4)$/);
    expect(text).toMatch(/▲ /);
    const json = bundleOf(d)["application/vnd.flowbook.plan+json"] as { operators: unknown[] };
    expect(json.operators).toHaveLength(5);
  }, 180_000);

  it("on Flink with { flink: true }: the job graph of the job that ran, each vertex with its numbers", async () => {
    const p = ordersJoin(join(dir, "out/oj"), cluster.options);
    const d = await explain(p, { run: true, flink: true });
    const g = bundleOf(d)["application/vnd.flowbook.jobgraph+json"] as FlinkJobGraph;
    expect(g.source).toBe("ran");
    expect(g.state).toBe("FINISHED");
    expect(g.vertices.every((v) => v.run && v.run.status === "FINISHED")).toBe(true);
    // Three orders in, two customers: the join's vertex reads five tagged records.
    const join_ = g.vertices.find((v) => v.transforms.includes("Join/GBK"))!;
    expect(join_.run!.recordsIn).toBe(5);
    const text = textOf(d);
    expect(text).toMatch(/\n\nFlink's job graph 'orders-join' · BATCH · job [0-9a-f]{32} · FINISHED in /);
    expect(String(bundleOf(d)["image/svg+xml"])).toMatch(/records in 5, out \d/);
  }, 180_000);

  it("{ flink: true } without a run: Flink's job graph planned by the cluster", async () => {
    const p = wordCount(input, join(dir, "out/never"), cluster.options);
    const d = await explain(p, { flink: true });
    const g = bundleOf(d)["application/vnd.flowbook.jobgraph+json"] as FlinkJobGraph;
    expect(g.source).toBe("planned");
    expect(g.vertices).toHaveLength(2);
  }, 120_000);
});

const session = sessionMaker();
type Shown = Extract<CellOutput, { type: "display" | "update" }>;

function recorded() {
  const outputs: CellOutput[] = [];
  const s = session({ onOutput: (o) => void outputs.push(o) });
  const of = (n: number) => outputs.filter((o) => o.cell.executionCount === n);
  return { s, of };
}

const wordcount = (options: string) => [
  `const p = Pipeline.create({ name: "wc", ${options} });`,
  `p.apply("ReadLines", TextIO.read().from(${JSON.stringify(join(dir, "in.txt"))}))`,
  `  .apply("ExtractWords", FlatMapElements.via((l: string) => l.split(/\\W+/).filter(Boolean)))`,
  `  .apply(Count.perElement())`,
  `  .apply("Format", MapElements.via((kv: KV<string, number>) => kv.key + ": " + kv.value))`,
  `  .apply("WriteCounts", TextIO.write().to(${JSON.stringify(join(dir, "out/wc-cells"))}));`,
].join("\n");

const planDisplays = (outs: CellOutput[]) => outs.filter((o): o is Shown => o.type === "display" && "application/vnd.flowbook.plan+json" in o.bundle);

describe("explain in cells, on Flink", () => {
  test("Flink: the plan with its vertices' busy times, then with { flink: true } the job graph of the job that ran", async () => {
    const { s, of } = recorded();
    const o = cluster.options;
    ok(await s.execute(wordcount(`runner: "flink", flinkMaster: ${JSON.stringify(o.flinkMaster)}, flinkBridgeJar: ${JSON.stringify(o.flinkBridgeJar)}, flinkWorkerCommand: ${JSON.stringify(o.flinkWorkerCommand)}, parallelism: 2`)));
    ok(await s.execute(`await explain(p, { run: true });`));
    const text = String(planDisplays(of(2))[0]!.bundle["text/plain"]);
    expect(text.split("\n")[1]).toMatch(/^ran on flink · DONE in [\d.]+ m?s · job [0-9a-f]{32} · most time: op\d/);
    expect(text).toMatch(/on vertex 1 \(busy\)/);
    ok(await s.execute(`await explain(p, { run: true, flink: true });`));
    const shown = planDisplays(of(3))[0]!;
    expect(String(shown.bundle["text/plain"])).toMatch(/\n\nFlink's job graph 'wc' · BATCH · job [0-9a-f]{32} · FINISHED/);
    expect(shown.bundle["image/svg+xml"]).toMatch(/class="cluster"/);
    ok(await s.execute(`await explain(p, { flink: true });`));
    const planned = planDisplays(of(4))[0]!;
    expect(String(planned.bundle["text/plain"])).toMatch(/\n\nFlink's job graph 'wc' · BATCH · planned by Flink \(nothing ran\)/);
    expect((planned.bundle["application/vnd.flowbook.jobgraph+json"] as { vertices: unknown[] }).vertices).toHaveLength(2);
  }, 240_000);
});
