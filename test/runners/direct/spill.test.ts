/**
 * Memory bounded by a budget (issue 13, point 3): with a budget of a few bytes every shuffle,
 * group and combiner table spills to disk, and the results are those of a run that keeps
 * everything in memory; the run's spill directory exists while it runs and is gone after
 * success, failure and cancel.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  Count, Create, Duration, GroupByKey, KV, MapElements, Pipeline, Sessions, Sum, TextIO, Window, WithTimestamps,
  type PipelineOptions, type PipelineResult,
} from "../../../src/index.js";
import { SPILL_DIR_PREFIX } from "../../../src/runners/harness/shuffle/spill_dir.js";
import { tempDir } from "../../support/files.js";
import { failure } from "../../support/runs.js";
import { rng } from "../../support/random.js";

/** A budget of about a kilobyte shared by the threads: every writer spills, and often. */
const TINY: PipelineOptions = { memoryBudgetMb: 1e-3 };

const WORDS = (() => {
  const r = rng(7);
  const vocab = Array.from({ length: 400 }, (_, i) => `w${Math.floor(r() * 1e5).toString(36)}${i}`);
  return Array.from({ length: 6000 }, () => vocab[Math.floor(r() * r() * vocab.length)]!);
})();

/** This process's spill directories and the files in them, now. */
function spillFiles(): { dirs: string[]; files: number } {
  const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith(`${SPILL_DIR_PREFIX}${process.pid}-`));
  return { dirs, files: dirs.reduce((n, d) => n + (existsSync(path.join(tmpdir(), d)) ? readdirSync(path.join(tmpdir(), d)).length : 0), 0) };
}

function readLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith("."))
    .flatMap((f) => readFileSync(path.join(dir, f), "utf8").split("\n").filter((l) => l !== ""))
    .sort();
}

/** GroupByKey, lifted combines (Count.perElement, Sum.perKey) and sessions, each into a 3-shard (reshuffled) sink. */
function build(options: PipelineOptions, out: string): Pipeline {
  const p = Pipeline.create({ parallelism: 2, ...options });
  const words = p.apply(Create.of(...WORDS));
  words
    .apply("Pair", MapElements.via((w: string) => KV.of(w, w.length)))
    .apply(GroupByKey.create<string, number>())
    .apply("FormatGroups", MapElements.via((kv: KV<string, number[]>) => `${kv.key} ${kv.value.length} ${kv.value.reduce((a, b) => a + b, 0)}`))
    .apply("WriteGroups", TextIO.write().to(path.join(out, "groups/part")).withNumShards(3));
  words
    .apply(Count.perElement())
    .apply("FormatCounts", MapElements.via((kv: KV<string, number>) => `${kv.key} ${kv.value}`))
    .apply("WriteCounts", TextIO.write().to(path.join(out, "counts/part")).withNumShards(3));
  words
    .apply("Letters", MapElements.via((w: string) => KV.of(w[1]!, w.length)))
    .apply(Sum.integersPerKey())
    .apply("FormatSums", MapElements.via((kv: KV<string, number>) => `${kv.key} ${kv.value}`))
    .apply("WriteSums", TextIO.write().to(path.join(out, "sums/part")).withNumShards(3));
  words
    .apply("Stamp", WithTimestamps.of((_w: string) => 0))
    .apply("Index", MapElements.via((w: string) => KV.of(w.slice(0, 2), w.length)))
    .apply("Spread", MapElements.via((kv: KV<string, number>) => KV.of(kv.key, kv.value)))
    .apply("Sessions", Window.into(Sessions.withGapDuration(Duration.seconds(10))))
    .apply("GroupSessions", GroupByKey.create<string, number>())
    .apply("FormatSessions", MapElements.via((kv: KV<string, number[]>) => `${kv.key} ${kv.value.length} ${kv.value.reduce((a, b) => a + b, 0)}`))
    .apply("WriteSessions", TextIO.write().to(path.join(out, "sessions/part")).withNumShards(3));
  return p;
}

function outputs(out: string): Record<string, string[]> {
  return Object.fromEntries(["groups", "counts", "sums", "sessions"].map((d) => [d, readLines(path.join(out, d))]));
}

/** Runs, recording the most spill files seen at any stage's end. */
async function runWatching(p: Pipeline, onStage?: (r: PipelineResult) => void): Promise<{ result: PipelineResult; most: number }> {
  const result = p.run();
  let most = 0;
  result.onEvent((e) => {
    if (e.kind !== "stage-finished") return;
    most = Math.max(most, spillFiles().files);
    onStage?.(result);
  });
  return { result, most: await result.waitUntilFinish().then(() => most, () => most) };
}

describe("a memory budget", () => {
  it("spills shuffles, groups, combiner tables and reshuffles, with the results of a run in memory", async () => {
    const inMemory = tempDir();
    await build({}, inMemory).run().waitUntilFinish();
    const spilled = tempDir();
    const { result, most } = await runWatching(build(TINY, spilled));
    expect(result.state).toBe("DONE");
    expect(most).toBeGreaterThan(10);
    const want = outputs(inMemory);
    expect(want.groups.length).toBeGreaterThan(100);
    expect(want.sessions.length).toBeGreaterThan(10);
    expect(outputs(spilled)).toEqual(want);
    expect(spillFiles().dirs).toEqual([]);
  }, 120_000);

  it("removes the spill directory when the run fails", async () => {
    const p = Pipeline.create({ parallelism: 2, ...TINY });
    p.apply(Create.of(...WORDS))
      .apply("Pair", MapElements.via((w: string) => KV.of(w, 1)))
      .apply(GroupByKey.create<string, number>())
      .apply("Fail", MapElements.via((kv: KV<string, number[]>) => {
        if (kv.value.length > 0) throw new Error("no groups wanted");
        return kv.key;
      }));
    let most = 0;
    const r = p.run();
    r.onEvent((e) => {
      if (e.kind === "stage-finished") most = Math.max(most, spillFiles().files);
    });
    expect((await failure(r)).message).toContain("no groups wanted");
    expect(most).toBeGreaterThan(0);
    expect(spillFiles().dirs).toEqual([]);
  }, 120_000);

  it("removes the spill directory when the run is cancelled", async () => {
    const p = Pipeline.create({ parallelism: 2, ...TINY });
    p.apply(Create.of(...WORDS))
      .apply("Pair", MapElements.via((w: string) => KV.of(w, 1)))
      .apply(GroupByKey.create<string, number>())
      .apply("Slow", MapElements.via((kv: KV<string, number[]>) => {
        const until = Date.now() + 20;
        while (Date.now() < until);
        return kv.key;
      }));
    let seen = 0;
    const { result } = await runWatching(p, (r) => {
      seen = Math.max(seen, spillFiles().files);
      void r.cancel();
    });
    expect(result.state).toBe("CANCELLED");
    expect(seen).toBeGreaterThan(0);
    expect(spillFiles().dirs).toEqual([]);
  }, 120_000);

  it("refuses a budget that is not a positive number, naming the option", () => {
    const p = Pipeline.create({ memoryBudgetMb: -1 });
    p.apply(Create.of(1));
    expect(() => p.run()).toThrow(/memoryBudgetMb option must be a positive number of MiB, got -1/);
  });
});
