/**
 * After a run (issue 15, point 5): explain(p, { run: true }) runs the pipeline and draws the
 * plan with what each operator did — on the local runner (its run events) and on a real Flink
 * cluster (port 18161; the job's vertex metrics over REST) — and explain(p, { flink: true })
 * draws Flink's job graph beside the plan. Through the package root's interactive services
 * (plain Node), as a script calls them.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explain } from "../../../src/index.js";
import type { Rendered } from "../../../src/display/interactive/calls.js";
import { planRunMetrics } from "../../../src/display/plan/run_metrics.js";
import { flinkPlanOf } from "../../../src/runners/flink/explain/index.js";
import type { FlinkJobGraph } from "../../../src/runners/flink/flink_job_graph.js";
import { startTestCluster, type TestCluster } from "./fixture.js";
import { ordersJoin, wordCount } from "./fixtures/trace_pipelines.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_JOBGRAPH_TEST_PORT ?? 18161);
let cluster: TestCluster;
let dir: string;
let input: string;
const LINES = ["the cat sat", "on the mat", "the end", "", "a cat"];

beforeAll(async () => {
  cluster = await startTestCluster(PORT);
  dir = mkdtempSync(join(tmpdir(), "flowbook-explain-run-"));
  input = join(dir, "in.txt");
  writeFileSync(input, LINES.join("\n") + "\n");
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
});

const bundleOf = (d: { value: unknown }) => (d.value as Rendered).bundle;
const textOf = (d: { value: unknown }) => String(bundleOf(d)["text/plain"]);

describe("explain(p, { run: true }): the plan with what each operator did", () => {
  it("on the local runner: records in and out per operator from the run's events, the stages' times", async () => {
    const p = wordCount(input, join(dir, "out/local"), { runner: "direct", parallelism: 2 });
    const d = await explain(p, { run: true });
    const text = textOf(d);
    const lines = text.split("\n");
    expect(lines[1]).toMatch(/^ran on direct · DONE in [\d.]+ m?s/);
    // op2 = ExtractWords + Init (+ the pre-count): 5 lines in; op4 formats one line per distinct word (7) and the sink writes them.
    const below = (op: string) => lines[lines.findIndex((l) => new RegExp(`\\b${op} `).test(l)) + 1 + lines.slice(lines.findIndex((l) => new RegExp(`\\b${op} `).test(l)) + 1).findIndex((l) => /[=▲] in /.test(l))]!;
    expect(below("op2")).toMatch(/[=▲] in 5\b/);
    expect(below("op4")).toMatch(/[=▲] in 7 · out 7\b/);
    expect(text).toMatch(/\nstages \(direct\):\n\s+[\d.]+ m?s {2}\S/);
    const svg = String(bundleOf(d)["image/svg+xml"]);
    expect(svg).toContain("in 5");
    expect(svg).toMatch(/ran on direct · DONE/);
  }, 120_000);

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

  it("a run's events fold onto the operators: first transform's elements in, last transform's out", () => {
    const plan = flinkPlanOf(wordCount("/in/*.txt", "/out/x"));
    const m = planRunMetrics(plan, [
      { kind: "run-started", at: 0, runner: "direct" },
      {
        kind: "progress", at: 1, transforms: [
          { transform: "ReadLines", elementsOut: 5, bytesRead: 40 },
          { transform: "CountWords/ExtractWords", elementsIn: 5, elementsOut: 9 },
          { transform: "CountWords/Count.PerElement/Init", elementsIn: 9, elementsOut: 9 },
          { transform: "CountWords/Count.PerElement/Combine.perKey", elementsIn: 9, elementsOut: 7 },
          { transform: "FormatAsText", elementsIn: 7, elementsOut: 7 },
          { transform: "WriteCounts", elementsIn: 7, bytesWritten: 60 },
        ],
      },
      { kind: "stage-started", at: 2, stage: "s1", name: "ReadLines → CountWords" },
      { kind: "stage-finished", at: 30, stage: "s1", name: "ReadLines → CountWords" },
      { kind: "run-finished", at: 40, state: "DONE", durationMs: 40 },
    ]);
    expect(m.operators["op1"]).toEqual({ recordsOut: 5, bytesIn: 40 });
    // op2 holds the combine's pre-count, which op3 (the merge) also holds: op2's out is not the combine's.
    expect(m.operators["op2"]).toEqual({ recordsIn: 5 });
    expect(m.operators["op3"]).toEqual({ recordsIn: 9, recordsOut: 7 });
    expect(m.operators["op5"]).toEqual({ recordsIn: 7, bytesOut: 60 });
    expect(m.stages).toEqual([{ name: "ReadLines → CountWords", ms: 28 }]);
    expect(m.state).toBe("DONE");
    expect(m.hottest).toBe("op3");
    expect(m.hottestBy).toBe("records");
  });
});
