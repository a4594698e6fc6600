import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { PipelineGraph } from "../../graph/types.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import { printOutput } from "../shared/run_events.js";
import { errorFromJSON } from "../shared/user_code_error.js";
import { settleTasks, type RunHooks, type TaskExecutor } from "./executor.js";
import type { OutputRecord } from "./output_buffer.js";
import type { ExecutionPlan } from "./plan.js";
import type { TaskProgress } from "../harness/task_counts.js";
import type { NextSplit, TaskResult, TaskSpec } from "./task_runner.js";
import type { SourceSplit } from "../../io/registry.js";

export type WorkerRequest =
  | { type: "beginRun"; runId: string; graph: PipelineGraph; plan: ExecutionPlan; options: PipelineOptions }
  | { type: "sideInput"; runId: string; pcollection: string; chunks: Uint8Array[] }
  | { type: "task"; key: number; spec: TaskSpec }
  | { type: "endRun"; runId: string }
  | { type: "stopStage"; runId: string; stageId: string }
  /** The answer to a task's `nextSplit`: its next split, or none. */
  | { type: "split"; key: number; split?: SourceSplit };

export type WorkerResponse =
  | { type: "ready" }
  | { type: "result"; key: number; result: TaskResult }
  | { type: "error"; key: number; error: unknown }
  /** The run's teardown is done; `error`: its user code failed it after its last task (a late output, a stray error). */
  | { type: "ended"; runId: string; error?: unknown }
  | { type: "fatal"; error: unknown }
  /** Users' output, in the order printed; always before the result of the task that printed it. */
  | { type: "output"; records: OutputRecord[] }
  | { type: "progress"; key: number; progress: TaskProgress }
  /** A running task whose source input says `more` asks for its next split. */
  | { type: "nextSplit"; key: number };

interface Slot {
  worker: Worker;
  /** Set once the worker loaded flowbook and said so. */
  ready: boolean;
  busy: boolean;
  runs: Set<string>;
  sideInputs: Set<string>;
  current?: { key: number; runId: string };
  /** Runs whose teardown this worker was asked for, until it says "ended" (or dies). */
  ending: Map<string, (error?: Error) => void>;
}

interface Pending {
  spec: TaskSpec;
  nextSplit?: NextSplit;
  resolve(r: TaskResult): void;
  reject(e: unknown): void;
}

interface PoolRun {
  graph: PipelineGraph;
  plan: ExecutionPlan;
  options: PipelineOptions;
  hooks: RunHooks;
}

/** How long a run waits for its DoFns' teardown (best effort, as in Beam) before it finishes anyway. */
const TEARDOWN_WAIT_MS = 10_000;

const ENTRY = new URL(import.meta.url.endsWith(".ts") ? "./worker_main.ts" : "./worker_main.js", import.meta.url);
/**
 * The same entry bundled with all of flowbook (scripts/bundle-workers.mjs, part of `npm run
 * build`): one file loads in a fifth of the time of the modules it holds, which each thread
 * otherwise loads while the session starts.
 */
const BUNDLED_ENTRY = new URL("./worker_main.bundle.mjs", import.meta.url);

function spawn(): Worker {
  if (ENTRY.pathname.endsWith(".ts")) {
    // Running from TypeScript sources (tests, tsx): load the worker through tsx.
    // Resolved here: an eval'd worker resolves bare names from the process's cwd.
    const tsx = import.meta.resolve("tsx/esm/api");
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ENTRY.href)}); })`;
    return new Worker(code, { eval: true });
  }
  // A session that registered flowbook's module hooks in-process (to import the user's
  // TypeScript modules): workers need them too, before they rebuild user functions.
  const hooks = (globalThis as Record<symbol, unknown>)[Symbol.for("flowbook.moduleHooks")];
  if (typeof hooks === "string") {
    return new Worker(`import(${JSON.stringify(hooks)}).then(() => import(${JSON.stringify(ENTRY.href)}))`, { eval: true });
  }
  // Not with module hooks (above): a user's module that imports flowbook gets dist/'s modules,
  // and its classes must be the ones the worker's own code checks against.
  return new Worker(existsSync(BUNDLED_ENTRY) ? BUNDLED_ENTRY : ENTRY);
}

/**
 * Worker threads that run tasks. Each worker learns a run's graph and plan once,
 * and each materialized side input once, so tasks carry only their own input.
 */
export class WorkerPool implements TaskExecutor {
  private readonly slots: Slot[] = [];
  private readonly runs = new Map<string, PoolRun>();
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Array<{ key: number; spec: TaskSpec; sideInputs: Map<string, Uint8Array[]> }> = [];
  private readonly cancelled = new Set<string>();
  /** Runs failed outside any task (a worker that knew them died idle): their next stage and their end fail with it. */
  private readonly failed = new Map<string, Error>();
  private nextKey = 0;
  private broken: Error | undefined;

  private cancelledSlot(slot: Slot): boolean {
    return slot.current !== undefined && this.cancelled.has(slot.current.runId);
  }

  constructor(readonly parallelism = availableParallelism()) {
    for (let i = 0; i < parallelism; i++) this.slots.push(this.newSlot());
  }

  private newSlot(): Slot {
    const worker = spawn();
    const slot: Slot = { worker, ready: false, busy: false, runs: new Set(), sideInputs: new Set(), ending: new Map() };
    worker.on("message", (m: WorkerResponse) => this.onMessage(slot, m));
    worker.on("error", (e) => this.onDeath(slot, e));
    worker.on("exit", (code) => this.onDeath(slot, new Error(`a local runner worker thread exited (code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    return slot;
  }

  private onMessage(slot: Slot, m: WorkerResponse): void {
    if (m.type === "ready") {
      slot.ready = true;
    } else if (m.type === "output") {
      this.onOutput(slot, m.records);
    } else if (m.type === "progress") {
      const spec = this.pending.get(m.key)?.spec;
      if (spec) this.runs.get(spec.runId)?.hooks.progress(spec.stageId, spec.taskIndex, m.progress);
    } else if (m.type === "nextSplit") {
      const p = this.pending.get(m.key);
      const answer = (split?: SourceSplit) => {
        if (slot.current?.key === m.key) slot.worker.postMessage({ type: "split", key: m.key, split } satisfies WorkerRequest);
      };
      (p?.nextSplit?.() ?? Promise.resolve(undefined)).then(answer, () => answer(undefined));
    } else if (m.type === "ended") {
      slot.ending.get(m.runId)?.(m.error === undefined ? undefined : errorFromJSON(m.error));
    } else if (m.type === "result" || m.type === "error") {
      const p = this.pending.get(m.key);
      this.pending.delete(m.key);
      slot.busy = false;
      slot.current = undefined;
      // Idle workers must not keep the process alive; busy ones (running or tearing down) must.
      if (slot.ending.size === 0) slot.worker.unref();
      if (p) {
        if (m.type === "result") {
          // The task's final counts now, not with the stage's: a sample run sums them as tasks end.
          this.runs.get(p.spec.runId)?.hooks.progress(p.spec.stageId, p.spec.taskIndex, m.result.progress);
          p.resolve(m.result);
        }
        else p.reject(errorFromJSON(m.error));
      }
      this.dispatch();
    } else if (m.type === "fatal") {
      this.onDeath(slot, errorFromJSON(m.error));
    }
  }

  /** Output goes to the run that printed it; output no run can take any more is printed here. */
  private onOutput(slot: Slot, records: OutputRecord[]): void {
    for (const r of records) {
      const runId = r.run ?? slot.current?.runId;
      const run = runId !== undefined ? this.runs.get(runId) : undefined;
      if (run) run.hooks.output(r.stream, r.text, r.transform);
      else printOutput({ kind: "output", at: Date.now(), stream: r.stream, text: r.text });
    }
  }

  /** A worker that died takes its task down with it; a fresh worker takes its place. */
  private onDeath(slot: Slot, e: unknown): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    // A worker that dies before its runs' teardown answered fails them (their user code may have
    // ended it: a timer's process.exit), unless we stopped it to cancel another run.
    const cause = e instanceof Error ? e : new Error(String(e));
    const teardownLost = this.cancelledSlot(slot) ? undefined : cause.name === "UserCodeError" ? cause : new Error(`a local runner worker thread died while the run ended: ${cause.message}`);
    for (const ended of slot.ending.values()) ended(teardownLost);
    if (!slot.ready && !this.cancelledSlot(slot)) {
      // A worker that cannot even start would fail again: fail what waits, instead of respawning forever.
      this.broken = new Error(`the local runner's worker threads cannot start: ${e instanceof Error ? e.message : String(e)}`);
      this.slots.splice(i, 1);
      slot.worker.removeAllListeners();
      void slot.worker.terminate();
      for (const [key, p] of this.pending) {
        this.pending.delete(key);
        p.reject(this.broken);
      }
      this.queue.length = 0;
      forgetPool(this);
      return;
    }
    this.slots.splice(i, 1, this.newSlot());
    slot.worker.removeAllListeners();
    const stopped = slot.worker.terminate().catch(() => undefined);
    if (slot.current) {
      const p = this.pending.get(slot.current.key);
      this.pending.delete(slot.current.key);
      const err = this.cancelled.has(slot.current.runId) ? new Error("the pipeline was cancelled") : e;
      // Once the thread stopped: the run's sinks are aborted next, and a writer still running
      // could leave a file after that (terminating a thread takes a few milliseconds).
      void stopped.then(() => p?.reject(err));
    } else {
      // Idle, but it held runs' state (their DoFns, set up): those runs fail, with what killed it.
      for (const runId of slot.runs) {
        if (!this.runs.has(runId) || this.cancelled.has(runId) || this.failed.has(runId)) continue;
        this.failed.set(runId, cause.name === "UserCodeError" ? cause : new Error(`a local runner worker thread died between tasks of this run: ${cause.message}`));
        this.rejectQueued(runId, this.failed.get(runId)!);
      }
    }
    this.dispatch();
  }

  beginRun(runId: string, graph: PipelineGraph, plan: ExecutionPlan, options: PipelineOptions, hooks: RunHooks): void {
    this.runs.set(runId, { graph, plan, options, hooks });
  }

  /** The run's tasks not started yet fail with `e`. */
  private rejectQueued(runId: string, e: Error): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const job = this.queue[i]!;
      if (job.spec.runId !== runId) continue;
      this.queue.splice(i, 1);
      const p = this.pending.get(job.key);
      this.pending.delete(job.key);
      p?.reject(e);
    }
  }

  runTasks(tasks: TaskSpec[], sideInputs: Map<string, Uint8Array[]>, nextSplit?: NextSplit): Promise<TaskResult[]> {
    if (this.broken) return Promise.reject(this.broken);
    const failed = tasks.length ? this.failed.get(tasks[0]!.runId) : undefined;
    if (failed) return Promise.reject(failed);
    const promises = tasks.map(
      (spec) =>
        new Promise<TaskResult>((resolve, reject) => {
          const key = this.nextKey++;
          this.pending.set(key, { spec, resolve, reject, nextSplit });
          this.queue.push({ key, spec, sideInputs });
        }),
    );
    this.dispatch();
    return settleTasks(promises);
  }

  private dispatch(): void {
    while (this.queue.length) {
      const slot = this.slots.find((s) => !s.busy);
      if (!slot) return;
      const job = this.queue.shift()!;
      const runId = job.spec.runId;
      if (this.cancelled.has(runId)) {
        const p = this.pending.get(job.key);
        this.pending.delete(job.key);
        p?.reject(new Error("the pipeline was cancelled"));
        continue;
      }
      const run = this.runs.get(runId);
      if (!run) throw new Error(`task of unknown run ${runId}`);
      if (!slot.runs.has(runId)) {
        slot.worker.postMessage({ type: "beginRun", runId, graph: run.graph, plan: run.plan, options: run.options } satisfies WorkerRequest);
        slot.runs.add(runId);
      }
      for (const [pc, chunks] of job.sideInputs) {
        const k = `${runId}/${pc}`;
        if (!slot.sideInputs.has(k)) {
          slot.worker.postMessage({ type: "sideInput", runId, pcollection: pc, chunks } satisfies WorkerRequest);
          slot.sideInputs.add(k);
        }
      }
      slot.busy = true;
      slot.current = { key: job.key, runId };
      slot.worker.ref();
      slot.worker.postMessage({ type: "task", key: job.key, spec: job.spec } satisfies WorkerRequest);
    }
  }

  stopStage(runId: string, stageId: string): void {
    // Tasks not started: done, having read nothing.
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const job = this.queue[i]!;
      if (job.spec.runId !== runId || job.spec.stageId !== stageId) continue;
      this.queue.splice(i, 1);
      const p = this.pending.get(job.key);
      this.pending.delete(job.key);
      p?.resolve({ output: { shuffles: {}, materialized: {}, sinks: {} }, metrics: { counters: [], distributions: [], gauges: [] }, progress: { counts: {} }, stoppedEarly: true });
    }
    // Running ones: stop at their next element.
    for (const slot of this.slots) {
      if (slot.current?.runId === runId) slot.worker.postMessage({ type: "stopStage", runId, stageId } satisfies WorkerRequest);
    }
  }

  cancelRun(runId: string): void {
    this.cancelled.add(runId);
    for (const slot of [...this.slots]) {
      if (slot.current?.runId === runId) this.onDeath(slot, new Error("the pipeline was cancelled"));
    }
  }

  /**
   * Tears the run down in every worker that knows it, and waits for their teardown's output;
   * rejects if the run's user code failed it after its last task (or a worker died with it).
   */
  async endRun(runId: string): Promise<void> {
    const ended: Promise<void>[] = [];
    const errors: Error[] = [];
    for (const slot of this.slots) {
      if (slot.runs.delete(runId)) {
        ended.push(new Promise<void>((resolve) => slot.ending.set(runId, (e) => resolve(void (e && errors.push(e))))).finally(() => slot.ending.delete(runId)));
        // A worker tearing down keeps the process alive, as a busy one does.
        slot.worker.ref();
        slot.worker.postMessage({ type: "endRun", runId } satisfies WorkerRequest);
      }
      for (const k of [...slot.sideInputs]) if (k.startsWith(runId + "/")) slot.sideInputs.delete(k);
    }
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(() => resolve(void (late = true)), TEARDOWN_WAIT_MS).unref()));
    await Promise.race([Promise.all(ended), bound]);
    clearTimeout(timer);
    // A teardown that never ends must not keep the process alive either.
    for (const slot of this.slots) if (!slot.busy && (slot.ending.size === 0 || late)) slot.worker.unref();
    this.runs.delete(runId);
    this.cancelled.delete(runId);
    const failed = this.failed.get(runId);
    this.failed.delete(runId);
    if (failed ?? errors[0]) throw failed ?? errors[0];
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}

const pools = new Map<number, WorkerPool>();

function forgetPool(pool: WorkerPool): void {
  for (const [k, p] of pools) if (p === pool) pools.delete(k);
}

/** Whether the pool of this parallelism was started (its threads exist, perhaps still loading). */
export function hasSharedPool(parallelism: number): boolean {
  return pools.has(parallelism);
}

/** One pool per parallelism, kept for the process's life (workers are unref'd). */
export function sharedPool(parallelism: number): WorkerPool {
  let p = pools.get(parallelism);
  if (!p) {
    p = new WorkerPool(parallelism);
    pools.set(parallelism, p);
  }
  return p;
}
