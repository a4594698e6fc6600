/**
 * A small typed client for Apache Flink's REST API (Flink 2.x; the same endpoints exist in
 * 1.15+), over Node's `fetch`. It covers what flowbook needs to watch a cluster and to submit,
 * follow and cancel jobs; `get`/`request` reach any other endpoint.
 *
 * Errors: a non-2xx answer throws {@link FlinkRestError} carrying Flink's own error text (the
 * `errors` array of its JSON error body); an unreachable cluster throws
 * {@link FlinkUnreachableError}.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";

// ---------------------------------------------------------------------------------------------
// Response shapes (only the fields flowbook reads are typed; Flink sends more).

export interface ClusterOverview {
  taskmanagers: number;
  "slots-total": number;
  "slots-available": number;
  "jobs-running": number;
  "jobs-finished": number;
  "jobs-cancelled": number;
  "jobs-failed": number;
  "flink-version": string;
  "flink-commit": string;
}

export interface DashboardConfig {
  "refresh-interval": number;
  "timezone-name": string;
  "timezone-offset": number;
  "flink-version": string;
  "flink-revision": string;
  features: Record<string, boolean>;
}

export interface TaskManagerInfo {
  id: string;
  path: string;
  dataPort: number;
  jmxPort: number;
  timeSinceLastHeartbeat: number;
  slotsNumber: number;
  freeSlots: number;
  totalResource: ResourceProfileInfo;
  freeResource: ResourceProfileInfo;
  hardware: { cpuCores: number; physicalMemory: number; freeMemory: number; managedMemory: number };
  memoryConfiguration: Record<string, number>;
  blocked?: boolean;
}

export interface ResourceProfileInfo {
  cpuCores: number;
  taskHeapMemory: number;
  taskOffHeapMemory: number;
  managedMemory: number;
  networkMemory: number;
  extendedResources: Record<string, number>;
}

/** Flink's `JobStatus`. */
export type JobState =
  | "INITIALIZING"
  | "CREATED"
  | "RUNNING"
  | "FAILING"
  | "FAILED"
  | "CANCELLING"
  | "CANCELED"
  | "FINISHED"
  | "RESTARTING"
  | "SUSPENDED"
  | "RECONCILING";

/** States a job never leaves (globally terminal; SUSPENDED is only locally terminal). */
export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>(["FAILED", "CANCELED", "FINISHED"]);

export interface JobOverview {
  jid: string;
  name: string;
  state: JobState;
  "start-time": number;
  "end-time": number;
  duration: number;
  "last-modification": number;
  tasks: Record<string, number>;
}

export interface JobVertexInfo {
  id: string;
  name: string;
  maxParallelism: number;
  parallelism: number;
  status: string;
  "start-time": number;
  "end-time": number;
  duration: number;
  tasks: Record<string, number>;
  metrics: Record<string, number | boolean>;
}

export interface JobDetails {
  jid: string;
  name: string;
  isStoppable: boolean;
  state: JobState;
  "job-type"?: string;
  "start-time": number;
  "end-time": number;
  duration: number;
  maxParallelism: number;
  now: number;
  /** When the job entered each state it has been in (ms since epoch; absent/0 = never). */
  timestamps: Partial<Record<JobState, number>>;
  vertices: JobVertexInfo[];
  "status-counts": Record<string, number>;
  plan: unknown;
}

export interface JobPlanNode {
  id: string;
  parallelism: number;
  operator: string;
  operator_strategy: string;
  description: string;
  inputs?: Array<{ num: number; id: string; ship_strategy: string; exchange: string }>;
  optimizer_properties?: unknown;
}

export interface JobPlan {
  jid: string;
  name: string;
  type?: string;
  nodes: JobPlanNode[];
}

export interface ExceptionInfo {
  exceptionName: string;
  stacktrace: string;
  timestamp: number;
  taskName?: string | null;
  endpoint?: string | null;
  taskManagerId?: string | null;
  failureLabels?: Record<string, string>;
}

export interface JobExceptions {
  exceptionHistory: {
    entries: Array<ExceptionInfo & { concurrentExceptions?: ExceptionInfo[] }>;
    truncated: boolean;
  };
}

export interface JobAccumulators {
  "job-accumulators": unknown[];
  "user-task-accumulators": Array<{ name: string; type: string; value: string }>;
  "serialized-user-task-accumulators"?: Record<string, unknown>;
}

export interface JobExecutionResult {
  status: { id: "IN_PROGRESS" | "COMPLETED" };
  "job-execution-result"?: {
    id: string;
    "application-status": "SUCCEEDED" | "FAILED" | "CANCELED" | "UNKNOWN";
    "accumulator-results": Record<string, string>;
    "net-runtime": number;
    "failure-cause"?: { class: string; "stack-trace": string; "serialized-throwable": string };
  };
}

export interface JarFileInfo {
  id: string;
  name: string;
  uploaded: number;
  entry: Array<{ name: string; description: string | null }>;
}

export interface RunJarRequest {
  /** Main class; if absent, the jar manifest's Main-Class / program-class. */
  entryClass?: string;
  programArgsList?: string[];
  parallelism?: number;
  /** Fix the job id (32 hex digits). */
  jobId?: string;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  /** Per-job Flink configuration (flat keys). */
  flinkConfiguration?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------

/** A non-2xx answer from Flink, with Flink's own error text. */
export class FlinkRestError extends Error {
  /** The most specific cause Flink reports (the last `Caused by:` / exception line), if any. */
  readonly rootCause: string | undefined;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** Flink's `errors` array, complete (often a message and a Java stack trace). */
    readonly errors: string[],
  ) {
    const summary = FlinkRestError.summarize(errors);
    super(`Flink REST ${method} ${path} → ${status}: ${summary.headline}${summary.rootCause ? `\n  caused by: ${summary.rootCause}` : ""}`);
    this.name = "FlinkRestError";
    this.rootCause = summary.rootCause;
  }

  /** Flink's full error text. */
  get details(): string {
    return this.errors.join("\n");
  }

  /** True if Flink says the job does not exist (404, or a FlinkJobNotFoundException). */
  get isNotFound(): boolean {
    return this.status === 404 || /FlinkJobNotFoundException|NotFoundException/.test(this.details);
  }

  static summarize(errors: string[]): { headline: string; rootCause?: string } {
    const lines = errors.join("\n").split("\n").map((l) => l.trim()).filter((l) => l !== "");
    if (lines.length === 0) return { headline: "(no error text)" };
    const isFrame = (l: string) => /^at\s|^\.\.\. \d+ more$|^<Exception on server side:$|^End of exception on server side>$/.test(l);
    const headline = lines.find((l) => !isFrame(l))!.replace(/^[\w.$]+(?:Exception|Error):\s*/, "") || lines[0]!;
    const causes = lines
      .filter((l) => !isFrame(l))
      .map((l) => l.replace(/^Caused by:\s*/, ""))
      .filter((l) => /^[\w.$]+(?:Exception|Error|Throwable)\b/.test(l));
    const last = causes.at(-1);
    const rootCause = last !== undefined && !headline.includes(last) && last !== lines[0] ? last : undefined;
    return { headline, rootCause };
  }
}

/** Nothing answered at the REST address. */
export class FlinkUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    cause: unknown,
  ) {
    super(`no Flink cluster answers at ${baseUrl} (${(cause as Error)?.message ?? String(cause)})`, { cause });
    this.name = "FlinkUnreachableError";
  }
}

export interface FlinkRestClientOptions {
  /** Per-request timeout in ms. Default 30 s (jar runs can take a while to build the job graph). */
  timeoutMs?: number;
}

export interface WaitForJobOptions {
  /** Give up after this many ms (throws). Default 10 minutes. */
  timeoutMs?: number;
  /** Polling interval. Default 200 ms. */
  pollMs?: number;
  /** Called on every state change. */
  onState?: (state: JobState) => void;
  /** Return when the job reaches one of these states (default: the terminal ones). */
  until?: ReadonlySet<JobState>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class FlinkRestClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  /** @param address `http://host:port`, `host:port`, or a port number (localhost). */
  constructor(address: string | number, options: FlinkRestClientOptions = {}) {
    this.baseUrl = FlinkRestClient.normalize(address);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  static normalize(address: string | number): string {
    if (typeof address === "number") return `http://localhost:${address}`;
    let a = address.trim().replace(/\/+$/, "");
    if (!/^https?:\/\//.test(a)) a = `http://${a}`;
    return a;
  }

  /** Any request; JSON in and out. `body` objects are sent as JSON, FormData as multipart. */
  async request<T>(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const url = this.baseUrl + path;
    const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (e) {
      throw new FlinkUnreachableError(this.baseUrl, (e as Error).cause ?? e);
    }
    const text = await res.text();
    if (!res.ok) {
      let errors: string[] = [];
      try {
        const parsed = JSON.parse(text) as { errors?: unknown };
        if (Array.isArray(parsed.errors)) errors = parsed.errors.map(String);
      } catch {
        if (text) errors = [text];
      }
      throw new FlinkRestError(method, path, res.status, errors);
    }
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new FlinkRestError(method, path, res.status, [`response is not JSON: ${text.slice(0, 200)}`]);
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  // --- cluster ------------------------------------------------------------------------------

  overview(): Promise<ClusterOverview> {
    return this.get("/overview");
  }

  /** Dashboard config: Flink version and revision, enabled features. */
  config(): Promise<DashboardConfig> {
    return this.get("/config");
  }

  /** The JobManager's effective configuration as key/value pairs. */
  jobManagerConfig(): Promise<Array<{ key: string; value: string }>> {
    return this.get("/jobmanager/config");
  }

  async taskManagers(): Promise<TaskManagerInfo[]> {
    return (await this.get<{ taskmanagers: TaskManagerInfo[] }>("/taskmanagers")).taskmanagers;
  }

  /** True when the REST endpoint answers. */
  async isReachable(timeoutMs = 2_000): Promise<boolean> {
    try {
      await this.request("GET", "/config", undefined, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  // --- jobs ---------------------------------------------------------------------------------

  async jobsOverview(): Promise<JobOverview[]> {
    return (await this.get<{ jobs: JobOverview[] }>("/jobs/overview")).jobs;
  }

  jobDetails(jobId: string): Promise<JobDetails> {
    return this.get(`/jobs/${enc(jobId)}`);
  }

  async jobStatus(jobId: string): Promise<JobState> {
    return (await this.get<{ status: JobState }>(`/jobs/${enc(jobId)}/status`)).status;
  }

  jobExceptions(jobId: string, maxExceptions?: number): Promise<JobExceptions> {
    const q = maxExceptions !== undefined ? `?maxExceptions=${maxExceptions}` : "";
    return this.get(`/jobs/${enc(jobId)}/exceptions${q}`);
  }

  jobAccumulators(jobId: string, includeSerializedValue = false): Promise<JobAccumulators> {
    return this.get(`/jobs/${enc(jobId)}/accumulators${includeSerializedValue ? "?includeSerializedValue=true" : ""}`);
  }

  async jobPlan(jobId: string): Promise<JobPlan> {
    return (await this.get<{ plan: JobPlan }>(`/jobs/${enc(jobId)}/plan`)).plan;
  }

  /** The result once the job has ended (`status.id === "COMPLETED"`), else `IN_PROGRESS`. */
  jobExecutionResult(jobId: string): Promise<JobExecutionResult> {
    return this.get(`/jobs/${enc(jobId)}/execution-result`);
  }

  /** Cancel a job (`PATCH /jobs/:id?mode=cancel`); returns once Flink accepted the request. */
  async cancelJob(jobId: string): Promise<void> {
    await this.request("PATCH", `/jobs/${enc(jobId)}?mode=cancel`);
  }

  /**
   * Poll `/jobs/:id/status` until the job is in one of `until` (default: FINISHED, FAILED,
   * CANCELED); returns that state. Does not throw on FAILED: read `jobExceptions` for why.
   */
  async waitForJob(jobId: string, options: WaitForJobOptions = {}): Promise<JobState> {
    const until = options.until ?? TERMINAL_JOB_STATES;
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    const pollMs = options.pollMs ?? 200;
    let last: JobState | undefined;
    for (;;) {
      let state: JobState | undefined;
      try {
        state = await this.jobStatus(jobId);
      } catch (e) {
        // Right after submission the job may not be known yet.
        if (!(e instanceof FlinkRestError && e.isNotFound)) throw e;
      }
      if (state !== undefined && state !== last) {
        last = state;
        options.onState?.(state);
      }
      if (state !== undefined && until.has(state)) return state;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${last ?? "unknown"} after ${options.timeoutMs ?? 600_000} ms`);
      await sleep(pollMs);
    }
  }

  // --- jars ---------------------------------------------------------------------------------

  async listJars(): Promise<JarFileInfo[]> {
    return (await this.get<{ files: JarFileInfo[] }>("/jars")).files;
  }

  /** Upload a jar (multipart field `jarfile`); returns the jar id to run it by. */
  async uploadJar(jarPath: string, name: string = basename(jarPath)): Promise<string> {
    if (!name.endsWith(".jar")) throw new Error(`Flink only accepts files whose name ends in .jar: ${name}`);
    const form = new FormData();
    form.append("jarfile", new Blob([await readFile(jarPath)], { type: "application/x-java-archive" }), name);
    const res = await this.request<{ filename: string; status: string }>("POST", "/jars/upload", form, Math.max(this.timeoutMs, 120_000));
    // `filename` is the server-side path; its last segment is the jar id.
    return res.filename.split(/[\\/]/).pop()!;
  }

  /** Run an uploaded jar's main method on the cluster; returns the job id. */
  async runJar(jarId: string, request: RunJarRequest = {}): Promise<string> {
    const res = await this.request<{ jobid: string }>("POST", `/jars/${enc(jarId)}/run`, request, Math.max(this.timeoutMs, 120_000));
    return res.jobid;
  }

  async deleteJar(jarId: string): Promise<void> {
    await this.request("DELETE", `/jars/${enc(jarId)}`);
  }

  /** The plan of an uploaded jar's job without running it. */
  async jarPlan(jarId: string, request: Omit<RunJarRequest, "savepointPath" | "allowNonRestoredState"> = {}): Promise<JobPlan> {
    return (await this.request<{ plan: JobPlan }>("POST", `/jars/${enc(jarId)}/plan`, request)).plan;
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
