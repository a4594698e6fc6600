/**
 * The Flink runner (`runner: "flink"`, `flinkMaster: "host:port"`): translates the
 * pipeline graph into a FlinkPlan, uploads the bridge jar to the cluster (once per cluster
 * and jar), runs it with the plan over Flink's REST API, and follows the job. Nothing but
 * the REST address is needed: results of show/collect come back as accumulators, errors
 * from the job's exceptions, metrics from accumulators.
 */
import { waitAtMost } from "../shared/wait.js";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { hostname } from "node:os";
import { gzipSync } from "node:zlib";
import type { PipelineGraph } from "../../graph/types.js";
import { ByteReader } from "../../sdk/coders/byte_io.js";
import { coderFromSpec } from "../../sdk/coders/coder.js";
import { WindowedValueCoder } from "../../sdk/coders/index.js";
import { MetricsAggregator, emptyUpdates, type MetricUpdates } from "../../sdk/metrics/metrics.js";
import { MetricResults } from "../../sdk/metrics/metric_results.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import { registerRunner, type CollectedSample, type LiveSampleBatch, type PipelineResult, type PipelineRunner, type PipelineState, type RunEvent, type RunRequest } from "../../sdk/runner.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import { windowFnFromSpec } from "../../sdk/windowing/window_fn.js";
import { UserCodeError } from "../shared/user_code_error.js";
import { flowbookRoot } from "./cluster/layout.js";
import type { FlinkPlan, FlinkWorkerConfig } from "./flink_plan.js";
import { FlinkRestClient, FlinkRestError, TERMINAL_JOB_STATES, type JobAccumulators, type JobDetails, type JobPlan, type JobState } from "./rest/client.js";
import { RunEventBus } from "../shared/run_events.js";
import { JobEvents } from "./run/job_events.js";
import { FlinkLiveSamples } from "./run/live_samples.js";
import { ClusterHealthWatch } from "./run/cluster_health.js";
import { translate, type Translation } from "./translators/translate.js";
import { cancelSavepointDir, noteSavepoint, restoreError, restoreRequest, stopWithSavepoint, type StopOptions } from "./job_control.js";
import type { ErrorBody } from "./worker/protocol.js";

export const BRIDGE_ENTRY_CLASS = "dev.flowbook.flink.Main";
export const DEFAULT_FLINK_MASTER = "localhost:8081";

/** Flink-specific pipeline options (beside the common ones in PipelineOptions). */
export interface FlinkRunnerOptions {
  /** The cluster's REST address, "host:port" (default localhost:8081). */
  flinkMaster?: string;
  /** The bridge jar (default $FLOWBOOK_FLINK_BRIDGE_JAR, else flink/bridge/target/flowbook-flink-bridge.jar). */
  flinkBridgeJar?: string;
  /**
   * How TaskManagers start Node workers: an argv array, or the path of a worker bundle
   * (run with `node`). Default: the worker bundled in the jar.
   */
  flinkWorkerCommand?: string[] | string;
  /** Extra environment for the workers. */
  flinkWorkerEnv?: Record<string, string>;
  /** Restart attempts after a task failure (a worker that died); default 3. */
  flinkRestartAttempts?: number;
  /**
   * STREAMING jobs (some PCollection unbounded): checkpoint every this many ms (default
   * 10 000; 0 turns checkpoints off). A restarted job resumes from the last checkpoint.
   * TestStream jobs checkpoint every 20 ms whatever this says (each event waits for one).
   */
  flinkCheckpointIntervalMs?: number;
  /**
   * STREAMING jobs: checkpoint into this directory (an absolute path or a URI such as
   * file:///… or s3://…, which the cluster's JobManager and TaskManagers resolve), on the file
   * system. Default: what the cluster's config says (clusters flowbook starts: `checkpoints/`
   * under the cluster's data dir).
   */
  flinkCheckpointDir?: string;
  /**
   * Start the job from this savepoint (a path `result.stop({ savepointDir })` returned, or
   * `flowbook run --from-savepoint PATH`): see job_control.ts.
   */
  fromSavepoint?: string;
  /** How long a job may run before waitUntilFinish() without a timeout gives up (default 1 h). */
  flinkJobTimeoutMs?: number;
  /** Bytes kept at most per collected PCollection (default 4 MiB). */
  flinkCollectMaxBytes?: number;
  /**
   * Live samples (show/chart of an unbounded PCollection): the address the TaskManagers
   * connect to to push a live PCollection's elements to this process (run/live_samples.ts).
   * Default: 127.0.0.1 when flinkMaster is on this machine, else this machine's host name.
   */
  flinkLiveSampleHost?: string;
  /**
   * Bytes of users' console output (console.log in DoFns, ConsoleIO) the job keeps for the
   * client (default 4 MiB; shared by all printing subtasks); further lines are counted as dropped.
   */
  flinkOutputMaxBytes?: number;
  /**
   * The largest element, in bytes (default 32 MiB): a longer text line fails the job naming the
   * file, a larger element a Node worker emits fails it naming the transform, each naming this
   * option; the TaskManager's task heap must hold about four times this
   * (`flowbook flink start --task-heap-mb N`).
   */
  flinkMaxElementBytes?: number;
}

/** The bridge's default of `plan.console.maxBytes`. */
export const DEFAULT_OUTPUT_MAX_BYTES = 4 << 20;

type Opts = PipelineOptions & FlinkRunnerOptions;

/** The bridge jar the runner uploads. */
export function bridgeJarPath(options: Opts = {}): string {
  return options.flinkBridgeJar ?? process.env.FLOWBOOK_FLINK_BRIDGE_JAR ?? join(flowbookRoot(), "flink/bridge/target/flowbook-flink-bridge.jar");
}

export function workerConfig(options: Opts): FlinkWorkerConfig | undefined {
  const cmd = options.flinkWorkerCommand ?? process.env.FLOWBOOK_FLINK_WORKER_COMMAND;
  const w: FlinkWorkerConfig = {};
  if (cmd !== undefined && cmd !== "") {
    if (Array.isArray(cmd)) w.command = cmd.map(String);
    else if (cmd.trim().startsWith("[")) w.command = JSON.parse(cmd) as string[];
    else w.command = [process.execPath, cmd];
  }
  if (options.flinkWorkerEnv) w.env = options.flinkWorkerEnv;
  return Object.keys(w).length ? w : undefined;
}

/** The plan as `Main` takes it: gzip, then base64. */
export function encodePlanArg(plan: FlinkPlan): string {
  return gzipSync(Buffer.from(JSON.stringify(plan), "utf8")).toString("base64");
}

// --- jar upload, once per cluster and jar -----------------------------------------------------

const uploaded = new Map<string, Promise<string>>();

function jarKey(client: FlinkRestClient, jar: string): string {
  const st = statSync(jar);
  return `${client.baseUrl}\u0000${jar}\u0000${st.size}\u0000${st.mtimeMs}`;
}

/** The cluster's id of the bridge jar, uploading it the first time (or again when `fresh`). */
export async function bridgeJarId(client: FlinkRestClient, jar: string, fresh = false): Promise<string> {
  if (!existsSync(jar)) {
    throw new Error(`the Flink bridge jar is missing: ${jar}. Build it with scripts/flink-setup.sh (or mvn -f flink/bridge/pom.xml package -DskipTests), or set flinkBridgeJar`);
  }
  const key = jarKey(client, jar);
  let p = fresh ? undefined : uploaded.get(key);
  if (!p) {
    p = client.uploadJar(jar, "flowbook-flink-bridge.jar");
    uploaded.set(key, p);
    p.catch(() => uploaded.delete(key));
  }
  return p;
}

/** Submits a plan (restoring the state of `fromSavepoint` if given); returns the job id. */
export async function submitPlan(client: FlinkRestClient, plan: FlinkPlan, jar: string, fromSavepoint?: string): Promise<string> {
  const request = { entryClass: BRIDGE_ENTRY_CLASS, programArgsList: ["--plan-base64", encodePlanArg(plan)], ...restoreRequest(fromSavepoint) };
  let jarId = await bridgeJarId(client, jar);
  try {
    return await client.runJar(jarId, request);
  } catch (e) {
    // The cluster restarted and forgot our jar: upload it again, once.
    if (e instanceof FlinkRestError && e.status === 404 || (e instanceof FlinkRestError && /jar file .* does not exist|Could not find jar/i.test(e.details))) {
      jarId = await bridgeJarId(client, jar, true);
      return client.runJar(jarId, request);
    }
    throw restoreError(planError(e), fromSavepoint);
  }
}

/** Flink's plan for the job of a FlinkPlan (`POST /jars/:id/plan`), without running it. */
export async function flinkJobPlan(client: FlinkRestClient, plan: FlinkPlan, jar: string): Promise<JobPlan> {
  const jarId = await bridgeJarId(client, jar);
  return client.jarPlan(jarId, { entryClass: BRIDGE_ENTRY_CLASS, programArgsList: ["--plan-base64", encodePlanArg(plan)] });
}

/** A refused plan: the bridge's PlanException message, not Flink's wrapping. */
function planError(e: unknown): unknown {
  if (!(e instanceof FlinkRestError)) return e;
  const m = /PlanException: ([^\n]+)/.exec(e.details) ?? /No files matched spec: [^\n]+/.exec(e.details);
  if (!m) return e;
  const err = new Error(`the Flink bridge refused the plan: ${m[1] ?? m[0]}`);
  (err as Error & { cause?: unknown }).cause = e;
  return err;
}

// --- results --------------------------------------------------------------------------------

const MARKER = /\[flowbook-error-json:([A-Za-z0-9+/=_-]+)\]/;

/** The user's error from a failed job's exception text, if it came from user code. */
export function userErrorFrom(text: string): UserCodeError | undefined {
  const m = MARKER.exec(text);
  if (m) {
    try {
      const body = JSON.parse(Buffer.from(m[1]!, "base64").toString("utf8")) as ErrorBody;
      const causeName = body.causeName ?? body.message.split(":")[0] ?? "Error";
      const causeMessage = body.causeMessage ?? body.message.slice(causeName.length + 2);
      return new UserCodeError(body.transform, body.element, body.stack ?? body.message, causeName, causeMessage);
    } catch {
      // fall through to the text
    }
  }
  return undefined;
}

/** The most useful part of a failed job's exceptions: the innermost cause, with its message lines. */
export function failureText(text: string): string {
  const u = /UserCodeException: ([\s\S]*?)(?:\n\tat |$)/.exec(text);
  if (u) return u[1]!.trim();
  // Each cause: "Name: message" plus the message's further lines, up to its first Java frame.
  const causes = [...text.matchAll(/(?:^|\n)(?:Caused by: )?([\w.$]+(?:Exception|Error)(?::[^\n]*(?:\n(?!\tat |Caused by: |\s*\.\.\. \d+ more)[^\n]*)*)?)/g)].map((x) => x[1]!);
  const meaningful = causes.filter((c) => !/^[\w.$]*(JobExecutionException|JobException|RecipientUnreachable|CompletionException|ExecutionException)\b/.test(c));
  return (meaningful.at(-1) ?? causes.at(-1) ?? text.split("\n")[0] ?? "the job failed").trim();
}

/** Metric accumulators → MetricResults (the local runner's shape). */
export function metricsFromAccumulators(acc: JobAccumulators | undefined): MetricResults {
  const agg = new MetricsAggregator();
  if (!acc) return agg.results();
  const u: MetricUpdates = emptyUpdates();
  for (const a of acc["user-task-accumulators"] ?? []) {
    if (!a.name.startsWith("flowbook.metric[")) continue;
    let kind: string, step: string, ns: string, name: string;
    try {
      [kind, step, ns, name] = JSON.parse(a.name.slice("flowbook.metric".length)) as [string, string, string, string];
    } catch {
      continue;
    }
    const key = `${ns}\u0000${name}`;
    let v: unknown;
    try {
      v = JSON.parse(a.value);
    } catch {
      continue;
    }
    if (kind === "counter") u.counters.push([step, key, Number(v)]);
    else if (kind === "distribution") {
      const d = v as { sum: number; count: number; min: number; max: number };
      u.distributions.push([step, key, d.sum, d.count, d.min, d.max]);
    } else if (kind === "gauge") {
      const g = v as { value: number; timestamp: number };
      u.gauges.push([step, key, g.value, g.timestamp]);
    }
  }
  agg.add(u);
  return agg.results();
}

/**
 * A finished job's details and accumulators. Flink's REST handlers serve a job's execution
 * graph from a cache (`web.refresh-interval`, 3 s by default): right after the job ended, an
 * earlier request (the live events' polls, a user's refresh) may have left a graph of the
 * running job there. Wait until the cached graph is the final one, then read the
 * accumulators from it.
 */
export async function finalJobState(client: FlinkRestClient, jobId: string, timeoutMs = 10_000): Promise<{ details?: JobDetails; accumulators: JobAccumulators }> {
  const deadline = Date.now() + timeoutMs;
  let details: JobDetails | undefined;
  while (Date.now() < deadline) {
    const d = await client.jobDetails(jobId);
    if (TERMINAL_JOB_STATES.has(d.state)) {
      details = d;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { details, accumulators: await client.jobAccumulators(jobId) };
}

function pipelineState(s: JobState): PipelineState {
  switch (s) {
    case "FINISHED":
      return "DONE";
    case "FAILED":
    case "FAILING":
      return "FAILED";
    case "CANCELED":
    case "CANCELLING":
      return "CANCELLED";
    case "SUSPENDED":
      return "STOPPED";
    default:
      return "RUNNING";
  }
}

/**
 * A job on a Flink cluster: its state follows the job's over REST, and so do its events
 * (run/job_events.ts): the job's vertices as stages, progress per transform, users' console
 * output, then `run-finished` once the final lines and counts were read.
 */
/** Runs of this process whose job may still be running: what a terminating process cancels. */
const activeRuns = new Set<FlinkPipelineResult>();

/**
 * Cancels every Flink job this process started that is still running, and waits for the
 * cancellations, at most `timeoutMs` (`flowbook run` on SIGTERM, or SIGINT outside a cell):
 * a job must not outlive the process that ran it and write its output later.
 */
export async function cancelActiveFlinkRuns(timeoutMs = 10_000): Promise<Array<{ jobId?: string; state: PipelineState }>> {
  const runs = [...activeRuns].filter((r) => r.state === "RUNNING");
  await waitAtMost(Promise.all(runs.map((r) => r.cancel().catch(() => undefined))), timeoutMs).catch(() => undefined);
  return runs.map((r) => ({ jobId: r.jobId, state: r.state }));
}

/** Running STREAMING Flink runs of this process (what Ctrl-C in `flowbook run` would stop). */
export function activeStreamingFlinkRuns(): FlinkPipelineResult[] {
  return [...activeRuns].filter((r) => r.state === "RUNNING" && r.plan.runtimeMode === "STREAMING");
}

export class FlinkPipelineResult implements PipelineResult {
  private _state: PipelineState = "RUNNING";
  private readonly bus = new RunEventBus();
  private readonly startedAt = Date.now();
  private runStarted = false;
  private error: unknown;
  private accumulators?: JobAccumulators;
  private readonly decoded = new Map<string, CollectedSample>();
  /** The live samples' server (RunRequest.live), when the run has live PCollections. */
  private readonly live?: FlinkLiveSamples;
  private readonly done: Promise<void>;
  private cancelRequested = false;
  private stopRequested = false;
  private stopping?: Promise<string>;
  /** Flink's job id, once submitted. */
  jobId?: string;
  /** Flink's job id once submitted; rejects with the run's error if it failed before that (refresh(), stop() and jobPlan() wait on it). */
  readonly jobIdPromise: Promise<string>;
  private resolveJobId!: (id: string) => void;
  private rejectJobId!: (e: unknown) => void;

  constructor(
    readonly client: FlinkRestClient,
    readonly graph: PipelineGraph,
    readonly translation: Translation,
    private readonly jar: string,
    private readonly options: Opts,
  ) {
    this.jobIdPromise = new Promise((resolve, reject) => {
      this.resolveJobId = resolve;
      this.rejectJobId = reject;
    });
    this.jobIdPromise.catch(() => {});
    const liveIds = Object.keys(translation.liveOperators ?? {});
    if (liveIds.length) this.live = new FlinkLiveSamples(new Set(liveIds), (pc) => recordCoder(graph, translation, pc));
    activeRuns.add(this);
    this.done = this.follow().then(
      () => this.emitFinished(),
      (e) => {
        if (this._state === "RUNNING") this._state = "FAILED";
        this.error = e;
        // A submission that failed has no job id: what waits for one fails with the run.
        this.rejectJobId(e);
        this.emitFinished();
      },
    ).finally(() => activeRuns.delete(this));
  }

  onEvent(listener: (event: RunEvent) => void): () => void {
    return this.bus.subscribe(listener);
  }

  /** Live samples (sdk/runner.ts): pushed by the job's live collect operators while it runs (run/live_samples.ts). */
  onLiveSample(pcollectionId: string, listener: (batch: LiveSampleBatch) => void): () => void {
    return this.live?.subscribe(pcollectionId, listener) ?? (() => {});
  }

  private emitStarted(jobId?: string): void {
    if (this.runStarted) return;
    this.runStarted = true;
    this.bus.emit({ kind: "run-started", at: Date.now(), runner: "flink", jobName: this.plan.jobName, ...(jobId ? { jobId } : {}) });
  }

  private emitFinished(): void {
    this.emitStarted();
    const error = this._state === "FAILED" && this.error !== undefined ? (this.error instanceof Error ? this.error.message : String(this.error)) : undefined;
    this.bus.emit({ kind: "run-finished", at: Date.now(), state: this._state, durationMs: Date.now() - this.startedAt, ...(error !== undefined ? { error } : {}) });
  }

  get plan(): FlinkPlan {
    return this.translation.plan;
  }

  get state(): PipelineState {
    return this._state;
  }

  private async follow(): Promise<void> {
    try {
      await this.followLive();
    } finally {
      // Every live batch before run-finished: the job's tasks closed their connections (or 10 s passed).
      await this.live?.drain();
    }
    // A live sample the client could not read (the run itself went on): said before run-finished.
    const liveError = this.live?.error;
    if (liveError) this.bus.emit({ kind: "output", at: Date.now(), stream: "stderr", text: `live samples stopped: ${liveError.message}\n` });
  }

  /** Fills the live collect operators' address (the server listens first), then runs and follows the job. */
  private async followLive(): Promise<void> {
    if (this.live) {
      const { bind, advertised } = liveSampleAddress(this.options);
      const address = await this.live.listen(bind);
      for (const op of this.plan.operators) {
        const pc = op.payload?.pcollection;
        if (op.kind === "collect" && op.payload?.live && typeof pc === "string" && this.translation.liveOperators?.[pc] === op.id) {
          Object.assign(op.payload, { host: advertised, port: address.port, token: this.live.token });
        }
      }
    }
    const jobId = await submitPlan(this.client, this.plan, this.jar, this.options.fromSavepoint);
    this.jobId = jobId;
    this.resolveJobId(jobId);
    this.emitStarted(jobId);
    if (this.cancelRequested) await this.client.cancelJob(jobId).catch(() => {});
    const events = new JobEvents(this.bus, this.client, jobId, this.plan, {
      consoleOption: "flinkOutputMaxBytes",
      consoleMaxBytes: this.plan.console?.maxBytes ?? DEFAULT_OUTPUT_MAX_BYTES,
    });
    events.start();
    try {
      await this.followJob(jobId, events);
    } finally {
      // Whatever happened (a lost cluster too), no poll outlives the run.
      await events.stop();
    }
  }

  private async followJob(jobId: string, events: JobEvents): Promise<void> {
    // metrics() and collected() read the accumulators once the job ended (refresh() reads them
    // while it runs): asking while it runs would leave Flink's cache of the job's graph stale
    // for up to web.refresh-interval after the end, delaying the final read (finalAccumulators).
    // The cluster is watched beside the job's state: a lost TaskManager is reported, and a job
    // left without any slot fails within seconds instead of waiting for one for many minutes.
    let fatal: Error | undefined;
    const health = new ClusterHealthWatch(this.client, jobId, this.plan.jobName, {
      notice: (text) => this.bus.emit({ kind: "output", at: Date.now(), stream: "stderr", text }),
      fatal: (e) => {
        fatal = e;
        void this.client.cancelJob(jobId).catch(() => {});
      },
    });
    health.start();
    let final: JobState;
    try {
      final = await this.waitForJob(jobId, () => fatal);
    } finally {
      health.stop();
    }
    if (fatal) {
      // Give the cancellation a moment to be recorded (bounded), then fail with the cause.
      const end = await finalJobState(this.client, jobId, 3_000).catch(() => undefined);
      this.accumulators = end?.accumulators;
      await events.finish(end ?? {});
      this._state = "FAILED";
      throw fatal;
    }
    // The final lines and counts are emitted before the state changes (and run-finished follows).
    if (final === "FINISHED") {
      const end = await finalJobState(this.client, jobId);
      this.accumulators = end.accumulators;
      await events.finish(end);
      // A job stopped with a savepoint ends FINISHED; its input did not.
      this._state = this.stopRequested ? "STOPPED" : "DONE";
    } else if (final === "CANCELED") {
      const end = await finalJobState(this.client, jobId).catch(() => undefined);
      this.accumulators = end?.accumulators;
      await events.finish(end ?? {});
      this._state = "CANCELLED";
      throw new Error("the pipeline was cancelled");
    } else {
      const end = await finalJobState(this.client, jobId).catch(() => undefined);
      this.accumulators = end?.accumulators;
      await events.finish(end ?? {});
      this._state = "FAILED";
      throw await this.failure(jobId);
    }
  }

  /** Polls the job's state until it is terminal, or until `stop()` returns an error (then resolves with the last state). */
  private async waitForJob(jobId: string, stop: () => Error | undefined): Promise<JobState> {
    const timeoutMs = this.options.flinkJobTimeoutMs ?? 3_600_000;
    const deadline = Date.now() + timeoutMs;
    let last: JobState | undefined;
    for (;;) {
      if (stop()) return last ?? "FAILED";
      let state: JobState | undefined;
      try {
        state = await this.client.jobStatus(jobId);
      } catch (e) {
        // Right after submission the job may not be known yet.
        if (!(e instanceof FlinkRestError && e.isNotFound)) throw e;
      }
      if (state !== undefined && state !== last) {
        last = state;
        const ps = pipelineState(state);
        if (ps === "RUNNING" || ps === "STOPPED") this._state = ps;
      }
      if (state !== undefined && TERMINAL_JOB_STATES.has(state)) return state;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${last ?? "unknown"} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  private async failure(jobId: string): Promise<Error> {
    let text = "";
    try {
      const ex = await this.client.jobExceptions(jobId, 20);
      const entries = ex.exceptionHistory?.entries ?? [];
      const all = entries.flatMap((e) => [e.stacktrace, ...(e.concurrentExceptions ?? []).map((c) => c.stacktrace)]);
      const legacy = (ex as unknown as { "root-exception"?: string })["root-exception"];
      text = [legacy ?? "", ...all].join("\n");
    } catch (e) {
      return new Error(`Flink job ${jobId} failed (its exceptions could not be read: ${(e as Error).message})`);
    }
    const user = userErrorFrom(text);
    if (user) return user;
    const err = new Error(`Flink job ${jobId} (${this.plan.jobName}) failed: ${failureText(text)}`);
    (err as Error & { flinkExceptions?: string }).flinkExceptions = text;
    return err;
  }

  async waitUntilFinish(timeoutMillis?: number): Promise<PipelineState> {
    await waitAtMost(this.done, timeoutMillis);
    if (this._state === "FAILED" || (this._state === "CANCELLED" && this.error && !this.cancelRequested)) throw this.error;
    return this._state;
  }

  async cancel(): Promise<PipelineState> {
    if (this._state !== "RUNNING") return this._state;
    // A stop with a savepoint under way ends the job: wait for it rather than cancel its savepoint.
    if (this.stopping) {
      await this.stopping.catch(() => undefined);
      if (this._state !== "RUNNING") return this._state;
    }
    const savepointDir = cancelSavepointDir();
    if (savepointDir !== undefined && this.plan.runtimeMode === "STREAMING" && !this.cancelRequested) {
      // `flowbook run --savepoint-dir DIR` after Ctrl-C / SIGTERM: stop with a savepoint instead.
      const stopped = await this.stop({ savepointDir }).then(
        () => true,
        (e: Error) => {
          this.bus.emit({ kind: "output", at: Date.now(), stream: "stderr", text: `${e.message}; cancelling it instead\n` });
          return false;
        },
      );
      if (stopped) return this._state;
    }
    this.cancelRequested = true;
    if (this.jobId) await this.client.cancelJob(this.jobId).catch(() => {});
    await this.done;
    return this._state;
  }

  /**
   * Stops the job with a savepoint in `options.savepointDir` and resolves with the savepoint's
   * path once the job is over (state STOPPED); resume with the pipeline option
   * `fromSavepoint`. Rejects, the job still running, if Flink could not take the savepoint.
   */
  async stop(options: StopOptions): Promise<string> {
    if (this._state !== "RUNNING") throw new Error(`cannot stop the pipeline with a savepoint: it is ${this._state}`);
    if (this.stopping) return this.stopping;
    const jobId = this.jobId ?? (await this.jobIdPromise);
    this.stopRequested = true;
    this.stopping = (async () => {
      try {
        const savepoint = await stopWithSavepoint(this.client, jobId, options);
        noteSavepoint(jobId, savepoint);
        await this.done.catch(() => undefined);
        return savepoint;
      } catch (e) {
        this.stopRequested = false;
        throw e;
      } finally {
        this.stopping = undefined;
      }
    })();
    return this.stopping;
  }

  /** Reads metrics and collected samples from the job's accumulators while it runs (partial values). */
  async refresh(): Promise<void> {
    const id = this.jobId ?? (await this.jobIdPromise);
    const a = await this.client.jobAccumulators(id);
    if (this._state === "RUNNING") {
      this.accumulators = a;
      this.decoded.clear();
    }
  }

  metrics(): MetricResults {
    return metricsFromAccumulators(this.accumulators);
  }

  /** Flink's execution plan of the running job (`GET /jobs/:id/plan`). */
  async jobPlan(): Promise<JobPlan> {
    return this.client.jobPlan(this.jobId ?? (await this.jobIdPromise));
  }

  collected(pcollectionId: string): CollectedSample | undefined {
    const cached = this.decoded.get(pcollectionId);
    if (cached) return cached;
    const opId = this.translation.collectOperators[pcollectionId];
    if (!opId || !this.accumulators) return undefined;
    const acc = this.accumulators["user-task-accumulators"]?.find((a) => a.name === `flowbook.collect/${opId}`);
    const coder = recordCoder(this.graph, this.translation, pcollectionId);
    if (!acc) {
      // The collect operator saw nothing (Flink reports no accumulator for a task that never updated it).
      const empty = { elements: [], truncated: false, total: 0 };
      if (this._state === "DONE") this.decoded.set(pcollectionId, empty);
      return empty;
    }
    const v = JSON.parse(acc.value) as { count: number; truncated: boolean; elements: string[] };
    const elements: WindowedValue<unknown>[] = v.elements.map((b64) => {
      const bytes = Buffer.from(b64, "base64");
      return coder.decode(new ByteReader(bytes));
    });
    // The collect operator counts every element it sees: once the job is done, that is the total.
    const sample = { elements, truncated: v.truncated || v.count > elements.length, total: this._state === "DONE" ? v.count : undefined };
    this.decoded.set(pcollectionId, sample);
    return sample;
  }
}

/** Where the live-sample server listens, and the host the TaskManagers are told to connect to. */
function liveSampleAddress(options: Opts): { bind: string; advertised: string } {
  if (options.flinkLiveSampleHost) return { bind: "0.0.0.0", advertised: options.flinkLiveSampleHost };
  const master = (options.flinkMaster ?? DEFAULT_FLINK_MASTER).replace(/^https?:\/\//, "").split(":")[0] ?? "localhost";
  if (master === "localhost" || master === "127.0.0.1" || master === "::1") return { bind: "127.0.0.1", advertised: "127.0.0.1" };
  return { bind: "0.0.0.0", advertised: hostname() };
}

/** How a PCollection's records are encoded on the wire (its wire coder, its window coder). */
function recordCoder(graph: PipelineGraph, t: Translation, pc: string): WindowedValueCoder<unknown> {
  const node = graph.pcollections[pc]!;
  const ws = graph.windowingStrategies[node.windowingStrategy]!;
  const spec = t.wireCoders[pc] ?? node.coder;
  return WindowedValueCoder.of(coderFromSpec(spec), windowFnFromSpec(ws.windowFn).windowCoder());
}

export class FlinkRunner implements PipelineRunner {
  readonly name = "flink";

  run(request: RunRequest): PipelineResult {
    const options = request.options as Opts;
    // A pipeline the runner cannot translate faithfully is refused here, before anything runs.
    const translation = translate(request.graph, options, {
      collect: request.collect,
      collectMaxBytes: options.flinkCollectMaxBytes,
      live: request.live,
      worker: workerConfig(options),
    });
    if (options.flinkOutputMaxBytes !== undefined) translation.plan.console = { maxBytes: options.flinkOutputMaxBytes };
    const client = new FlinkRestClient(options.flinkMaster ?? DEFAULT_FLINK_MASTER);
    return new FlinkPipelineResult(client, request.graph, translation, bridgeJarPath(options), options);
  }
}

registerRunner("flink", () => new FlinkRunner());
