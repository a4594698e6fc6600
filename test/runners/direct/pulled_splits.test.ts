/**
 * A source stage that only feeds shuffles reads many small splits (for balance on a busy
 * machine), but each thread's task pulls split after split from the coordinator, as Flink's
 * source tasks do: one bundle per thread, so one combiner table and one sorted run per thread
 * rather than per split (issue 13, point 5). A stage that writes files keeps a task per split.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Count, DoFn, Metrics, PAssert, ParDo, Pipeline, TextIO, type PipelineOptions, type ProcessContext } from "../../../src/index.js";
import { listFiles, tempDir, writeFiles } from "../../support/files.js";

/** Twelve files (twelve splits at least), each line a word; `w<i>` appears i+1 times over all. */
function manyFiles(): { glob: string; expected: string[] } {
  const dir = tempDir("flowbook-pull-");
  const files: Record<string, string> = {};
  const expected: string[] = [];
  for (let f = 0; f < 12; f++) files[`f${f}.txt`] = "";
  for (let i = 0; i < 40; i++) {
    for (let k = 0; k <= i; k++) files[`f${(i + k) % 12}.txt`] += `w${i}\n`;
    expected.push(`w${i}:${i + 1}`);
  }
  writeFiles(dir, files);
  return { glob: join(dir, "*.txt"), expected };
}

/** Passes lines on and counts its bundles (startBundle: one per task). */
class Bundles extends DoFn<string, string> {
  private readonly bundles = Metrics.counter("pull", "bundles");
  override startBundle(): void {
    this.bundles.inc();
  }
  processElement(c: ProcessContext<string, string>): void {
    c.output(c.element());
  }
}

const MODES: Array<{ options: PipelineOptions; threads: number }> = [
  { options: { inProcess: true }, threads: 1 },
  { options: { parallelism: 2, inProcess: false }, threads: 2 },
];

describe("a source stage feeding only shuffles", () => {
  for (const { options, threads } of MODES) {
    it(`reads every split once, in at most one task per thread (${JSON.stringify(options)})`, async () => {
      const { glob, expected } = manyFiles();
      const p = Pipeline.create(options);
      const counts = p
        .apply("Read", TextIO.read().from(glob))
        .apply("Bundles", ParDo.of(new Bundles()))
        .apply(Count.perElement())
        .apply("Format", ParDo.of((kv: { key: string; value: number }, c: ProcessContext<{ key: string; value: number }, string>) => c.output(`${kv.key}:${kv.value}`)));
      PAssert.that(counts).containsInAnyOrder(...expected);
      const r = p.run();
      expect(await r.waitUntilFinish()).toBe("DONE");
      const bundles = r.metrics().queryMetrics({ namespace: "pull", name: "bundles" }).counters.reduce((s, c) => s + c.committed, 0);
      expect(bundles).toBeGreaterThanOrEqual(1);
      expect(bundles).toBeLessThanOrEqual(threads);
    });
  }

  it("a stage that writes files still writes one shard per split", async () => {
    const { glob } = manyFiles();
    const out = tempDir("flowbook-pull-out-");
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    p.apply("Read", TextIO.read().from(glob)).apply("Bundles", ParDo.of(new Bundles())).apply(TextIO.write().to(join(out, "lines")));
    const r = p.run();
    expect(await r.waitUntilFinish()).toBe("DONE");
    const bundles = r.metrics().queryMetrics({ namespace: "pull", name: "bundles" }).counters.reduce((s, c) => s + c.committed, 0);
    expect(bundles).toBe(listFiles(out).length);
    expect(bundles).toBeGreaterThanOrEqual(2);
  });
});
