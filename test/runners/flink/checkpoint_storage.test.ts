/**
 * Checkpoints of STREAMING jobs go to the file system, on a real cluster this file starts
 * (port 18271, `FLOWBOOK_FLINK_CHECKPOINT_TEST_PORT`).
 *
 * Flink's default checkpoint storage is the JobManager's heap, at most 5 MB a state: a job
 * whose windows hold more failed every checkpoint ("Size of the state is larger than the
 * maximum permitted memory-backed state"; Nexmark Q5 unbounded at 1M events). The clusters
 * flowbook starts checkpoint into `checkpoints/` under their data dir; `flinkCheckpointDir`
 * moves one job's checkpoints elsewhere.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Count, Duration, FixedWindows, GenerateSequence, GroupByKey, KV, MapElements, PAssert, TestPipeline, Window, type PipelineOptions } from "../../../src/index.js";
import type { FlinkPipelineResult } from "../../../src/runners/flink/flink_runner.js";
import { clusterLayout } from "../../../src/runners/flink/cluster/layout.js";
import { FlinkRestClient } from "../../../src/runners/flink/rest/client.js";
import { translate } from "../../../src/runners/flink/translators/translate.js";
import { startTestCluster, type TestCluster } from "./fixture.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_CHECKPOINT_TEST_PORT ?? 18271);
let cluster: TestCluster;
let work: string;

interface CheckpointStats {
  counts: { completed: number; failed: number; in_progress: number };
  latest: { completed: { external_path?: string } | null };
  history: { id: number; status: string; state_size?: number; failure_message?: string }[];
}

/**
 * Failures that are no fault of the storage: the job's end ("Checkpoint Coordinator is
 * suspending"), and a checkpoint triggered while a task was finishing (a bounded branch such
 * as PAssert's expected values, or the source at its end: "unknown task", "tasks not
 * ready", "task is closing", "Not all required tasks…"). Anything else, such as
 * memory-backed storage refusing a big state ("Asynchronous task checkpoint failed": the
 * TaskManager logs "Size of the state is larger than the maximum permitted…"), fails the test.
 */
const LIFECYCLE_FAILURE = /Checkpoint Coordinator is suspending|received a checkpoint request for unknown task|declined \((tasks not ready|task is closing)\)|Not all required tasks are currently running/;

function expectCheckpointsOk(stats: CheckpointStats): void {
  expect(stats.counts.completed, JSON.stringify(stats.history)).toBeGreaterThan(0);
  const failed = stats.history
    .filter((h) => h.status === "FAILED" && !LIFECYCLE_FAILURE.test(h.failure_message ?? ""))
    .map((h) => `checkpoint ${h.id}: ${h.failure_message ?? "(no message)"}`);
  expect(failed, "checkpoints failed").toEqual([]);
}

/**
 * `n` numbers generated at `rate` a second, keyed by `i % keys` with a 200-character value,
 * grouped in one day-long window (held until the sequence ends): with 160 000 numbers each of
 * the 2 grouping subtasks holds ~17 MB of elements, past 5 MB a third of the way in. Asserts
 * every key's group is whole: `keys` groups of n / keys values each.
 */
function bigStatePipeline(options: PipelineOptions, n: number, rate: number, keys: number): TestPipeline {
  const p = TestPipeline.create(options);
  const pad = "x".repeat(200);
  const sizes = p
    .apply("Numbers", GenerateSequence.from(0).to(n).withRate(rate, Duration.seconds(1)))
    .apply("Day", Window.into<number>(FixedWindows.of(Duration.days(1))))
    .apply("Key", MapElements.via((i: number) => KV.of(i % keys, `${pad}${i}`)))
    .apply("Group", GroupByKey.create<number, string>())
    .apply("Size", MapElements.via((kv: KV<number, string[]>) => kv.value.length))
    .apply("CountSizes", Count.perElement<number>());
  PAssert.that(sizes).containsInAnyOrder(KV.of(n / keys, keys));
  return p;
}

async function checkpointStats(jobId: string): Promise<CheckpointStats> {
  return new FlinkRestClient(PORT).request<CheckpointStats>("GET", `/jobs/${encodeURIComponent(jobId)}/checkpoints`);
}

describe("checkpoint storage of STREAMING jobs on Flink", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT, 4);
    work = mkdtempSync(join(tmpdir(), "flowbook-checkpoints-"));
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("plans flinkCheckpointDir as a file:// URI, refuses a relative one, leaves the cluster's setting alone without it", () => {
    const p = bigStatePipeline(cluster.options, 10, 10, 5);
    expect(translate(p.toJSON(), cluster.options).plan.checkpoint).toEqual({ intervalMs: 10_000 });
    expect(translate(p.toJSON(), { ...cluster.options, flinkCheckpointDir: "/data/cp" }).plan.checkpoint).toEqual({ intervalMs: 10_000, dir: "file:///data/cp" });
    expect(translate(p.toJSON(), { ...cluster.options, flinkCheckpointDir: "s3://bucket/cp" }).plan.checkpoint?.dir).toBe("s3://bucket/cp");
    expect(() => translate(p.toJSON(), { ...cluster.options, flinkCheckpointDir: "cp" })).toThrow(/flinkCheckpointDir must be an absolute path or a URI .* got "cp"/);
  });

  it("a job whose windows hold more than 5 MB completes its checkpoints, into the cluster's checkpoints/ dir, with the right result", async () => {
    const r = bigStatePipeline({ ...cluster.options, flinkCheckpointIntervalMs: 1000 }, 160_000, 16_000, 40_000).run() as FlinkPipelineResult;
    await expect(r.waitUntilFinish(300_000)).resolves.toBe("DONE");
    const stats = await checkpointStats(r.jobId!);
    expectCheckpointsOk(stats);
    // The cluster's own directory (config.ts), not the JobManager's memory ("<checkpoint-persisted-in-memory>" or the like).
    const dir = pathToFileURL(clusterLayout(cluster.info.home, PORT).checkpointsDir).href;
    expect(stats.latest.completed?.external_path?.replace(/^file:\/(?!\/)/, "file:///")).toContain(dir);
    // Some completed checkpoint held more than memory-backed storage allows (5 MB a state).
    const biggest = Math.max(...stats.history.filter((h) => h.status === "COMPLETED").map((h) => h.state_size ?? 0));
    expect(biggest, "a completed checkpoint above 5 MB").toBeGreaterThan(5 * 1024 * 1024);
  }, 360_000);

  it("flinkCheckpointDir puts one job's checkpoints in its own directory", async () => {
    const own = join(work, "own-checkpoints");
    const r = bigStatePipeline({ ...cluster.options, flinkCheckpointIntervalMs: 300, flinkCheckpointDir: own }, 4_000, 1_000, 100).run() as FlinkPipelineResult;
    await expect(r.waitUntilFinish(300_000)).resolves.toBe("DONE");
    const stats = await checkpointStats(r.jobId!);
    expectCheckpointsOk(stats);
    expect(stats.latest.completed?.external_path?.replace(/^file:\/(?!\/)/, "file:///")).toContain(pathToFileURL(own).href);
    // Flink keeps the job's directory (<dir>/<job id>/shared, taskowned) once it finished.
    expect(existsSync(join(own, r.jobId!)), readdirSync(own).join(",")).toBe(true);
  }, 360_000);
});
