/**
 * Fingerprints of PCollections built by notebook cells: running an upstream cell again with
 * the same code keeps them (its functions now say cell[4], its tags are new numbers), with
 * another captured value changes them, and a later cell's additions leave them alone.
 */
import { describe, expect, it } from "vitest";
import { graphFingerprint } from "../../../src/graph/subgraph.js";
import type { PipelineGraph } from "../../../src/graph/types.js";
import { ok, sessionMaker } from "../../support/sessions.js";

const newSession = sessionMaker();

function fingerprintOf(graphs: PipelineGraph[], name: string): string {
  const g = graphs[graphs.length - 1]!;
  const pc = Object.values(g.pcollections).find((p) => p.name === name);
  if (!pc) throw new Error(`no ${name} in ${Object.values(g.pcollections).map((p) => p.name).join(", ")}`);
  return graphFingerprint(g, pc.id);
}

describe("fingerprints of cells' PCollections", () => {
  it("follow what the cells compute, not when they ran", async () => {
    const s = newSession();
    const settings = (factor: number) => `const factor = ${factor};`;
    const cell2 =
      "const p = Pipeline.create();\n" +
      "const evens = new TupleTag<number>();\n" +
      "const split = p.apply('Nums', Create.of(1, 2, 3)).apply('Split', ParDo.of((x: number, c: ProcessContext<number, number>) => { if (x % 2) c.output(x * factor); else c.sideOutput(evens, x); }).withOutputTags(new TupleTag<number>(), [evens]));\n" +
      "const scaled = split.get(evens).apply('Scale', MapElements.via((x: number) => x * factor));";
    ok(await s.execute(settings(3), { cellId: "settings" }));
    ok(await s.execute(cell2, { cellId: "pipeline" }));
    const first = fingerprintOf(s.pipelineGraphs(), "Scale.out");

    // The pipeline cell again, unchanged: new tags, new execution count, same computation.
    ok(await s.execute(cell2, { cellId: "pipeline" }));
    expect(fingerprintOf(s.pipelineGraphs(), "Scale.out")).toBe(first);

    // A later cell extends it.
    ok(await s.execute("scaled.apply('Later', MapElements.via((x: number) => String(x)));", { cellId: "later" }));
    expect(fingerprintOf(s.pipelineGraphs(), "Scale.out")).toBe(first);

    // The settings cell with another captured value, then the pipeline cell again.
    ok(await s.execute(settings(4), { cellId: "settings" }));
    ok(await s.execute(cell2, { cellId: "pipeline" }));
    expect(fingerprintOf(s.pipelineGraphs(), "Scale.out")).not.toBe(first);
    ok(await s.execute(settings(3), { cellId: "settings" }));
    ok(await s.execute(cell2, { cellId: "pipeline" }));
    expect(fingerprintOf(s.pipelineGraphs(), "Scale.out")).toBe(first);
  }, 120_000);
});
