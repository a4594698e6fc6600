/**
 * What Flink made of our plan (issue 15, point 4) on a real cluster (port 18161,
 * `FLOWBOOK_FLINK_JOBGRAPH_TEST_PORT`): Flink's job graph planned without running the job
 * (POST /jars/:id/plan) and of a job that ran (GET /jobs/:jid/plan), each vertex mapped to
 * our operators and transforms, drawn as text and SVG.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobGraphDot, renderJobGraph, renderJobGraphText } from "../../../src/display/plan/index.js";
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
    expect(text).toContain("chained (one task, records passed as objects, no serialization): op1 → op2 → op3; op3 → op4 → op5");
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
