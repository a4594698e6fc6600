/**
 * The local runner's scheduler: moves **bundles** between fused stages and runs each as a
 * task as soon as the stage may read it, tracking every stage's watermarks
 * (watermarks.ts). Beam's Prism runner (its element manager) and the Python FnApiRunner are
 * the models; the rules:
 *
 * - **Sources**: a source stage's splits are its bundles (pending at −∞); its source
 *   watermark is +∞ once they are listed, so its input watermark is −∞ until the last split
 *   was read, then +∞.
 * - **Materialized inputs** (a Flatten, a cut before a side-input consumer): each finished
 *   task's materialized output becomes a bundle of every stage that reads it, at once — the
 *   consumer starts before its producers finished; until processed, the bundle holds the
 *   consumer's input watermark at its earliest element's timestamp.
 * - **Shuffles** (GroupByKey, a lifted Combine.perKey, a sink's reshuffle): the data the
 *   writers wrote is the reading stage's state; it holds the reader's output watermark
 *   (a hold) until the reader reads it. The reader's partitions become bundles when its input
 *   watermark reached what its timers need (`fireAt`): for bounded input and the default
 *   trigger, +∞ — every writer done.
 * - **Side inputs** are read only complete: no task of a stage starts before every side
 *   input's producer reached +∞.
 * - A stage has **finished** when its output watermark is +∞ (nothing pending, no hold); a
 *   stage that was given no bundle at all still runs one empty task (an empty sink shard,
 *   Combine.globally's default), as a stage always did.
 * - At most `slots` tasks run at once (the executor's parallelism); of the bundles that may
 *   run, the most downstream stage's go first (FIFO within a stage), so data moves on
 *   before more is read. A backlog of materialized bundles is shared among the free slots
 *   (batchSize) rather than run as many small tasks.
 *
 * **For operators that fire on watermark advances** (the group-also-by-window operator and
 * its triggers, harness/gabw): a task's result may carry `StageTimers` — the hold its
 * operators' state keeps and its earliest event-time timer. The scheduler keeps the hold on
 * the stage's output watermark (per partition) until a later result releases it, and asks
 * `fireAt` when the stage's input watermark allows it to read (today: the shuffle is read
 * whole, once, at +∞).
 */
import type { Instant } from "../../../sdk/values/time.js";
import type { ExecutionPlan, Stage } from "../plan.js";
import type { TaskInput, TaskResult } from "../task_runner.js";
import { WATERMARK_MAX, WATERMARK_MIN, WatermarkManager, type StageWatermarks, type StageWiring } from "./watermarks.js";

/** What a watermark-driven operator reports with a finished bundle (TaskResult.timers). */
export interface StageTimers {
  /** The earliest event time its state may still emit at: the stage's output watermark stays at or below it. WATERMARK_MAX: no hold. */
  hold: Instant;
  /** Its earliest event-time timer (WATERMARK_MAX: none): the stage is to run again once its input watermark passes it. */
  nextTimer: Instant;
}

/** What the scheduler needs from the coordinator. */
export interface StageHost {
  /** A source stage's splits (at least one: an empty source gets one empty split). */
  sourceInputs(stage: Stage): Promise<TaskInput[]>;
  /** A shuffle-reading (or reshuffle) stage's partitions, once it may read them. */
  shuffleInputs(stage: Stage): TaskInput[];
  /** Runs one task of a stage (side inputs are complete by then); rejects if it failed. */
  runTask(stage: Stage, taskIndex: number, input: TaskInput): Promise<TaskResult>;
  /** A finished task's output: metrics, shuffles, materializations, sinks. */
  absorb(stage: Stage, taskIndex: number, result: TaskResult): void;
  /** Whether the run was cancelled: no task starts after it. */
  cancelled(): boolean;
  stageStarted(stage: Stage, watermarks: StageWatermarks): void;
  stageFinished(stage: Stage, watermarks: StageWatermarks): void;
}

interface Bundle {
  id: string;
  input: TaskInput;
}

interface StageRun {
  stage: Stage;
  /** Position in the plan: later stages' bundles run first. */
  rank: number;
  queue: Bundle[];
  nextTask: number;
  started: boolean;
  finished: boolean;
  /** Sources: splits asked for; shuffles: partitions read. */
  opened: boolean;
  /** A sample's stage that has enough: bundles given to it later are dropped. */
  stopped: boolean;
}

/** A shuffle's data not read yet: its reader's state, held at −∞ (Beam's GABW holds its buffered elements). */
const UNREAD = "unread shuffle";
/** A materialized-input stage that has not run a task yet: it may still have to run once on nothing. */
const UNSTARTED = "not started";

/** A stage's main-input producers and side-input producers, from the plan. */
export function stageWiring(plan: ExecutionPlan): StageWiring[] {
  const materializer = new Map<string, string>();
  const writer = new Map<string, string>();
  for (const s of plan.stages) {
    for (const op of s.ops) {
      if (op.kind === "materialize") materializer.set(op.input, s.id);
      if (op.kind === "shuffle_write" || op.kind === "reshuffle_write") writer.set(op.transform, s.id);
    }
  }
  const need = (m: Map<string, string>, key: string, s: Stage, what: string) => {
    const id = m.get(key);
    if (id === undefined) throw new Error(`stage ${s.id} reads ${what} '${key}', which no stage writes`);
    return id;
  };
  return plan.stages.map((s) => {
    const input = s.input;
    const producers =
      input.kind === "source" ? [] :
      input.kind === "materialized" ? input.pcollections.map((pc) => need(materializer, pc, s, "the materialized PCollection")) :
      [need(writer, input.transform, s, "the shuffle of")];
    const w: StageWiring = { id: s.id, producers: [...new Set(producers)], sideProducers: [...new Set(s.sideInputs.map((pc) => need(materializer, pc, s, "the side input")))] };
    if (input.kind === "source") w.source = true;
    return w;
  });
}

export class Scheduler {
  readonly watermarks: WatermarkManager;
  private readonly runs = new Map<string, StageRun>();
  /** PCollection → the stages reading it as materialized main input, with its positions there. */
  private readonly readers = new Map<string, Array<{ run: StageRun; positions: number[] }>>();
  private inFlight = 0;
  private opening = 0;
  private bundleSeq = 0;
  private failure: { error: unknown } | undefined;
  private settle: { resolve(): void; reject(e: unknown): void } | undefined;

  constructor(private readonly plan: ExecutionPlan, private readonly host: StageHost, private readonly slots: number) {
    this.watermarks = new WatermarkManager(stageWiring(plan));
    plan.stages.forEach((stage, rank) => {
      const run: StageRun = { stage, rank, queue: [], nextTask: 0, started: false, finished: false, opened: false, stopped: false };
      this.runs.set(stage.id, run);
      if (stage.input.kind === "shuffle" || stage.input.kind === "reshuffle") this.watermarks.setHold(stage.id, UNREAD, WATERMARK_MIN);
      if (stage.input.kind === "materialized") {
        this.watermarks.setHold(stage.id, UNSTARTED, WATERMARK_MIN);
        const positions = new Map<string, number[]>();
        stage.input.pcollections.forEach((pc, i) => positions.set(pc, [...(positions.get(pc) ?? []), i]));
        for (const [pc, ps] of positions) {
          let list = this.readers.get(pc);
          if (!list) this.readers.set(pc, (list = []));
          list.push({ run, positions: ps });
        }
      }
    });
  }

  /** Runs the plan to the end; rejects with the first failure once no task is running any more. */
  execute(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.pump();
    });
  }

  /**
   * A sample's stage has what it needs: its queued bundles are dropped, and bundles given to
   * it later too (the coordinator also tells the executor, which stops the running tasks).
   */
  stopStage(stageId: string): void {
    const run = this.runs.get(stageId);
    if (!run || run.stopped) return;
    run.stopped = true;
    for (const b of run.queue) this.watermarks.removePending(stageId, b.id);
    run.queue.length = 0;
    this.watermarks.clearHold(stageId, UNSTARTED);
    queueMicrotask(() => this.pump());
  }

  /** The run was cancelled: no task starts any more; settles (rejecting) once none runs. */
  cancel(): void {
    this.fail(new Error("the pipeline was cancelled"));
    queueMicrotask(() => this.pump());
  }

  private fail(error: unknown): void {
    if (!this.failure) this.failure = { error };
  }

  private enqueue(run: StageRun, input: TaskInput, minTimestamp: Instant = WATERMARK_MIN): void {
    if (run.stopped) return;
    const id = `b${this.bundleSeq++}`;
    run.queue.push({ id, input });
    this.watermarks.addPending(run.stage.id, id, minTimestamp);
  }

  /** Opens what may open, advances watermarks, starts what may start; settles at the end. */
  private pump(): void {
    if (!this.settle) return;
    if (!this.failure && this.host.cancelled()) this.fail(new Error("the pipeline was cancelled"));
    if (!this.failure) {
      try {
        this.advance();
        this.dispatch();
      } catch (e) {
        this.fail(e);
      }
    }
    if (this.inFlight > 0 || this.opening > 0) return;
    const settle = this.settle;
    if (this.failure) {
      this.settle = undefined;
      settle.reject(this.failure.error);
    } else if ([...this.runs.values()].every((r) => r.finished)) {
      this.settle = undefined;
      settle.resolve();
    } else if (![...this.runs.values()].some((r) => r.queue.length > 0)) {
      this.settle = undefined;
      const stuck = this.watermarks.snapshot().filter((w) => !this.runs.get(w.stage)!.finished);
      settle.reject(new Error(`the local runner's scheduler has nothing to run, but stages ${stuck.map((w) => `${w.stage} (input watermark ${w.input}, output ${w.output})`).join(", ")} did not finish`));
    }
  }

  /** Opens sources and shuffles that may be read, until the watermarks settle; reports finished stages. */
  private advance(): void {
    for (;;) {
      let opened = false;
      for (const run of this.runs.values()) opened = this.open(run) || opened;
      const changed = this.watermarks.refresh();
      for (const c of changed) {
        const run = this.runs.get(c.stage)!;
        if (c.output < WATERMARK_MAX || run.finished) continue;
        run.finished = true;
        if (!run.started) {
          run.started = true;
          this.host.stageStarted(run.stage, c);
        }
        this.host.stageFinished(run.stage, c);
      }
      if (!opened && changed.length === 0) return;
    }
  }

  /** Gives a stage its first bundles where it may have them now: a source's splits, a shuffle's partitions, an empty input. */
  private open(run: StageRun): boolean {
    if (run.opened || run.stopped) return false;
    const { stage } = run;
    const id = stage.id;
    if (!this.watermarks.sideInputsReady(id)) return false;
    switch (stage.input.kind) {
      case "source": {
        run.opened = true;
        this.opening++;
        this.host.sourceInputs(stage).then(
          (inputs) => {
            for (const input of inputs) this.enqueue(run, input);
            this.watermarks.setSourceWatermark(id, WATERMARK_MAX);
          },
          (e) => this.fail(e),
        ).finally(() => {
          this.opening--;
          this.pump();
        });
        return true;
      }
      case "shuffle":
      case "reshuffle":
        if (this.watermarks.upstream(id) < this.fireAt(stage)) return false;
        run.opened = true;
        for (const input of this.host.shuffleInputs(stage)) this.enqueue(run, input);
        this.watermarks.clearHold(id, UNREAD);
        return true;
      case "materialized": {
        // Bundles come as producers' tasks finish (route); one given none runs once on nothing.
        if (run.nextTask > 0 || run.queue.length > 0) {
          run.opened = true;
          return false;
        }
        if (this.watermarks.upstream(id) < WATERMARK_MAX) return false;
        run.opened = true;
        this.enqueue(run, { kind: "materialized", parts: stage.input.pcollections.map((pc) => ({ pcollection: pc, chunks: [] })) });
        return true;
      }
    }
  }

  /**
   * The input watermark at which a shuffle-reading stage reads its partitions: what its
   * timers need. For bounded input under the default trigger (one pane per key and window),
   * +∞: every writer done. Triggers firing earlier (issue 14) lower it.
   */
  private fireAt(_stage: Stage): Instant {
    return WATERMARK_MAX;
  }

  private dispatch(): void {
    while (this.inFlight < this.slots && !this.failure) {
      let pick: StageRun | undefined;
      for (const run of this.runs.values()) {
        if (run.queue.length === 0 || !this.watermarks.sideInputsReady(run.stage.id)) continue;
        if (!pick || run.rank > pick.rank) pick = run;
      }
      if (!pick) return;
      this.start(pick, pick.queue.splice(0, this.batchSize(pick)));
    }
  }

  /**
   * How many queued bundles the next task of a stage reads: one, except for materialized
   * inputs with a backlog (bundles that waited for a side input, or arrived faster than they
   * ran), which are shared among the free slots instead of run as many small tasks.
   */
  private batchSize(run: StageRun): number {
    if (run.stage.input.kind !== "materialized") return 1;
    return Math.max(1, Math.ceil(run.queue.length / Math.max(1, this.slots - this.inFlight)));
  }

  private start(run: StageRun, bundles: Bundle[]): void {
    const { stage } = run;
    if (!run.started) {
      run.started = true;
      this.host.stageStarted(stage, { stage: stage.id, input: this.watermarks.input(stage.id), output: this.watermarks.output(stage.id) });
    }
    const taskIndex = run.nextTask++;
    if (taskIndex === 0) this.watermarks.clearHold(stage.id, UNSTARTED);
    this.inFlight++;
    const input: TaskInput = bundles.length === 1 ? bundles[0]!.input : { kind: "materialized", parts: bundles.flatMap((b) => (b.input.kind === "materialized" ? b.input.parts : [])) };
    this.host.runTask(stage, taskIndex, input).then(
      (result) => {
        try {
          this.host.absorb(stage, taskIndex, result);
          this.route(result);
          if (result.timers) this.watermarks.setHold(stage.id, `task ${taskIndex}`, result.timers.hold);
        } catch (e) {
          this.fail(e);
        }
      },
      (e) => this.fail(e),
    ).finally(() => {
      for (const b of bundles) this.watermarks.removePending(stage.id, b.id);
      this.inFlight--;
      this.pump();
    });
  }

  /** A task's materialized outputs become bundles of the stages reading them, pending at their earliest timestamp. */
  private route(result: TaskResult): void {
    for (const [pc, m] of Object.entries(result.output.materialized)) {
      if (m.chunks.length === 0) continue;
      for (const { run, positions } of this.readers.get(pc) ?? []) {
        this.enqueue(run, { kind: "materialized", parts: positions.map(() => ({ pcollection: pc, chunks: m.chunks })) }, m.minTimestamp ?? WATERMARK_MIN);
      }
    }
  }
}
