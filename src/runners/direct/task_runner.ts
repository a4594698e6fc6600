/**
 * Runs one task of a stage: reads its input, pushes every element through the
 * stage's fused operators, and returns what the stage writes (shuffle partitions,
 * materialized PCollections, sink results) with its metrics. The same code runs in
 * worker threads and, for the Flink runner, in the Node worker process.
 */
import { Urns, type PipelineGraph, type TransformNode } from "../../graph/types.js";
import { sinkFor, sourceFor, type SourceSplit } from "../../io/registry.js";
import { ByteReader } from "../../sdk/coders/byte_io.js";
import { coderFromSpec, type Coder } from "../../sdk/coders/coder.js";
import { MetricsContainer, containerUpdates, setCurrentMetricsContainer, type MetricUpdates } from "../../sdk/metrics/metrics.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import type { CombineFn } from "../../sdk/transforms/combine_fn.js";
import type { DoFn } from "../../sdk/transforms/do_fn.js";
import { WindowedValue as WV } from "../../sdk/values/windowed_value.js";
import { PaneInfo } from "../../sdk/values/pane.js";
import { TIMESTAMP_MIN } from "../../sdk/values/time.js";
import { UserCodeError } from "../shared/user_code_error.js";
import { closeRun, openRun, takeLateOutputError, withinRun } from "../shared/late_output.js";
import { accumulatorCoder, kvCoders } from "../harness/coders.js";
import { buildElementWise, loadUserFn } from "../harness/stage_builder.js";
import { readCreateSplit } from "../harness/inputs/create_input.js";
import { GroupByKeyReader } from "../harness/inputs/group_by_key_read.js";
import { readCombinePartition } from "../harness/inputs/combine_merge_read.js";
import { readWindowedValues } from "../harness/inputs/windowed_values_read.js";
import { StreamingGroupRead, type StreamTime } from "../harness/inputs/streaming_group_read.js";
import { EncodabilityCheck } from "../harness/operators/encodability_check.js";
import { GroupByKeyWrite } from "../harness/operators/group_by_key_write.js";
import { MaterializeOp } from "../harness/operators/materialize_op.js";
import { PairWithOneIntoPrecombine } from "../harness/operators/pair_with_one_into_precombine.js";
import { PrecombineWrite } from "../harness/operators/precombine_write.js";
import type { Operator, Receiver } from "../harness/operators/receiver.js";
import { ReshuffleWrite } from "../harness/operators/reshuffle_write.js";
import { forEachKeyGroup } from "../harness/shuffle/key_groups.js";
import { forEachRunChunk, type ShuffleRun } from "../harness/shuffle/runs.js";
import { ShuffleWriter, type SpillConfig } from "../harness/shuffle/writer.js";
import { SinkOp } from "../harness/operators/sink_op.js";
import type { CombinePayload } from "../../sdk/transforms/combine.js";
import { earlyStopSamples, type ExecutionPlan, type Stage } from "./plan.js";
import type { StageTimers } from "./scheduler/scheduler.js";
import { newOpTime, StageTiming } from "../harness/op_timing.js";
import { SideInputs } from "../harness/side_inputs.js";
import { GraphContext, TaskMetrics, type TaskOutput } from "../harness/task_context.js";
import { CountingWiring, TaskCounts, type TaskProgress } from "../harness/task_counts.js";

export type TaskInput =
  /**
   * A source's split. `more`: once it is read, the task asks the coordinator for the stage's
   * next split (a `nextSplit` function given to runTask) until none is left, as Flink's source
   * tasks pull input splits: a faster thread reads more of the input, and the task's combiner
   * tables and shuffle output are one per thread, not one per split.
   */
  | { kind: "source"; split: SourceSplit; more?: true }
  /**
   * A partition of a sorted shuffle: every writer task's runs (harness/shuffle). Streaming
   * (`time` set): the runs written since the partition's last task, read by the partition's
   * grouping that lives across tasks (streaming_group_read.ts) at that time; no runs: a
   * timer-only task.
   */
  | { kind: "shuffle"; runs: ShuffleRun[]; partition?: number; time?: StreamTime }
  | { kind: "materialized"; parts: Array<{ pcollection: string; chunks: Uint8Array[] }> }
  /** A partition (shard) of a reshuffle: runs of encoded elements. */
  | { kind: "reshuffle"; runs: ShuffleRun[] };

/** Asks the coordinator for the task's next split (a `more` source input); undefined: none is left. */
export type NextSplit = () => Promise<SourceSplit | undefined>;

export interface TaskSpec {
  runId: string;
  stageId: string;
  taskIndex: number;
  numTasks: number;
  /** How many partitions each shuffle this stage writes has. */
  numPartitions: number;
  input: TaskInput;
  /**
   * Where the task's shuffle writers spill and how much memory they may hold together (its
   * share of the memoryBudgetMb option). Absent: they keep everything in memory.
   */
  spill?: { dir: string; budgetBytes: number };
}

export interface TaskResult {
  output: TaskOutput;
  metrics: MetricUpdates;
  /** The task's final element counts. */
  progress: TaskProgress;
  /**
   * A sample run's early answer: the task stopped reading its source once its samples had
   * their elements (or the coordinator said the stage had enough, or it never started): its
   * samples' totals count only what it read.
   */
  stoppedEarly?: boolean;
  /**
   * What the stage's watermark-driven operators (a group-also-by-window, its triggers) keep
   * after this task: their watermark hold and next timer, for the scheduler
   * (scheduler/scheduler.ts). Absent: they hold nothing.
   */
  timers?: StageTimers;
}

/**
 * How long a run's end waits for callbacks its user code left behind (a timer set in
 * finishBundle): one that outputs or throws in that time still fails the run.
 */
const STRAY_CALLBACK_WAIT_MS = 10;

/** Thrown at a source's element boundary to stop reading it (never escapes runTask). */
const EARLY_STOP = Symbol("flowbook.earlyStop");

interface RunState {
  g: GraphContext;
  plan: ExecutionPlan;
  sideInputs: SideInputs;
  /** Rebuilt user functions by transform id, set up once per thread and run. */
  fns: Map<string, Promise<unknown>>;
  setUp: Array<{ fn: DoFn<unknown, unknown>; transform: string }>;
  /** Stages the coordinator said have collected enough (a sample run's early answer). */
  stopped: Set<string>;
  /** Cancelled (a runner with stopOnCancel): its running task stops at its next element. */
  cancelled?: boolean;
  /** Streaming: each shuffle partition's grouping, kept across tasks (by stage/partition). */
  groups: Map<string, StreamingGroupRead>;
}

export class TaskRunner {
  private readonly runs = new Map<string, RunState>();

  /**
   * stopOnCancel: cancelRun stops a running task at its next element (a runner in the host's
   * thread, which cannot abandon a task the way the pool terminates a worker thread). Off for
   * the pool's workers: they are terminated, and the check would cost a call per element.
   */
  constructor(private readonly options: { stopOnCancel?: boolean } = {}) {}

  beginRun(runId: string, graph: PipelineGraph, plan: ExecutionPlan, options: PipelineOptions): void {
    // Late outputs and stray errors are recorded under the run's options (as ParDoOp records
    // them): a copy of its own, so two runs of one pipeline in one thread never share a key.
    const g = new GraphContext(graph, { ...options });
    openRun(g.options);
    this.runs.set(runId, { g, plan, sideInputs: new SideInputs(g), fns: new Map(), setUp: [], stopped: new Set(), groups: new Map() });
  }

  hasRun(runId: string): boolean {
    return this.runs.has(runId);
  }

  hasSideInput(runId: string, pcollection: string): boolean {
    return this.run(runId).sideInputs.has(pcollection);
  }

  addSideInput(runId: string, pcollection: string, chunks: Uint8Array[]): void {
    this.run(runId).sideInputs.add(pcollection, chunks);
  }

  /**
   * The stage has collected enough (its samples, across tasks): its running tasks stop at
   * their next element, those not started yet do not read at all.
   */
  stopStage(runId: string, stageId: string): void {
    this.runs.get(runId)?.stopped.add(stageId);
  }

  /** With stopOnCancel: the run's running task fails at its next element, those not started at once. */
  cancelRun(runId: string): void {
    const st = this.runs.get(runId);
    if (st) st.cancelled = true;
  }

  /**
   * Calls teardown on every DoFn set up for the run and forgets it. Callbacks the run's user
   * code left (a timer set in finishBundle) get a moment first: one that output after its bundle
   * ended, or threw, fails the run here, after teardown (rejects with its error).
   */
  async endRun(runId: string): Promise<void> {
    const st = this.runs.get(runId);
    if (!st) return;
    this.runs.delete(runId);
    const key = st.g.options;
    await new Promise((resolve) => setTimeout(resolve, STRAY_CALLBACK_WAIT_MS));
    await withinRun(key, st.setUp.map((s) => s.transform), async () => {
      for (const { fn, transform } of st.setUp) {
        // The transform's container is current, as for its other methods: output and metrics are named by it.
        const prev = setCurrentMetricsContainer(new MetricsContainer(transform));
        try {
          await fn.teardown();
        } catch {
          // teardown is best effort, as in Beam
        } finally {
          setCurrentMetricsContainer(prev);
        }
      }
    });
    closeRun(key);
    const late = takeLateOutputError(key);
    if (late) throw late;
  }

  private run(runId: string): RunState {
    const st = this.runs.get(runId);
    if (!st) throw new Error(`unknown run ${runId}`);
    return st;
  }

  /** Setup's metrics count in the task that first needed the function. */
  private userFn<T>(st: RunState, transformId: string, serialized: unknown, setup: boolean, metrics?: TaskMetrics): Promise<T> {
    let p = st.fns.get(transformId);
    if (!p) {
      p = loadUserFn<unknown>(st.g, transformId, serialized, setup, metrics).then((fn) => {
        if (setup) st.setUp.push({ fn: fn as DoFn<unknown, unknown>, transform: st.g.transform(transformId).fullName });
        return fn;
      });
      st.fns.set(transformId, p);
    }
    return p as Promise<T>;
  }

  /**
   * Runs a task; `counts` may be read while it runs (live progress). Its user code's timers and
   * callbacks keep the run's scope (shared/late_output.ts): one that throws fails this run.
   */
  async runTask(spec: TaskSpec, counts = new TaskCounts(), nextSplit?: NextSplit): Promise<TaskResult> {
    const st = this.run(spec.runId);
    const stage = st.plan.stages.find((s) => s.id === spec.stageId);
    if (!stage) throw new Error(`unknown stage ${spec.stageId}`);
    const user = stage.ops.flatMap((op) => (op.kind === "pardo" || op.kind === "combine_values" ? [st.g.transform(op.transform).fullName] : []));
    return withinRun(st.g.options, user, async () => {
      // An earlier task's callback failed the run (in a stage with no ParDo to notice it).
      const early = takeLateOutputError(st.g.options);
      if (early) throw early;
      const result = await this.runStageTask(st, stage, spec, counts, nextSplit);
      const late = takeLateOutputError(st.g.options);
      if (late) throw late;
      return result;
    });
  }

  private async runStageTask(st: RunState, stage: Stage, spec: TaskSpec, counts: TaskCounts, nextSplit: NextSplit | undefined): Promise<TaskResult> {
    const metrics = new TaskMetrics();
    const output: TaskOutput = { shuffles: {}, materialized: {}, sinks: {} };
    const samples = earlyStopSamples(stage);
    if (samples && st.stopped.has(stage.id)) return { output, metrics: containerUpdates([]), progress: counts.snapshot(), stoppedEarly: true };
    const built = await this.build(st, stage, spec, metrics, counts);
    const wiring = built.wiring;
    let head = built.head;
    let stoppedEarly = false;
    let timers: StageTimers | void = undefined;
    if (this.options.stopOnCancel) {
      if (st.cancelled) throw new Error("the pipeline was cancelled");
      const next = head;
      head = {
        process(wv) {
          if (st.cancelled) throw new Error("the pipeline was cancelled");
          next.process(wv);
        },
      };
    }
    if (samples) {
      // Stop reading once every sample of the stage is full, or the stage as a whole has enough.
      const full = samples.map((pc) => built.materialize.get(pc)!);
      const stopped = st.stopped;
      const next = head;
      head = {
        process(wv) {
          next.process(wv);
          if (stopped.has(stage.id) || full.every((m) => m.full)) throw EARLY_STOP;
        },
      };
    }
    try {
      for (const op of built.ops) await op.start();
      const readStart = performance.now();
      try {
        timers = await this.feed(st, stage, spec, head, metrics, counts, wiring, nextSplit);
      } catch (e) {
        if (e !== EARLY_STOP) throw e;
        stoppedEarly = true;
      }
      const reader = "transform" in stage.input ? stage.input.transform : undefined;
      if (reader !== undefined) counts.inputRead(st.g.transform(reader).fullName, performance.now() - readStart);
      // What a finish sets off downstream (a pre-combine's flush, a sink's last writes) is timed in full.
      for (const op of built.ops) await built.timing.during(() => op.finish());
    } catch (e) {
      for (const op of built.ops) await op.abort?.().catch(() => {});
      throw e;
    }
    for (const [id, w] of built.shuffles) output.shuffles[id] = w.takeRuns();
    for (const [id, w] of built.reshuffles) output.shuffles[id] = w.takeRuns();
    for (const [pc, m] of built.materialize) output.materialized[pc] = { chunks: m.out.take(), count: m.out.count, total: m.total, minTimestamp: m.minTimestamp };
    for (const [id, s] of built.sinks) output.sinks[id] = s.result;
    const result: TaskResult = { output, metrics: containerUpdates(metrics.containers.values()), progress: counts.snapshot() };
    if (stoppedEarly) result.stoppedEarly = true;
    if (timers) result.timers = timers;
    return result;
  }

  private async build(st: RunState, stage: Stage, spec: TaskSpec, metrics: TaskMetrics, counts: TaskCounts) {
    const { g } = st;
    const wiring = new CountingWiring(g, counts, `${stage.id}/${spec.taskIndex}`);
    const receiverOf = (pc: string) => wiring.receiverOf(pc);
    const env = { sideInputs: st.sideInputs, metrics, userFn: <T>(id: string, fn: unknown, setup: boolean) => this.userFn<T>(st, id, fn, setup, metrics) };
    const ops: Operator[] = [];
    // Each operator's own time, sampled (op_timing.ts): where a slow stage's time goes.
    const timing = new StageTiming();
    counts.timedBy(timing);
    const shuffles = new Map<string, ShuffleWriter>();
    const reshuffles = new Map<string, ReshuffleWrite>();
    const materialize = new Map<string, MaterializeOp>();
    const sinks = new Map<string, SinkOp>();
    const sideSpecs = stage.ops.flatMap((op) => ("transform" in op ? Object.values(g.transform(op.transform).sideInputs ?? {}) : []));
    await st.sideInputs.prepare(sideSpecs);
    // The task's memory budget, shared by the stage's shuffle writers (a lifted combine's
    // table takes half of its writer's share).
    const writers = stage.ops.filter((op) => op.kind === "shuffle_write" || op.kind === "reshuffle_write").length;
    const spillOf = (name: string, part = 1): SpillConfig | undefined =>
      spec.spill && { dir: spec.spill.dir, budgetBytes: Math.floor((spec.spill.budgetBytes / Math.max(1, writers)) * part), name: `${stage.id}-${spec.taskIndex}-${name}` };

    for (let i = stage.ops.length - 1; i >= 0; i--) {
      const op = stage.ops[i]!;
      let built: Operator;
      switch (op.kind) {
        case "pardo":
        case "window_into":
        case "combine_values":
          built = await buildElementWise(op, wiring, env);
          // Count.perElement's Init fused into its combine skips the wiring: one output per input.
          if (built instanceof PairWithOneIntoPrecombine && op.kind === "pardo") for (const pc of Object.values(op.outputs)) counts.alias(pc, op.input);
          break;
        case "shuffle_write": {
          const t = g.transform(op.transform);
          const w = new ShuffleWriter(spec.numPartitions, spillOf(t.id, op.lifted ? 0.5 : 1));
          shuffles.set(t.id, w);
          const { key, value } = kvCoders(g.coder(op.input));
          if (op.lifted) {
            const payload = t.payload as CombinePayload;
            const fn = await this.userFn<CombineFn<unknown, unknown, unknown>>(st, t.id, payload.combineFn, false);
            built = new PrecombineWrite(t.fullName, fn, key, g.windowCoder(op.input), accumulatorCoder(payload),
              g.strategy(op.input).timestampCombiner, w, metrics.for(t.fullName), spillOf(t.id, 0.5)?.budgetBytes);
          } else {
            built = new GroupByKeyWrite(t.fullName, key, value, g.windowCoder(op.input), w);
          }
          break;
        }
        case "reshuffle_write": {
          const w = new ReshuffleWrite(g.windowedValueCoder(op.input), op.partitions, spec.taskIndex, spillOf(op.transform));
          reshuffles.set(op.transform, w);
          built = w;
          break;
        }
        case "materialize": {
          const m = new MaterializeOp(g.windowedValueCoder(op.input), op.limit);
          materialize.set(op.input, m);
          built = m;
          break;
        }
        case "sink": {
          const t = g.transform(op.transform);
          const impl = sinkFor(op.urn)!;
          const s = new SinkOp(impl, t.payload, { runId: spec.runId, writerIndex: spec.taskIndex, transform: t.fullName, metrics: metrics.for(t.fullName) });
          sinks.set(t.id, s);
          built = s;
          break;
        }
      }
      if ("transform" in op) {
        const time = newOpTime();
        timing.time(built, time);
        counts.time(g.transform(op.transform).fullName, time);
      }
      ops.unshift(built);
      wiring.consume(op.input, built);
    }
    return { ops, head: timing.head(receiverOf(stage.input.output)), shuffles, reshuffles, materialize, sinks, wiring, timing };
  }

  /** Reads one split of a source stage's source into `head`. */
  private splitReader(g: GraphContext, input: Stage["input"] & { kind: "source" }, t: TransformNode, head: Receiver, metrics: TaskMetrics, counts: TaskCounts): (split: SourceSplit) => Promise<void> {
    if (input.urn === Urns.CREATE) return async (split) => readCreateSplit(t.payload as never, g.coder(input.output), split, head);
    const impl = sourceFor(input.urn)!;
    counts.readsInto(metrics.for(t.fullName));
    // One reused element object: receivers never keep a WindowedValue past process().
    const wv = { value: undefined as unknown, timestamp: TIMESTAMP_MIN, windows: WV.GLOBAL_WINDOWS, pane: PaneInfo.NO_FIRING };
    const emit = (value: unknown, timestamp?: number) => {
      wv.value = value;
      wv.timestamp = timestamp ?? TIMESTAMP_MIN;
      head.process(wv);
    };
    const context = { metrics: metrics.for(t.fullName), transform: t.fullName };
    return (split) =>
      impl.read(t.payload, split, emit, context).catch((e) => {
        throw e instanceof UserCodeError || e === EARLY_STOP ? e : new Error(`${t.fullName}: ${(e as Error).message}`);
      });
  }

  private async feed(st: RunState, stage: Stage, spec: TaskSpec, head: Receiver, metrics: TaskMetrics, counts: TaskCounts, wiring: CountingWiring, nextSplit: NextSplit | undefined): Promise<StageTimers | void> {
    const { g } = st;
    const input = stage.input;
    switch (input.kind) {
      case "source": {
        // Streaming: a bundle a TestStream or an unbounded reader gave (encoded windowed values).
        if (spec.input.kind === "materialized") {
          for (const part of spec.input.parts) readWindowedValues(part.chunks, g.windowedValueCoder(part.pcollection), head);
          return;
        }
        if (spec.input.kind !== "source") throw new Error("task input does not match the stage");
        const t = g.transform(input.transform);
        const readSplit = this.splitReader(g, input, t, head, metrics, counts);
        let split: SourceSplit | undefined = spec.input.split;
        while (split !== undefined) {
          await readSplit(split);
          split = spec.input.more && nextSplit ? await nextSplit() : undefined;
        }
        return;
      }
      case "shuffle": {
        if (spec.input.kind !== "shuffle") throw new Error("task input does not match the stage");
        const t = g.transform(input.transform);
        const inPc = Object.values(t.inputs)[0]!;
        const { key, value } = kvCoders(g.coder(inPc));
        const strategy = g.strategy(inPc);
        if (spec.input.time !== undefined) return this.readStreaming(st, stage, spec.input, head, metrics, wiring);
        if (input.lifted) {
          const payload = t.payload as CombinePayload;
          const fn = await this.userFn<CombineFn<unknown, unknown, unknown>>(st, t.id, payload.combineFn, false);
          const out = wiring.checks ? new EncodabilityCheck(head, g.coder(input.output), t.fullName, g.pcollectionName(input.output), wiring.sampler(`encode ${input.output}`)) : head;
          return readCombinePartition(spec.input.runs, fn, key, accumulatorCoder(payload), strategy, out, t.fullName, metrics.for(t.fullName));
        }
        // The partition's runs merged key by key: one key's records in memory at a time.
        const reader = new GroupByKeyReader(key, value, strategy, head, t.fullName, metrics.for(t.fullName));
        forEachKeyGroup(spec.input.runs, (k, records) => reader.readKey(k, 0, k.length, records));
        return;
      }
      case "materialized": {
        if (spec.input.kind !== "materialized") throw new Error("task input does not match the stage");
        for (const part of spec.input.parts) readWindowedValues(part.chunks, g.windowedValueCoder(part.pcollection), head);
        return;
      }
      case "reshuffle": {
        if (spec.input.kind !== "reshuffle") throw new Error("task input does not match the stage");
        const coder = g.windowedValueCoder(input.output);
        for (const run of spec.input.runs) forEachRunChunk(run, (chunk) => readWindowedValues([chunk], coder, head));
        return;
      }
    }
  }

  /**
   * A streaming shuffle partition's task: its grouping (created at its first task, kept in
   * this thread's run state) reads the new runs at the task's time; what it keeps goes back
   * to the scheduler as the stage's hold and timers.
   */
  private async readStreaming(st: RunState, stage: Stage, input: TaskInput & { kind: "shuffle" }, head: Receiver, metrics: TaskMetrics, wiring: CountingWiring): Promise<StageTimers> {
    const { g } = st;
    const si = stage.input as Stage["input"] & { kind: "shuffle" };
    const t = g.transform(si.transform);
    const id = `${stage.id}/${input.partition ?? 0}`;
    let group = st.groups.get(id);
    if (!group) {
      const inPc = Object.values(t.inputs)[0]!;
      const { key, value } = kvCoders(g.coder(inPc));
      if (si.lifted) {
        const payload = t.payload as CombinePayload;
        const fn = await this.userFn<CombineFn<unknown, unknown, unknown>>(st, t.id, payload.combineFn, false);
        group = new StreamingGroupRead(key, accumulatorCoder(payload), g.strategy(inPc), t.fullName, fn);
      } else {
        group = new StreamingGroupRead(key, value, g.strategy(inPc), t.fullName);
      }
      st.groups.set(id, group);
    }
    const out = si.lifted && wiring.checks ? new EncodabilityCheck(head, g.coder(si.output), t.fullName, g.pcollectionName(si.output), wiring.sampler(`encode ${si.output}`)) : head;
    const prev = setCurrentMetricsContainer(metrics.for(t.fullName));
    try {
      return group.read(input.runs, input.time!, out, metrics.for(t.fullName));
    } finally {
      setCurrentMetricsContainer(prev);
    }
  }
}
