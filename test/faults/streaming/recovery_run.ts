/**
 * One fault run: the windowed job (job.ts) on the fault cluster, and once its sink has
 * committed a checkpoint's files, after a random delay, one fault —
 *
 * - `worker`: `kill -9` of one of the Node workers a TaskManager started (picked at random);
 * - `taskmanager`: `kill -9` of a TaskManager running the job, then a new one started;
 *
 * then the job must finish on its own (Flink restarts it from the last checkpoint), with a
 * failover in its exception history, each window result written once and none lost, and no
 * temporary file left.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FlinkPipelineResult } from "../../../src/runners/flink/flink_runner.js";
import { FlinkRestClient } from "../../../src/runners/flink/rest/client.js";
import { rng } from "../../support/random.js";
import { restartTaskManagers, taskManagerPids, workerPids, type FaultCluster } from "./cluster.js";
import { committedFraction, finalFiles, verify, windowedSumPipeline, type JobShape, type Verdict } from "./job.js";

export type FaultKind = "worker" | "taskmanager";

export interface RunReport {
  kind: FaultKind;
  seed: number;
  /** The share of the input (by the window sums) to be committed before the kill, and what was when it came. */
  target?: number;
  atKill?: number;
  /** ms from submission's first look to the kill. */
  delayMs: number;
  killed: string;
  /** Failures in the job's exception history (at least the one caused). */
  failovers: number;
  state: string;
  verdict?: Verdict;
  /** Files left in the sink's temporary directory after the job. */
  leftTemp: string[];
  error?: string;
  ms: number;
}

export const DEFAULT_SHAPE: JobShape = { n: 3000, rate: 200 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function recoveryRun(cluster: FaultCluster, kind: FaultKind, seed: number, shape: JobShape = DEFAULT_SHAPE, log: (s: string) => void = () => {}): Promise<RunReport> {
  const t0 = Date.now();
  const random = rng(seed);
  const out = mkdtempSync(join(tmpdir(), `flowbook-recovery-${kind}-`));
  const report: RunReport = { kind, seed, delayMs: 0, killed: "", failovers: 0, state: "", leftTemp: [], ms: 0 };
  const p = windowedSumPipeline({ ...cluster.options, parallelism: 2, flinkCheckpointIntervalMs: 300, flinkRestartAttempts: 20 }, shape, out);
  const r = p.run() as FlinkPipelineResult;
  try {
    // A submission that fails never gives a job id: its failure ends the wait instead.
    const jobId = await Promise.race([r.jobIdPromise, r.waitUntilFinish().then((s) => Promise.reject(new Error(`the run ended ${s} before its job started`)))]);
    // In the middle of its windows: once the committed window results cover a random share
    // (10–60 %) of the input.
    report.target = 0.1 + random() * 0.5;
    const deadline = Date.now() + 90_000;
    const t1 = Date.now();
    while ((report.atKill = committedFraction(shape, out)) < report.target) {
      if (r.state !== "RUNNING") throw new Error(`the job ended (${r.state}) before committing ${(report.target * 100).toFixed(0)} % of its input`);
      if (Date.now() > deadline) throw new Error(`committed ${(report.atKill * 100).toFixed(0)} % of the input in 90 s`);
      await sleep(20);
    }
    if (report.atKill >= 0.95) throw new Error(`the window results came all at once (${(report.atKill * 100).toFixed(0)} % committed at the first look): nothing to kill in the middle of`);
    report.delayMs = Date.now() - t1;
    const tms = taskManagerPids(cluster.port).filter((tm) => workerPids(tm).length > 0);
    if (tms.length === 0) throw new Error("no TaskManager runs a Node worker of the job");
    const tm = tms[Math.floor(random() * tms.length)]!;
    if (kind === "worker") {
      const workers = workerPids(tm);
      const w = workers[Math.floor(random() * workers.length)]!;
      process.kill(w, "SIGKILL");
      report.killed = `Node worker ${w} of TaskManager ${tm}`;
    } else {
      process.kill(tm, "SIGKILL");
      report.killed = `TaskManager ${tm}`;
      // Gone before the restart looks for missing TaskManagers (else it still counts this one).
      for (let i = 0; i < 200 && taskManagerPids(cluster.port).includes(tm); i++) await sleep(50);
      const restarted = await restartTaskManagers(cluster.port);
      if (restarted.length !== 1) throw new Error(`after killing TaskManager ${tm}, ${restarted.length} TaskManager(s) were started again, not 1`);
      report.killed += `, TaskManager #${restarted[0]} started again`;
    }
    log(`  ${kind} seed ${seed}: killed ${report.killed} with ${((report.atKill ?? 0) * 100).toFixed(0)} % of the input committed (${finalFiles(out).length} file(s))`);
    report.state = await r.waitUntilFinish(180_000);
    const ex = await new FlinkRestClient(cluster.port).jobExceptions(jobId, 20);
    report.failovers = ex.exceptionHistory?.entries?.length ?? 0;
    report.verdict = verify(shape, out);
    report.leftTemp = readdirSync(out).filter((f) => f.startsWith("."));
  } catch (e) {
    report.error = (e as Error).message;
    await r.cancel().catch(() => undefined);
  } finally {
    report.ms = Date.now() - t0;
    if (!report.error && report.verdict?.ok && report.leftTemp.length === 0) rmSync(out, { recursive: true, force: true });
    else report.error = `${report.error ?? "wrong output"} (kept in ${out})`;
  }
  return report;
}

/** A run passed: finished, failed over at least once, every window result once, nothing left behind. */
export function passed(r: RunReport): boolean {
  return !r.error && r.state === "DONE" && r.failovers >= 1 && r.verdict?.ok === true && r.leftTemp.length === 0;
}

export function describeRun(r: RunReport): string {
  const v = r.verdict;
  const what = v ? `${v.lines} window results in ${v.files} files${v.duplicated.length ? `, DUPLICATED ${v.duplicated.join(" ")}` : ""}${v.totals.some((t) => t.want !== t.got) ? `, TOTALS ${v.totals.map((t) => `${t.key} ${t.got}/${t.want}`).join(" ")}` : ""}` : "";
  return `${passed(r) ? "ok  " : "FAIL"} ${r.kind} seed ${r.seed}: ${r.killed || "nothing killed"} at ${((r.atKill ?? 0) * 100).toFixed(0)} % committed; ${r.failovers} failover(s); ${r.state || "-"}; ${what}${r.leftTemp.length ? `; left ${r.leftTemp.join(" ")}` : ""}${r.error ? `; ${r.error}` : ""} (${(r.ms / 1000).toFixed(1)} s)`;
}
