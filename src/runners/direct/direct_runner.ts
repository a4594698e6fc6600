/**
 * The embedded local runner (the default): plans fused stages, runs their tasks on worker
 * threads as the scheduler (scheduler/) lets bundles and watermarks through, keeps shuffles
 * and materialized PCollections between stages, and commits sinks only when the whole
 * pipeline succeeded. It reports what it
 * does as run events (sdk/runner.ts RunEvent): stages, live counts, users' output.
 */
import { waitAtMost } from "../shared/wait.js";
import { randomUUID } from "node:crypto";
import { availableParallelism, totalmem } from "node:os";
import type { PipelineGraph } from "../../graph/types.js";
import { Urns } from "../../graph/types.js";
import { sinkFor, sourceFor } from "../../io/registry.js";
import { ByteReader } from "../../sdk/coders/byte_io.js";
import { MetricsAggregator } from "../../sdk/metrics/metrics.js";
import { MetricResults } from "../../sdk/metrics/metric_results.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import { registerRunner, type CollectedSample, type LiveSampleBatch, type PipelineResult, type PipelineRunner, type PipelineState, type RunEvent, type RunRequest } from "../../sdk/runner.js";
import { RunEventBus } from "../shared/run_events.js";
import type { CreatePayload } from "../../sdk/transforms/create.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import { StageFailure, type RunHooks, type TaskExecutor } from "./executor.js";
import { InlineExecutor } from "./inline_executor.js";
import { splitCreate } from "../harness/inputs/create_input.js";
import { earlyStopSamples, isElementWise, planStages, type ExecutionPlan, type Stage } from "./plan.js";
import { ProgressReport } from "./progress_report.js";
import { stageName } from "./stage_names.js";
import { GraphContext } from "../harness/task_context.js";
import type { ShuffleRun } from "../harness/shuffle/runs.js";
import { createSpillDir, removeSpillDir } from "../harness/shuffle/spill_dir.js";
import type { NextSplit, TaskInput, TaskResult, TaskSpec } from "./task_runner.js";
import { hasSharedPool, sharedPool } from "./worker_pool.js";
import { LIVE_LIMIT, LiveSamples } from "./live_samples.js";
import { Scheduler } from "./scheduler/scheduler.js";
import { StreamingSources } from "./streaming_sources.js";
import type { StageWatermarks } from "./scheduler/watermarks.js";

export class DirectRunner implements PipelineRunner {
  readonly name = "direct";

  run(request: RunRequest): PipelineResult {
    // A live PCollection (show of an unbounded one) is materialized task by task and handed over (live_samples.ts).
    const live = (request.live ?? []).filter((id) => request.collect?.[id] === undefined);
    const plan = planStages(request.graph, { ...Object.fromEntries(live.map((id) => [id, LIVE_LIMIT])), ...request.collect });
    const options = request.options;
    const parallelism = Math.max(1, Number(options.parallelism ?? 0) || defaultParallelism());
    // A sample run that stops its sources once it has its elements reads little: before the
    // worker threads exist it runs in this thread rather than wait for them to start (about a
    // second on a busy machine; `show` right after a script's first lines). Set inProcess:
    // false to always use the threads.
    const quickSample = options.inProcess === undefined && !hasSharedPool(parallelism) && !live.length && plan.stages.every((s) => earlyStopSamples(s) !== undefined);
    // Streaming runs in this thread: each shuffle partition's grouping state stays where its
    // tasks run (scheduler.ts, "pinned in the coordinator's process").
    const executor: TaskExecutor = options.inProcess === true || quickSample || plan.streaming ? new InlineExecutor() : sharedPool(parallelism);
    const coordinator = new Coordinator(randomUUID(), request.graph, plan, options, executor);
    // A collected PCollection that a Flatten also reads is materialized once, without a limit: keep it anyway.
    for (const id of Object.keys(request.collect ?? {})) coordinator.keepStream(id);
    if (request.live?.length) coordinator.live = new LiveSamples(request.graph, options, new Set(request.live));
    return new DirectPipelineResult(coordinator);
  }
}

/** A sample run's source stage: splits per worker thread, so that what is not needed is not started. */
const SAMPLE_SPLITS_PER_WORKER = 4;
/**
 * A source stage whose results all go into shuffles: splits per worker thread, so a thread
 * that falls behind (a busy machine) does not hold up the stage while the others idle — with
 * 3, one of WordCount's two threads idled a sixth of the run at its end, and with 8 (a split
 * of ~0.4 s each over 111 MB) still ~0.25 s. Each thread's task pulls split after split
 * (runTask), so a split costs a message, not a combiner table's flush and a sorted run. Not
 * for stages that write files or materialize: there each task is a file or a chunk.
 */
const SHUFFLE_SPLITS_PER_WORKER = 32;

function onlyShuffles(stage: Stage): boolean {
  return stage.ops.some((op) => op.kind === "shuffle_write") && stage.ops.every((op) => isElementWise(op) || op.kind === "shuffle_write");
}

function defaultParallelism(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * The memory a run's shuffles, groups and combiner tables may hold before they spill, in
 * bytes (the memoryBudgetMb option): by default 384 MiB or a quarter of the machine's
 * memory, whichever is less, so that a run's whole process stays under 1 GB (the threads'
 * own heaps and one key's group come on top). Shared among the worker threads.
 */
export function memoryBudgetBytes(options: PipelineOptions): number {
  const mb = options.memoryBudgetMb;
  if (mb === undefined) return Math.min(384 * 2 ** 20, Math.floor(totalmem() / 4));
  if (typeof mb !== "number" || !Number.isFinite(mb) || mb <= 0) {
    throw new Error(`the memoryBudgetMb option must be a positive number of MiB, got ${JSON.stringify(mb)}`);
  }
  return Math.floor(mb * 2 ** 20);
}

interface MaterializedData {
  /** In task order (a collected sample's first elements are its first split's), whatever order tasks finished in. */
  chunks: Uint8Array[];
  /** The index of the task that wrote each chunk. */
  tasks: number[];
  count: number;
  total: number;
  /** Every task read its whole input: `total` is the PCollection's size. */
  complete: boolean;
}

/** A sample run's stage that may stop early: the tasks' counts of its samples so far. */
interface SampleWatch {
  stage: string;
  limits: Map<string, number>;
  counts: Map<number, Record<string, number>>;
  /** Told the tasks to stop: the samples' totals are partial. */
  stopped: boolean;
}

class Coordinator {
  readonly metrics = new MetricsAggregator();
  readonly materialized = new Map<string, MaterializedData>();
  /** Per shuffle, per writer task, per partition: runs (small ones in memory, the rest spill-file references). */
  private readonly shuffles = new Map<string, ShuffleRun[][][]>();
  /** The run's spill directory (created when the run starts, removed when it ends, whatever the outcome). */
  private spillDir: string | undefined;
  private readonly budgetBytes: number;
  private readonly sinkResults = new Map<string, unknown[]>();
  private cancelled = false;
  /** Sample stages that may stop early, by stage id. */
  private readonly watches = new Map<string, SampleWatch>();
  /** Moves bundles between stages as watermarks allow (scheduler/). */
  private readonly scheduler: Scheduler;
  readonly events = new RunEventBus();
  /** Live samples (RunRequest.live): each task's elements handed over as a batch. */
  live: LiveSamples | undefined;
  readonly progress: ProgressReport;
  private readonly hooks: RunHooks;
  /** Streaming: TestStreams, unbounded reads and the run's clock. */
  private readonly streams: StreamingSources | undefined;
  /** Streaming: the materialized PCollections kept (side inputs, samples); undefined: all. */
  private readonly streamKept: Set<string> | undefined;
  private readonly collectedIds = new Set<string>();
  /** A collect asked for `pcollection`: streaming keeps what its tasks materialize of it. */
  keepStream(pcollection: string): void {
    this.collectedIds.add(pcollection);
    this.streamKept?.add(pcollection);
  }

  collects(pcollection: string): boolean {
    return this.collectedIds.has(pcollection);
  }

  constructor(
    readonly runId: string,
    readonly graph: PipelineGraph,
    readonly plan: ExecutionPlan,
    readonly options: PipelineOptions,
    private readonly executor: TaskExecutor,
  ) {
    this.budgetBytes = memoryBudgetBytes(options);
    this.streams = plan.streaming ? new StreamingSources(graph, options, this.metrics, executor.parallelism) : undefined;
    this.streamKept = plan.streaming
      ? new Set(plan.stages.flatMap((s) => [...s.sideInputs, ...s.ops.flatMap((op) => (op.kind === "materialize" && op.limit !== undefined ? [op.input] : []))]))
      : undefined;
    this.progress = new ProgressReport(graph, plan, (transforms) =>
      this.events.emit({ kind: "progress", at: Date.now(), transforms, watermarks: this.scheduler.watermarks.snapshot() }),
    );
    this.hooks = {
      output: (stream, text, transform) =>
        this.events.emit(transform === undefined ? { kind: "output", at: Date.now(), stream, text } : { kind: "output", at: Date.now(), stream, text, transform }),
      progress: (stageId, taskIndex, p) => {
        this.progress.update(stageId, taskIndex, p);
        this.sampleCounts(stageId, taskIndex, p.counts);
      },
    };
    this.scheduler = new Scheduler(plan, {
      sourceInputs: (stage) => this.sourceInputs(stage),
      openStream: (stage, feed) => this.streams?.open(stage, feed) ?? false,
      quiescent: () => this.streams?.next() ?? false,
      processingTime: () => this.streams?.processingTime() ?? { now: Date.now(), real: true },
      shuffleInputs: (stage) => this.shuffleInputs(stage),
      runTask: (stage, taskIndex, input, nextSplit) => this.runTask(stage, taskIndex, input, nextSplit),
      absorb: (stage, taskIndex, result) => this.absorb(stage, [result], taskIndex),
      cancelled: () => this.cancelled,
      stageStarted: (stage, wm) => this.stageEvent("stage-started", stage, wm),
      stageFinished: (stage, wm) => {
        // A sample stage told to stop: what it materialized is partial, whichever tasks ended first.
        if (this.watches.get(stage.id)?.stopped) {
          for (const op of stage.ops) {
            const m = op.kind === "materialize" ? this.materialized.get(op.input) : undefined;
            if (m) m.complete = false;
          }
        }
        this.stageEvent("stage-finished", stage, wm);
      },
    }, executor.parallelism);
  }

  private stageEvent(kind: "stage-started" | "stage-finished", stage: Stage, wm: StageWatermarks): void {
    this.events.emit({ kind, at: Date.now(), stage: stage.id, name: stageName(this.graph, stage), inputWatermark: wm.input, outputWatermark: wm.output });
  }

  /**
   * A sample run's early answer across tasks: once the stage's tasks together produced each
   * sample's n elements, the rest of the stage is not needed (each task also stops on its own
   * once its own samples are full).
   */
  private sampleCounts(stageId: string, taskIndex: number, counts: Record<string, number>): void {
    const w = this.watches.get(stageId);
    if (!w || w.stopped) return;
    w.counts.set(taskIndex, counts);
    for (const [pc, limit] of w.limits) {
      let sum = 0;
      for (const c of w.counts.values()) sum += c[pc] ?? 0;
      if (sum < limit) return;
    }
    w.stopped = true;
    this.executor.stopStage(this.runId, stageId);
    this.scheduler.stopStage(stageId);
    // Unbounded: once every sample has its elements and nothing else is wanted of the run
    // (no sink, no whole materialization), its sources end and the run drains to its end.
    if (this.plan.streaming && [...this.watches.values()].every((x) => x.stopped) && this.onlySamples()) this.scheduler.endStreams();
  }

  private onlySamples(): boolean {
    return this.plan.stages.every((s) => s.ops.every((op) => op.kind !== "sink" && !(op.kind === "materialize" && op.limit === undefined)));
  }

  private watchSamples(stage: Stage): SampleWatch | undefined {
    const samples = earlyStopSamples(stage);
    if (!samples) return undefined;
    const limits = new Map<string, number>();
    for (const op of stage.ops) if (op.kind === "materialize" && op.limit !== undefined) limits.set(op.input, op.limit);
    return { stage: stage.id, limits, counts: new Map(), stopped: false };
  }

  cancel(): void {
    this.cancelled = true;
    this.executor.cancelRun(this.runId);
    this.scheduler.cancel();
  }

  async execute(): Promise<void> {
    try {
      await this.executeStages();
    } finally {
      // Spill files are the run's alone: gone whether it succeeded, failed or was cancelled.
      await this.streams?.close();
      if (this.spillDir !== undefined) removeSpillDir(this.spillDir);
    }
  }

  private async executeStages(): Promise<void> {
    this.executor.beginRun(this.runId, this.graph, this.plan, this.options, this.hooks);
    let ended = false;
    try {
      if (this.plan.stages.some((s) => s.ops.some((op) => op.kind === "shuffle_write" || op.kind === "reshuffle_write"))) this.spillDir = createSpillDir(this.runId);
      if (this.cancelled) throw new Error("the pipeline was cancelled");
      for (const stage of this.plan.stages) {
        const w = this.watchSamples(stage);
        if (w) this.watches.set(stage.id, w);
      }
      // Stages run as their inputs allow, several at once; a failed task's stage aborts the
      // sinks its finished writers wrote (absorbed), and the run waits for running tasks first.
      await this.scheduler.execute();
      // Teardown before any sink commits: user code that output or threw after its last bundle
      // (a timer) fails the run here, and nothing is left under a final name.
      ended = true;
      await this.executor.endRun(this.runId);
      await this.finalizeSinks();
    } catch (e) {
      // The first failure is the run's; its teardown's own failure would only hide it.
      if (!ended) await this.executor.endRun(this.runId).catch(() => {});
      await this.abortSinks();
      throw e;
    }
  }

  /** A source stage's splits (one empty split for a source with none). */
  private async sourceInputs(stage: Stage): Promise<TaskInput[]> {
    const input = stage.input;
    if (input.kind !== "source") throw new Error(`stage ${stage.id} reads no source`);
    const p = this.executor.parallelism;
    const t = this.graph.transforms[input.transform]!;
    // A stage that may stop once its samples are full reads smaller splits: the tasks not
    // started when the stage has enough are dropped (SAMPLE_SPLITS_PER_WORKER).
    const desired = earlyStopSamples(stage) ? p * SAMPLE_SPLITS_PER_WORKER : onlyShuffles(stage) ? p * SHUFFLE_SPLITS_PER_WORKER : p;
    const splits = input.urn === Urns.CREATE
      ? splitCreate(t.payload as CreatePayload, p)
      : await sourceFor(input.urn)!.split(t.payload, desired).catch((e: Error) => {
          throw new Error(`${t.fullName}: ${e.message}`);
        });
    if (splits.length === 0) return [{ kind: "source", split: { start: 0, end: 0, empty: true } }];
    return splits.map((split) => ({ kind: "source", split }));
  }

  /** A shuffle-reading or reshuffle stage's partitions, once every writer is done. */
  private shuffleInputs(stage: Stage): TaskInput[] {
    const input = stage.input;
    if (input.kind === "shuffle") return this.takeShuffle(input.transform, this.executor.parallelism).map((runs) => ({ kind: "shuffle", runs }));
    if (input.kind === "reshuffle") return this.takeShuffle(input.transform, stage.numTasks!).map((runs) => ({ kind: "reshuffle", runs }));
    throw new Error(`stage ${stage.id} reads no shuffle`);
  }

  /** Runs one task; its stage's side inputs are complete (the scheduler waited for them). */
  private async runTask(stage: Stage, taskIndex: number, input: TaskInput, nextSplit?: NextSplit): Promise<TaskResult> {
    // A stage that only feeds shuffles reads many small splits (SHUFFLE_SPLITS_PER_WORKER), each
    // task pulling the next as it ends, so its combiner tables and shuffle runs are one per thread.
    const pulls = input.kind === "source" && nextSplit !== undefined && onlyShuffles(stage) && !earlyStopSamples(stage);
    if (pulls && input.kind === "source") input = { ...input, more: true };
    const side = new Map<string, Uint8Array[]>();
    for (const pc of stage.sideInputs) side.set(pc, this.materialized.get(pc)?.chunks ?? []);
    // numTasks: the tasks so far (a stage given bundles as they come does not know its total).
    const spec: TaskSpec = { runId: this.runId, stageId: stage.id, taskIndex, numTasks: taskIndex + 1, numPartitions: this.executor.parallelism, input };
    // At most `parallelism` tasks run at once: each may hold its share of the budget.
    if (this.spillDir !== undefined) spec.spill = { dir: this.spillDir, budgetBytes: Math.floor(this.budgetBytes / this.executor.parallelism) };
    try {
      const [result] = await this.executor.runTasks([spec], side, pulls ? nextSplit : undefined);
      return result!;
    } catch (e) {
      if (e instanceof StageFailure) throw e.failure;
      throw e;
    }
  }

  /** The runs of each partition from every writer task; forgotten once read. */
  private takeShuffle(transform: string, partitions: number): ShuffleRun[][] {
    const writers = this.shuffles.get(transform) ?? [];
    this.shuffles.delete(transform);
    return Array.from({ length: partitions }, (_, i) => writers.flatMap((w) => w[i] ?? []));
  }

  /** Finished tasks' results (`firstTask` is the first one's index): metrics, shuffles, materializations, sinks. */
  private absorb(stage: Stage, results: TaskResult[], firstTask = 0): void {
    const partial = this.watches.get(stage.id)?.stopped === true || results.some((r) => r.stoppedEarly === true);
    results.forEach((r, i) => {
      const task = firstTask + i;
      this.metrics.add(r.metrics);
      // Streaming runs in process, a task's counts final with its result: folded into its stage's.
      if (this.plan.streaming) this.progress.finished(stage.id, task, r.progress);
      else this.progress.update(stage.id, task, r.progress);
      for (const [id, parts] of Object.entries(r.output.shuffles)) {
        // Streaming: the scheduler made each writer's shuffle output a bundle of its reader.
        if (this.plan.streaming && this.plan.shuffles[id]) continue;
        let list = this.shuffles.get(id);
        if (!list) this.shuffles.set(id, (list = []));
        list.push(parts);
      }
      for (const [pc, m] of Object.entries(r.output.materialized)) {
        if (this.live?.has(pc)) {
          this.live.deliver(pc, m.chunks, this.scheduler.watermarks.snapshot().find((w) => w.stage === stage.id)?.output);
          // Kept only when a collect or a later stage reads it too; a live sample alone keeps nothing.
          if (this.liveOnly(pc)) continue;
        }
        // Streaming: a Flatten's input is handed on as bundles (the scheduler routed it); kept
        // only for a side input or a sample, so a long run does not accumulate its stream.
        if (this.streamKept && !this.streamKept.has(pc)) continue;
        const cur = this.materialized.get(pc);
        if (!cur) this.materialized.set(pc, { chunks: [...m.chunks], tasks: m.chunks.map(() => task), count: m.count, total: m.total, complete: !partial });
        else {
          let at = cur.tasks.length;
          while (at > 0 && cur.tasks[at - 1]! > task) at--;
          cur.chunks.splice(at, 0, ...m.chunks);
          cur.tasks.splice(at, 0, ...m.chunks.map(() => task));
          cur.count += m.count;
          cur.total += m.total;
          cur.complete &&= !partial;
        }
      }
    });
    this.absorbSinks(stage, results);
  }

  /** A live PCollection materialized for the live sample alone (its op's limit is LIVE_LIMIT). */
  private liveOnly(pc: string): boolean {
    return this.plan.stages.some((s) => s.ops.some((op) => op.kind === "materialize" && op.input === pc && op.limit === LIVE_LIMIT));
  }

  private absorbSinks(stage: Stage, results: TaskResult[]): void {
    for (const op of stage.ops) {
      if (op.kind !== "sink") continue;
      // A stage's tasks end one by one: each writer's result joins the sink's (finalize orders them by writer).
      let list = this.sinkResults.get(op.transform);
      if (!list) this.sinkResults.set(op.transform, (list = []));
      list.push(...results.map((r) => r.output.sinks[op.transform]));
    }
  }

  private async finalizeSinks(): Promise<void> {
    for (const [id, results] of this.sinkResults) {
      const t = this.graph.transforms[id]!;
      await sinkFor(t.urn)!.finalize(t.payload, results, { runId: this.runId, transform: t.fullName });
    }
  }

  private async abortSinks(): Promise<void> {
    // Every sink of the plan, not only those whose tasks finished: a writer of a failed stage
    // leaves the run's temporary directory, and one whose thread was stopped (cancel) its file;
    // a sink's abort finds them by name.
    for (const stage of this.plan.stages) {
      for (const op of stage.ops) {
        if (op.kind !== "sink") continue;
        const t = this.graph.transforms[op.transform]!;
        await sinkFor(t.urn)!.abort(t.payload, this.sinkResults.get(op.transform) ?? [], { runId: this.runId, transform: t.fullName }).catch(() => {});
      }
    }
  }
}

/** Local runs not finished yet: what a terminating process cancels (cancelActiveLocalRuns). */
const activeRuns = new Set<DirectPipelineResult>();

/**
 * Cancels every local run of this process still running and waits (at most `timeoutMs`) for
 * each to stop: writers aborted, temporary files removed. For a process told to terminate.
 */
export async function cancelActiveLocalRuns(timeoutMs = 2_000): Promise<number> {
  const runs = [...activeRuns].filter((r) => r.state === "RUNNING");
  await waitAtMost(Promise.all(runs.map((r) => r.cancel().catch(() => undefined))), timeoutMs).catch(() => undefined);
  return runs.length;
}

/** A local run: its state, its metrics, and what it collected. */
export class DirectPipelineResult implements PipelineResult {
  private _state: PipelineState = "RUNNING";
  private error: unknown;
  private readonly done: Promise<void>;
  private readonly decoded = new Map<string, CollectedSample>();

  constructor(private readonly coordinator: Coordinator) {
    const started = Date.now();
    const { events, options, runId } = coordinator;
    events.emit({ kind: "run-started", at: started, runner: "direct", jobId: runId, ...(options.name ? { jobName: options.name } : {}) });
    activeRuns.add(this);
    this.done = coordinator
      .execute()
      .then(
        () => {
          if (this._state === "RUNNING") this._state = "DONE";
        },
        (e) => {
          if (this._state === "RUNNING") this._state = "FAILED";
          this.error = e;
        },
      )
      .finally(() => activeRuns.delete(this))
      // Every output (teardown's too: endRun waited for it) is in; the totals and the end follow it.
      .then(() => events.ready())
      .then(() => {
        coordinator.progress.finish();
        const finished: RunEvent = { kind: "run-finished", at: Date.now(), state: this._state, durationMs: Date.now() - started };
        if (this._state === "FAILED") finished.error = this.error instanceof Error ? this.error.message : String(this.error);
        events.emit(finished);
      });
  }

  onEvent(listener: (event: RunEvent) => void): () => void {
    return this.coordinator.events.subscribe(listener);
  }

  onLiveSample(pcollectionId: string, listener: (batch: LiveSampleBatch) => void): () => void {
    return this.coordinator.live?.subscribe(pcollectionId, listener) ?? (() => {});
  }

  get state(): PipelineState {
    return this._state;
  }

  async waitUntilFinish(timeoutMillis?: number): Promise<PipelineState> {
    await waitAtMost(this.done, timeoutMillis);
    if (this._state === "FAILED") throw this.error;
    return this._state;
  }

  async cancel(): Promise<PipelineState> {
    if (this._state !== "RUNNING") return this._state;
    this._state = "CANCELLED";
    this.error = new Error("the pipeline was cancelled");
    this.coordinator.cancel();
    await this.done;
    return this._state;
  }

  metrics(): MetricResults {
    return this.coordinator.metrics.results();
  }

  collected(pcollectionId: string): CollectedSample | undefined {
    const cached = this.decoded.get(pcollectionId);
    if (cached) return cached;
    const m = this.coordinator.materialized.get(pcollectionId);
    if (!m) {
      // A streaming run's collected PCollection that no bundle reached (an empty stream): empty, not unknown.
      if (this.state === "DONE" && this.coordinator.collects(pcollectionId)) return { elements: [], truncated: false, total: 0 };
      return undefined;
    }
    const g = new GraphContext(this.coordinator.graph, this.coordinator.options);
    const coder = g.windowedValueCoder(pcollectionId);
    const elements: WindowedValue<unknown>[] = [];
    for (const c of m.chunks) {
      const r = new ByteReader(c);
      while (!r.atEnd()) elements.push(coder.decode(r));
    }
    const sample: CollectedSample = m.complete
      ? { elements, truncated: m.total > m.count, total: m.total }
      : { elements, truncated: true };
    this.decoded.set(pcollectionId, sample);
    return sample;
  }
}

registerRunner("direct", () => new DirectRunner());
