/**
 * Job control of streaming pipelines on a real cluster (issue 14, point 4; port 18212,
 * `FLOWBOOK_FLINK_SAVEPOINT_TEST_PORT`): `cancel()` stops a streaming job; `stop({
 * savepointDir })` stops it with a savepoint and the same pipeline with `fromSavepoint`
 * resumes it, so the two runs together write every window result once and lose none.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlinkPipelineResult } from "../../../src/runners/flink/flink_runner.js";
import { FlinkRestClient } from "../../../src/runners/flink/rest/client.js";
import { committedFraction, finalFiles, verify, watchFinalFiles, windowedSumPipeline, type JobShape } from "../../faults/streaming/job.js";
import { ROOT, WORKER_BUNDLE, startTestCluster, type TestCluster } from "./fixture.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_SAVEPOINT_TEST_PORT ?? 18212);
let cluster: TestCluster;
let work: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SHAPE: JobShape = { n: 2400, rate: 200 };
/** Longer: the CLI's start (a session, the worker) takes a few seconds of the job's time. */
const CLI_SHAPE: JobShape = { n: 4000, rate: 200 };

async function firstCommit(out: string, r: FlinkPipelineResult): Promise<void> {
  // Up to 90 s: a loaded machine starts a job's Node workers slowly.
  for (let i = 0; i < 1800 && finalFiles(out).length === 0; i++) {
    if (r.state !== "RUNNING") throw new Error(`the job is ${r.state} before committing a file`);
    await sleep(50);
  }
  expect(finalFiles(out).length, "a checkpoint's files were committed").toBeGreaterThan(0);
}

describe("stopping and resuming streaming jobs on Flink", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT, 4);
    work = mkdtempSync(join(tmpdir(), "flowbook-savepoint-"));
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("stop({ savepointDir }) stops the job with a savepoint; fromSavepoint resumes it: every window result once, none lost", async () => {
    const out = join(work, "resumed");
    const savepoints = join(work, "savepoints");
    const options = { ...cluster.options, flinkCheckpointIntervalMs: 300 };
    const watch = watchFinalFiles(out);
    const first = windowedSumPipeline(options, SHAPE, out).run() as FlinkPipelineResult;
    await firstCommit(out, first);
    const savepoint = await first.stop({ savepointDir: savepoints });
    expect(first.state).toBe("STOPPED");
    expect(await new FlinkRestClient(PORT).jobStatus(first.jobId!)).toBe("FINISHED");
    expect(savepoint).toContain(savepoints);
    expect(existsSync(savepoint.replace(/^file:/, ""))).toBe(true);
    // Stopped midway: some window results written, not all.
    const before = verify(SHAPE, out);
    expect(before.duplicated).toEqual([]);
    expect(before.totals.some((t) => t.got < t.want), "the first run did not read everything").toBe(true);
    // Nothing half-written left by the stop.
    expect(readdirSync(out).filter((f) => f.startsWith("."))).toEqual([]);

    const second = windowedSumPipeline({ ...options, fromSavepoint: savepoint }, SHAPE, out).run();
    await expect(second.waitUntilFinish(120_000)).resolves.toBe("DONE");
    const after = verify(SHAPE, out);
    expect(after, JSON.stringify(after)).toMatchObject({ ok: true, duplicated: [] });
    expect(watch.stop().rewritten, "no file changed once it had its final name").toEqual([]);
    expect(readdirSync(out).filter((f) => f.startsWith("."))).toEqual([]);
  }, 240_000);

  it("cancel() stops a streaming job: CANCELLED, its committed files whole, no temporary file left", async () => {
    const out = join(work, "cancelled");
    const r = windowedSumPipeline({ ...cluster.options, flinkCheckpointIntervalMs: 300 }, SHAPE, out).run() as FlinkPipelineResult;
    await firstCommit(out, r);
    await expect(r.cancel()).resolves.toBe("CANCELLED");
    expect(await new FlinkRestClient(PORT).jobStatus(r.jobId!)).toBe("CANCELED");
    const v = verify(SHAPE, out);
    expect(v.duplicated).toEqual([]);
    expect(v.totals.every((t) => t.got < t.want)).toBe(true);
    expect(readdirSync(out).filter((f) => f.startsWith("."))).toEqual([]);
    // Nothing is written after the cancel.
    const files = finalFiles(out);
    await sleep(1500);
    expect(finalFiles(out)).toEqual(files);
  }, 120_000);

  it("says what is wrong: stop on a finished run, a relative savepoint directory, a savepoint that does not exist", async () => {
    const out = join(work, "errors");
    const r = windowedSumPipeline({ ...cluster.options, flinkCheckpointIntervalMs: 300 }, { n: 20, rate: 1000 }, out).run() as FlinkPipelineResult;
    await expect(r.stop({ savepointDir: "relative/dir" })).rejects.toThrow(/savepointDir must be an absolute path or a URI/);
    await r.waitUntilFinish(60_000);
    await expect(r.stop({ savepointDir: join(work, "sp") })).rejects.toThrow(/cannot stop the pipeline with a savepoint: it is DONE/);
    const missing = join(work, "no-such-savepoint");
    const bad = windowedSumPipeline({ ...cluster.options, fromSavepoint: missing }, { n: 20, rate: 1000 }, join(work, "errors2")).run();
    const err = await bad.waitUntilFinish(60_000).then(() => undefined, (e: Error) => e);
    expect(err?.message).toContain(`the Flink job cannot start from the savepoint ${missing}: `);
  }, 120_000);

  it("flowbook run --savepoint-dir: Ctrl-C stops the job with a savepoint and prints how to resume; --from-savepoint resumes it", async () => {
    const out = join(work, "cli");
    const script = join(work, "windowed.ts");
    writeFileSync(
      script,
      `class FormatWindowSum extends DoFn<KV<string, number>, string> {
  processElement(c: ProcessContext<KV<string, number>, string>) { c.output(\`\${(c.window() as IntervalWindow).start},\${c.element().key},\${c.element().value}\`); }
}
const p = Pipeline.create({ parallelism: 2, flinkCheckpointIntervalMs: 300 });
p.apply(GenerateSequence.from(0).to(${CLI_SHAPE.n}).withRate(${CLI_SHAPE.rate}, Duration.seconds(1)))
  .apply(Window.into(FixedWindows.of(Duration.seconds(1))))
  .apply(MapElements.via((n: number) => KV.of(\`k\${n % 3}\`, n + 1)))
  .apply(Sum.integersPerKey())
  .apply(ParDo.of(new FormatWindowSum()))
  .apply(TextIO.write().to(${JSON.stringify(join(out, "sums"))}).withSuffix(".txt"));
await p.run().waitUntilFinish();
`,
    );
    const flowbook = (args: string[]) => {
      const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "run", script, "--runner", "flink", "--flinkMaster", `localhost:${PORT}`, ...args], {
        cwd: ROOT,
        env: { ...process.env, FLOWBOOK_FLINK_WORKER_COMMAND: WORKER_BUNDLE, FLOWBOOK_FLINK_BRIDGE_JAR: cluster.jar },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      return { child, exited, stderr: () => stderr };
    };
    const first = flowbook(["--savepoint-dir", join(work, "cli-savepoints")]);
    for (let i = 0; i < 1800 && finalFiles(out).length === 0; i++) await sleep(50);
    expect(finalFiles(out).length, `nothing committed; stderr: ${first.stderr()}`).toBeGreaterThan(0);
    const atSigint = committedFraction(CLI_SHAPE, out);
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(130);
    const m = /stopped with a savepoint: (\S+)\n  resume it: flowbook run \S+ --runner flink --from-savepoint (\S+)/.exec(first.stderr());
    expect(m, first.stderr()).not.toBeNull();
    expect(m![2]).toBe(m![1]);
    expect(verify(CLI_SHAPE, out).totals.some((t) => t.got < t.want), `stopped before the end (${(atSigint * 100).toFixed(0)} % committed at Ctrl-C); stderr: ${first.stderr()}`).toBe(true);

    const second = flowbook(["--from-savepoint", m![1]!]);
    expect(await second.exited, second.stderr()).toBe(0);
    const v = verify(CLI_SHAPE, out);
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, duplicated: [] });
  }, 240_000);
});
