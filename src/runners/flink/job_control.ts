/**
 * Stopping a Flink job with a savepoint, and resuming a pipeline from one, over Flink's REST
 * API. The user's side is small:
 *
 * - `await result.stop({ savepointDir })` on a running Flink pipeline: Flink takes a savepoint
 *   into `savepointDir` (a directory every TaskManager and the JobManager can write; a local
 *   cluster: any absolute path), then ends the job (its file sinks commit what the savepoint
 *   holds); resolves with the savepoint's path, and the pipeline's state is STOPPED.
 * - `Pipeline.create({ runner: "flink", fromSavepoint: path })` (`flowbook run --from-savepoint
 *   PATH`): the job starts from that savepoint's state (sources' positions, windows' contents,
 *   pending files). Operators are matched by their uids, which follow the plan's operators, so
 *   the same pipeline resumes; a changed one may be refused by Flink, naming the operator.
 *
 * REST: `POST /jobs/:id/stop {targetDirectory, drain: false}` → a trigger id, polled at
 * `GET /jobs/:id/savepoints/:triggerId` until COMPLETED (`operation.location`, or
 * `operation.failure-cause`); submission passes `savepointPath` to `/jars/:id/run`.
 */
import { isAbsolute } from "node:path";
import { FlinkRestError, type FlinkRestClient, type RunJarRequest } from "./rest/client.js";

export interface StopOptions {
  /** Where Flink writes the savepoint: an absolute path or a `file://`, `s3://`, … URI. */
  savepointDir: string;
  /** Give up waiting for the savepoint after this many ms (default 120 000); the job then still runs. */
  timeoutMs?: number;
}

/** What `fromSavepoint` adds to a run request. */
export function restoreRequest(fromSavepoint: string | undefined): Pick<RunJarRequest, "savepointPath"> {
  if (fromSavepoint === undefined || fromSavepoint === "") return {};
  checkLocation(fromSavepoint, "fromSavepoint");
  return { savepointPath: fromSavepoint };
}

/**
 * A submission from a savepoint that Flink refused (no such savepoint, state no operator of
 * the job takes): the savepoint and Flink's innermost reason, instead of its wrapping.
 */
export function restoreError(e: unknown, fromSavepoint: string | undefined): unknown {
  if (!fromSavepoint || !(e instanceof FlinkRestError)) return e;
  const text = e.details;
  if (!/savepoint|restore|checkpoint/i.test(text)) return e;
  const reasons = text.split("\n").map((l) => l.trim()).filter((l) => /^(Caused by: )?[\w.$]+(Exception|Error)\b/.test(l)).map((l) => l.replace(/^Caused by: /, "").replace(/^[\w.$]+(Exception|Error): /, ""));
  return new Error(`the Flink job cannot start from the savepoint ${fromSavepoint}: ${reasons.at(-1) ?? e.message}`, { cause: e });
}

function checkLocation(where: string, option: string): void {
  // Flink writes savepoint locations as "file:/dir/savepoint-…" (one slash).
  if (!isAbsolute(where) && !/^[a-z][a-z0-9+.-]*:\//i.test(where)) {
    throw new Error(`${option} must be an absolute path or a URI (the Flink cluster resolves it, not this process): ${JSON.stringify(where)}`);
  }
}

interface SavepointStatus {
  status: { id: "IN_PROGRESS" | "COMPLETED" };
  operation?: { location?: string; "failure-cause"?: { "stack-trace"?: string; "serialized-throwable"?: string } };
}

/**
 * Stops job `jobId` with a savepoint in `options.savepointDir`; resolves with the savepoint's
 * location once Flink wrote it (the job then finishes). Rejects with Flink's reason if the
 * savepoint failed (the job keeps running then).
 */
export async function stopWithSavepoint(client: FlinkRestClient, jobId: string, options: StopOptions): Promise<string> {
  checkLocation(options.savepointDir, "savepointDir");
  const timeoutMs = options.timeoutMs ?? 120_000;
  let trigger: { "request-id": string };
  try {
    trigger = await client.request("POST", `/jobs/${encodeURIComponent(jobId)}/stop`, { targetDirectory: options.savepointDir, drain: false });
  } catch (e) {
    if (e instanceof FlinkRestError && e.isNotFound) throw new Error(`cannot stop Flink job ${jobId}: the cluster does not know it (already over?)`, { cause: e });
    throw e;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await client.request<SavepointStatus>("GET", `/jobs/${encodeURIComponent(jobId)}/savepoints/${encodeURIComponent(trigger["request-id"])}`);
    if (s.status.id === "COMPLETED") {
      const location = s.operation?.location;
      if (location) return location;
      const why = s.operation?.["failure-cause"]?.["stack-trace"] ?? "no reason given";
      throw new Error(`Flink job ${jobId}: the savepoint into ${options.savepointDir} failed, the job keeps running: ${savepointFailure(why)}`);
    }
    if (Date.now() > deadline) throw new Error(`Flink job ${jobId}: no savepoint into ${options.savepointDir} after ${timeoutMs} ms (the job keeps running)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The meaningful lines of a failed savepoint's stack trace: its exceptions' messages, innermost last. */
function savepointFailure(trace: string): string {
  const causes = trace.split("\n").map((l) => l.trim()).filter((l) => /^(Caused by: )?[\w.$]+(Exception|Error)\b/.test(l)).map((l) => l.replace(/^Caused by: /, ""));
  return causes.length ? causes.slice(-2).join(" ← ") : trace.split("\n")[0]!;
}

// --- stopping on a signal (`flowbook run --savepoint-dir DIR`) ------------------------------------

let savepointDirOnCancel: string | undefined;
const taken: Array<{ jobId: string; savepoint: string }> = [];

/**
 * From now on, cancelling a running STREAMING Flink run of this process (Ctrl-C in
 * `flowbook run`, SIGTERM) stops it with a savepoint in `dir` instead; `undefined` restores
 * plain cancels. Set by the CLI when the signal arrives, so a script's own `cancel()` calls
 * before it are not affected.
 */
export function stopOnCancel(dir: string | undefined): void {
  if (dir !== undefined) checkLocation(dir, "--savepoint-dir");
  savepointDirOnCancel = dir;
}

/** The directory set by {@link stopOnCancel}, if any. */
export function cancelSavepointDir(): string | undefined {
  return savepointDirOnCancel;
}

/** Notes a savepoint a run of this process was stopped with (what the CLI prints at its end). */
export function noteSavepoint(jobId: string, savepoint: string): void {
  taken.push({ jobId, savepoint });
}

/** The savepoints runs of this process were stopped with, in order. */
export function savepointsTaken(): ReadonlyArray<{ jobId: string; savepoint: string }> {
  return taken;
}
