// explain(p, { run: true }) in cells (issue 15, point 5): the run goes through the session as
// any cell's run does (the sandbox forwards it to the host's runner), the host's watch hears
// it, and the one display the call makes shows the plan with each operator's numbers. On the
// local runner here; on Flink in test/runners/flink/job_graph.test.ts (one file per cluster port).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import type { CellOutput } from "../../src/display/outputs.js";
import { ok, sessionMaker } from "../support/sessions.js";

const session = sessionMaker();
type Shown = Extract<CellOutput, { type: "display" | "update" }>;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "flowbook-explain-run-cells-"));
  writeFileSync(join(dir, "in.txt"), "the cat sat\non the mat\nthe end\n");
});

function recorded() {
  const outputs: CellOutput[] = [];
  const s = session({ onOutput: (o) => void outputs.push(o) });
  const of = (n: number) => outputs.filter((o) => o.cell.executionCount === n);
  return { s, of };
}

const wordcount = (options: string) => [
  `const p = Pipeline.create({ name: "wc", ${options} });`,
  `p.apply("ReadLines", TextIO.read().from(${JSON.stringify(join(dir, "in.txt"))}))`,
  `  .apply("ExtractWords", FlatMapElements.via((l: string) => { console.log("line", l.length); return l.split(/\\W+/).filter(Boolean); }))`,
  `  .apply(Count.perElement())`,
  `  .apply("Format", MapElements.via((kv: KV<string, number>) => kv.key + ": " + kv.value))`,
  `  .apply("WriteCounts", TextIO.write().to(${JSON.stringify(join(dir, "out/wc"))}));`,
].join("\n");

const planDisplays = (outs: CellOutput[]) => outs.filter((o): o is Shown => o.type === "display" && "application/vnd.flowbook.plan+json" in o.bundle);

describe("explain(p, { run: true }) in cells", () => {
  test("local runner: the cell's run (its output lines reach the cell) and the plan with each operator's counts", async () => {
    const { s, of } = recorded();
    ok(await s.execute(wordcount(`runner: "direct"`)));
    ok(await s.execute(`await explain(p, { run: true });`));
    const outs = of(2);
    const [plan] = planDisplays(outs);
    const text = String(plan!.bundle["text/plain"]);
    expect(text.split("\n")[1]).toMatch(/^ran on direct · DONE in /);
    // Three lines into ExtractWords' stage; the partial counts it sends are what the merge reads.
    // Each line of numbers ends with the operator's own time on the runner's threads (sampled).
    expect(text).toMatch(/op2 usercode · Node {2}ExtractWords[\s\S]*?[=▲] in 3 · out (\d+) · \d+ ms on threads[^\n]*\n[\s\S]*?op3 combine[\s\S]*?[=▲] in \1 · out 6 · \d+ ms on threads\n/);
    expect(text).toMatch(/op4 usercode · Node {2}Format[\s\S]*?[=▲] in 6 · out 6 · \d+ ms on threads\n/);
    // The DoFn's console.log went to the cell, as for any run.
    expect(outs.filter((o) => o.type === "stream").map((o) => (o as { text: string }).text).join("")).toContain("line 11");
  }, 120_000);

});
