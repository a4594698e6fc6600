/**
 * After a run (issue 15, point 5): explain(p, { run: true }) runs the pipeline and draws the
 * plan with what each operator did, here on the local runner (its run events) through the
 * package root's interactive services (plain Node), as a script calls them; and how a run's
 * events fold onto the plan. On a Flink cluster: test/runners/flink/job_graph.test.ts (the file of port 18161).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Create, MapElements, Pipeline, explain } from "../../../src/index.js";
import type { Rendered } from "../../../src/display/interactive/calls.js";
import { planRunMetrics } from "../../../src/display/plan/run_metrics.js";
import { flinkPlanOf } from "../../../src/runners/flink/explain/index.js";
import { wordCount } from "../../runners/flink/fixtures/trace_pipelines.js";

let dir: string;
let input: string;
const LINES = ["the cat sat", "on the mat", "the end", "", "a cat"];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "flowbook-explain-run-"));
  input = join(dir, "in.txt");
  writeFileSync(input, LINES.join("\n") + "\n");
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

  it("on the local runner: a slow DoFn fused with fast ones is where the time is, by its own sampled time (▲)", async () => {
    const p = Pipeline.create({ name: "slow-step", runner: "direct", parallelism: 2 });
    p.apply("Nums", Create.of(...Array.from({ length: 400 }, (_, i) => i)))
      .apply("Fast", MapElements.via((n: number) => n + 1))
      .apply("Slow", MapElements.via((n: number) => {
        const until = performance.now() + 2;
        while (performance.now() < until) {
          // 2 ms an element: ~0.8 s in all, measured on every 16th element and scaled
        }
        return n;
      }))
      .apply("AlsoFast", MapElements.via((n: number) => n * 2));
    const d = await explain(p, { run: true });
    const text = textOf(d);
    expect(text).toMatch(/most time: op\d+/);
    const slowOp = /(op\d+)\s[^\n]*Slow/.exec(text)?.[1];
    expect(text).toContain(`most time: ${slowOp}`);
    // The fused operator's time, and inside it each transform's: Slow is where it went.
    const m = /▲ in 400 · out 400 · [\d.]+ m?s on threads \(Fast ([\d.]+) (m?s), Slow ([\d.]+) (m?s), AlsoFast ([\d.]+) (m?s)\)/.exec(text);
    expect(m, text).not.toBeNull();
    const ms = (i: number) => Number(m![i]) * (m![i + 1] === "s" ? 1000 : 1);
    expect(ms(3)).toBeGreaterThan(400);
    expect(ms(3)).toBeGreaterThan(5 * ms(1));
    expect(ms(3)).toBeGreaterThan(5 * ms(5));
  }, 120_000);

  it("a failed run still shows how far it got, then the call throws the run's error", async () => {
    const p = Pipeline.create({ name: "fails", runner: "direct" });
    p.apply("Nums", Create.of(1, 2, 3)).apply("Boom", MapElements.via((n: number) => {
      console.log(`seen ${n}`);
      if (n === 2) throw new Error("two is not allowed");
      return n;
    }));
    const shown: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => (shown.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await expect(explain(p, { run: true })).rejects.toThrow(/two is not allowed/);
    } finally {
      process.stdout.write = write;
    }
    // The package root's host prints displays as text: the plan with the failed run's line.
    expect(shown.join("")).toMatch(/Flink plan 'fails'[^\n]*\nran on direct · FAILED in [\d.]+ m?s/);
    // The host's watch listened first: the DoFn's console output is printed as the run's fallback would.
    expect(shown.join("")).toContain("seen 2\n");
  }, 60_000);

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
    // op2 holds the combine's pre-count, which op3 (the merge) also holds: op2's out is what op3 read, not the combine's out.
    expect(m.operators["op2"]).toEqual({ recordsIn: 5, recordsOut: 9 });
    expect(m.operators["op3"]).toEqual({ recordsIn: 9, recordsOut: 7 });
    expect(m.operators["op5"]).toEqual({ recordsIn: 7, bytesOut: 60 });
    expect(m.stages).toEqual([{ name: "ReadLines → CountWords", ms: 28 }]);
    expect(m.state).toBe("DONE");
    expect(m.hottest).toBe("op3");
    expect(m.hottestBy).toBe("records");
  });
});
