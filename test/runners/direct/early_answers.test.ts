/**
 * A sample run (RunRequest.collect) stops its sources once the sampled PCollection has its
 * n elements, where no grouping lies between them (issue 13, point 4); the sample says it
 * is truncated and gives no total. A run that read everything gives the total. Behind a
 * grouping, the writers read everything, but the reading stage stops once it emitted n groups.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Count, DoFn, Filter, GroupByKey, KV, MapElements, Metrics, Pipeline, TextIO, ParDo, type PipelineOptions, type ProcessContext } from "../../../src/index.js";
import { ancestorsGraph } from "../../../src/graph/subgraph.js";
import { resolveRunner, type RunEvent, type TransformProgress } from "../../../src/sdk/runner.js";
import { tempDir } from "../../support/files.js";

const LINES = 200_000;

function corpus(): string {
  const file = join(tempDir("flowbook-early-"), "corpus.txt");
  let text = "";
  for (let i = 0; i < LINES; i++) text += `line ${i} of the corpus\n`;
  writeFileSync(file, text);
  return file;
}

class SplitFn extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>) {
    Metrics.counter("early", "lines").inc();
    for (const w of c.element().split(" ")) c.output(w);
  }
}

async function sample(p: Pipeline, id: string, n: number, options: PipelineOptions) {
  const r = resolveRunner("direct").run({ graph: ancestorsGraph(p.toJSON(), [id]), options, collect: { [id]: n } });
  const events: RunEvent[] = [];
  r.onEvent!((e) => events.push(e));
  expect(await r.waitUntilFinish()).toBe("DONE");
  const lines = r.metrics().queryMetrics({ namespace: "early" }).counters.reduce((s, c) => s + c.committed, 0);
  // Each transform's final counts: its last progress report.
  const progress = new Map<string, TransformProgress>();
  for (const e of events) if (e.kind === "progress") for (const t of e.transforms) progress.set(t.transform, t);
  return { sample: r.collected(id)!, lines, progress };
}

describe("early answers", () => {
  for (const options of [{ parallelism: 2, inProcess: false }, { inProcess: true }] as PipelineOptions[]) {
    it(`a sample right after a source's ParDo stops reading once it has n elements (${JSON.stringify(options)})`, async () => {
      const file = corpus();
      const p = Pipeline.create(options);
      const words = p.apply(TextIO.read().from(file)).apply("Split", ParDo.of(new SplitFn()));
      const { sample: s, lines } = await sample(p, words.id, 5, options);
      expect(s.elements.length).toBeGreaterThanOrEqual(5);
      expect(s.elements.slice(0, 5).map((e) => e.value)).toEqual(["line", "0", "of", "the", "corpus"]);
      expect(s.truncated).toBe(true);
      expect(s.total).toBeUndefined();
      // A few lines per task, not the 200 000 of the file.
      expect(lines).toBeLessThan(100);
    });
  }

  it("across tasks: once the tasks together have n, the stage's tasks not started are dropped", async () => {
    // Lines of one length, so that the source's byte splits (8 for 2 workers) cut at known lines:
    // 20 hits in the first split, 20 in the second, none after. Neither task alone has 30.
    const file = join(tempDir("flowbook-early-"), "hits.txt");
    let text = "";
    for (let i = 0; i < LINES; i++) text += `${i < 20 || (i >= 25_100 && i < 25_120) ? "hit " : "miss"} ${String(i).padStart(7, "0")}\n`;
    writeFileSync(file, text);
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const hits = p.apply(TextIO.read().from(file)).apply("Split", ParDo.of(new SplitFn())).apply("Hits", Filter.by((w: string) => w === "hit"));
    const { sample: s, lines } = await sample(p, hits.id, 30, { parallelism: 2, inProcess: false });
    expect(s.elements.length).toBe(40);
    expect(s.truncated).toBe(true);
    expect(s.total).toBeUndefined();
    // Fewer than all 8 splits were read: the tasks not started when the total reached n were
    // dropped. How many had started by then depends on the machine's scheduling (on an idle
    // machine, the two splits with hits and the two beside them: half the file).
    expect(lines).toBeLessThan(LINES);
  });

  for (const options of [{ parallelism: 2, inProcess: false }, { inProcess: true }] as PipelineOptions[]) {
    it(`behind a grouping, the whole input is read, and the grouping's reading stage stops once it emitted n groups (${JSON.stringify(options)})`, async () => {
      const file = corpus();
      const p = Pipeline.create(options);
      const counts = p.apply(TextIO.read().from(file)).apply("Split", ParDo.of(new SplitFn())).apply(Count.perElement());
      const { sample: s, lines, progress } = await sample(p, counts.id, 5, options);
      // Every line reached the grouping: a group is complete only once every writer is done.
      expect(lines).toBe(LINES);
      expect(progress.get("Split")?.elementsOut).toBe(LINES * 5);
      expect(s.elements.length).toBeGreaterThanOrEqual(5);
      expect(s.truncated).toBe(true);
      expect(s.total).toBeUndefined();
      // 200 004 distinct words, 200 004 groups; each reading task stopped at its fifth.
      const tasks = Number(options.parallelism ?? 1);
      const emitted = progress.get("Count.PerElement/Combine.perKey")?.elementsOut ?? -1;
      expect(emitted).toBeGreaterThanOrEqual(5);
      expect(emitted).toBeLessThanOrEqual(5 * tasks);
      for (const e of s.elements) expect((e.value as { value: number }).value).toBeGreaterThanOrEqual(1);
    });
  }

  it("behind a GroupByKey (its group-also-by-window reader), the reading stage stops once it emitted n groups", async () => {
    const file = corpus();
    const p = Pipeline.create({ inProcess: true });
    const groups = p
      .apply(TextIO.read().from(file))
      .apply("Split", ParDo.of(new SplitFn()))
      .apply("Pair", MapElements.via((w: string) => KV.of(w, 1)))
      .apply("Group", GroupByKey.create<string, number>());
    const { sample: s, lines, progress } = await sample(p, groups.id, 5, { inProcess: true });
    expect(lines).toBe(LINES);
    expect(s.elements).toHaveLength(5);
    expect(s.truncated).toBe(true);
    expect(s.total).toBeUndefined();
    expect(progress.get("Group")?.elementsOut).toBe(5);
  });

  it("behind a GroupByKey, a sample of fewer groups than n has every group and its total", async () => {
    const file = corpus();
    const p = Pipeline.create({ inProcess: true });
    const counts = p.apply(TextIO.read().from(file)).apply("Split", ParDo.of(new SplitFn())).apply("Few", Filter.by((w: string) => w === "of" || w === "corpus")).apply(Count.perElement());
    const { sample: s } = await sample(p, counts.id, 5, { inProcess: true });
    expect(s.elements.map((e) => e.value).sort((a, b) => String((a as { key: string }).key).localeCompare((b as { key: string }).key))).toEqual([
      { key: "corpus", value: LINES },
      { key: "of", value: LINES },
    ]);
    expect(s.truncated).toBe(false);
    expect(s.total).toBe(2);
  });

  it("a sample of a PCollection smaller than n has its total and is not truncated", async () => {
    const file = corpus();
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const few = p.apply(TextIO.read().from(file)).apply("Split", ParDo.of(new SplitFn())).apply("Few", Filter.by((w: string) => w === "199999"));
    const { sample: s, lines } = await sample(p, few.id, 5, { parallelism: 2, inProcess: false });
    expect(lines).toBe(LINES);
    expect(s.elements.map((e) => e.value)).toEqual(["199999"]);
    expect(s.truncated).toBe(false);
    expect(s.total).toBe(1);
  });
});
