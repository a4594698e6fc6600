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
 * operators' state keeps and its earliest event-time and processing-time timers. The
 * scheduler keeps the hold on the stage's output watermark (per partition) until a later
 * result releases it. Bounded plans read a shuffle whole, once, at +∞ (`fireAt`).
 *
 * **Streaming** (the plan has an unbounded PCollection: a TestStream, an unbounded read) is
 * the same scheduler with sources that end later:
 *
 * - a streaming source (StageHost.openStream) gives bundles over time and moves its source
 *   watermark itself (StreamFeed); the stage ends when that watermark reaches +∞. A bounded
 *   source in the same plan is read as above;
 * - each writer task's shuffle output becomes a bundle of the reading stage's partition at
 *   once (pending at −∞ until read), not data held until +∞ (except a sink's reshuffle into
 *   fixed shards, read whole at +∞: one file per shard);
 * - a shuffle partition's group-also-by-window state lives across tasks, **pinned in the
 *   coordinator's process**: a streaming run's tasks all run in the host's thread
 *   (InlineExecutor), where the task runner keeps each partition's operator
 *   (streaming_group_read.ts), so state never travels between threads — not per element,
 *   not per bundle. Tasks of a streaming shuffle stage run one at a time, in order. Each task
 *   is given the stage's input watermark and the run's processing time when it starts; the
 *   hold it reports holds the stage's output watermark (a downstream stage never sees its
 *   own input as late), and once the input watermark passes its next event-time timer, or
 *   the run's clock its next processing-time timer, the scheduler runs a **timer-only task**
 *   for the partition;
 * - the run's processing time is the host's clock (StageHost.processingTime): real time, or
 *   a TestStream's synthetic clock; with a real clock a wake-up is set for the next
 *   processing-time timer;
 * - **quiescence**: when nothing runs and nothing that could run is queued, the host is asked
 *   for its next scripted event (StageHost.quiescent: a TestStream's next elements, watermark
 *   or processing-time advance), Beam's DirectRunner rule for TestStream;
 * - a materialized stage is not held at −∞ before its first task, and does not run on
 *   nothing at the end (an unbounded stage may never receive a bundle).
 */
import type { Instant } from "../../../sdk/values/time.js";
import type { ExecutionPlan, Stage } from "../plan.js";
import type { NextSplit, TaskInput, TaskResult } from "../task_runner.js";
import { WATERMARK_MAX, WATERMARK_MIN, WatermarkManager, type StageWatermarks, type StageWiring } from "./watermarks.js";

/** What a watermark-driven operator reports with a finished bundle (TaskResult.timers). */
export interface StageTimers {
  /** The earliest event time its state may still emit at: the stage's output watermark stays at or below it. WATERMARK_MAX: no hold. */
  hold: Instant;
  /** Its earliest event-time timer (WATERMARK_MAX: none): the stage is to run again once its input watermark passes it. */
  nextTimer: Instant;
  /** Its earliest processing-time timer (absent or WATERMARK_MAX: none): the stage is to run again once the run's clock passes it. */
  nextProcessingTimer?: Instant;
}

/** How a streaming source gives its bundles and watermark to the scheduler (StageHost.openStream). */
export interface StreamFeed {
  /** A bundle read from the source; holds the stage's input watermark at `minTimestamp` until processed. */
  bundle(input: TaskInput, minTimestamp: Instant): void;
  /** The source's watermark (never back); WATERMARK_MAX: the source ended. */
  watermark(t: Instant): void;
  /** Bundles of the stage not processed yet (a reader waits while there are many). */
  backlog(): number;
  /** The source failed: the run fails. */
  fail(e: unknown): void;
  /** The stream was ended by the scheduler (a sample that has its elements, endStreams): stop reading. */
  ended(): boolean;
}

/** What the scheduler needs from the coordinator. */
export interface StageHost {
  /** A source stage's splits (at least one: an empty source gets one empty split). */
  sourceInputs(stage: Stage): Promise<TaskInput[]>;
  /** A shuffle-reading (or reshuffle) stage's partitions, once it may read them. */
  shuffleInputs(stage: Stage): TaskInput[];
  /**
   * Runs one task of a stage (side inputs are complete by then); rejects if it failed. A
   * bounded source's task is given `nextSplit`, which takes the stage's next queued split:
   * the host decides whether its task reads on with it (TaskInput's `more`).
   */
  runTask(stage: Stage, taskIndex: number, input: TaskInput, nextSplit?: NextSplit): Promise<TaskResult>;
  /** A finished task's output: metrics, shuffles, materializations, sinks. */
  absorb(stage: Stage, taskIndex: number, result: TaskResult): void;
  /** Whether the run was cancelled: no task starts after it. */
  cancelled(): boolean;
  stageStarted(stage: Stage, watermarks: StageWatermarks): void;
  stageFinished(stage: Stage, watermarks: StageWatermarks): void;
  /** Streaming: opens a source stage that gives bundles over time (true), or says it is a bounded one (false: sourceInputs). */
  openStream?(stage: Stage, feed: StreamFeed): boolean;
  /** Streaming: nothing runs or may run; applies the next scripted event (a TestStream's), false if there is none. */
  quiescent?(): boolean;
  /** Streaming: the run's processing time, and whether it is the real clock (then the scheduler wakes itself for timers). */
  processingTime?(): { now: Instant; real: boolean };
}

/** A streaming shuffle partition's operator state, as its last task left it. */
interface PartitionTimers {
  nextEvent: Instant;
  nextProcessing: Instant;
  /** The time its last task was given: a timer task is due only once time moved past it. */
  deliveredWatermark: Instant;
  deliveredProcessing: Instant;
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
  /** Tasks of it running now. */
  running: number;
  /** Streaming shuffle readers: each partition's timers. */
  partitions?: Map<number, PartitionTimers>;
  /** A streaming source still open: ends it (its watermark to +∞). */
  endStream?: () => void;
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
  private readonly streaming: boolean;
  /** Shuffle (and reshuffle) transform → the stage reading it. */
  private readonly shuffleReaders = new Map<string, StageRun>();
  /** Streaming sources not ended yet. */
  private liveStreams = 0;
  /** A wake-up for the next processing-time timer (real clock). */
  private wake: { at: Instant; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(private readonly plan: ExecutionPlan, private readonly host: StageHost, private readonly slots: number) {
    this.watermarks = new WatermarkManager(stageWiring(plan));
    this.streaming = plan.streaming === true;
    plan.stages.forEach((stage, rank) => {
      const run: StageRun = { stage, rank, queue: [], nextTask: 0, started: false, finished: false, opened: false, stopped: false, running: 0 };
      this.runs.set(stage.id, run);
      if (stage.input.kind === "shuffle" || stage.input.kind === "reshuffle") {
        this.shuffleReaders.set(stage.input.transform, run);
        if (this.streaming && stage.input.kind === "shuffle") {
          // Bundles come as writers finish (route); nothing is held for data not yet written.
          run.opened = true;
          run.partitions = new Map();
        } else {
          // Bounded, and a sink's fixed shards even over unbounded input: read whole at +∞
          // (each shard one file, committed at the end of the run).
          this.watermarks.setHold(stage.id, UNREAD, WATERMARK_MIN);
        }
      }
      if (stage.input.kind === "materialized") {
        if (this.streaming) run.opened = true;
        else this.watermarks.setHold(stage.id, UNSTARTED, WATERMARK_MIN);
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
    // A stream read for a sample alone ends with it: nothing else needs its elements.
    run.endStream?.();
    for (const b of run.queue) this.watermarks.removePending(stageId, b.id);
    run.queue.length = 0;
    this.watermarks.clearHold(stageId, UNSTARTED);
    // A streaming grouping that stopped keeps nothing back: its timers will not run.
    for (const index of run.partitions?.keys() ?? []) this.watermarks.clearHold(stageId, `partition ${index}`);
    run.partitions?.clear();
    queueMicrotask(() => this.pump());
  }

  /**
   * Ends every streaming source as if it had reached +∞ (a sample run that has all its
   * samples): what is in flight drains, windows fire their final panes, the run ends.
   */
  endStreams(): void {
    for (const run of this.runs.values()) run.endStream?.();
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
        for (;;) {
          this.advance();
          this.dispatch();
          // Streaming: once nothing runs or may run, the next scripted event (TestStream).
          if (!this.streaming || this.inFlight > 0 || this.opening > 0 || this.runnable()) break;
          if (!this.host.quiescent?.()) break;
        }
        if (this.streaming) this.setWake();
      } catch (e) {
        this.fail(e);
      }
    }
    if (this.inFlight > 0 || this.opening > 0) return;
    const settle = this.settle;
    if (this.failure) {
      this.settle = undefined;
      this.clearWake();
      settle.reject(this.failure.error);
    } else if ([...this.runs.values()].every((r) => r.finished)) {
      this.settle = undefined;
      this.clearWake();
      settle.resolve();
    } else if (this.liveStreams > 0 || this.wake !== undefined) {
      // Waiting for a source's next bundle or watermark, or for a processing-time timer.
      return;
    } else if (![...this.runs.values()].some((r) => r.queue.length > 0)) {
      this.settle = undefined;
      const stuck = this.watermarks.snapshot().filter((w) => !this.runs.get(w.stage)!.finished);
      settle.reject(new Error(`the local runner's scheduler has nothing to run, but stages ${stuck.map((w) => `${w.stage} (input watermark ${w.input}, output ${w.output})`).join(", ")} did not finish`));
    }
  }

  /** Whether a queued bundle could start now. */
  private runnable(): boolean {
    for (const run of this.runs.values()) if (run.queue.length > 0 && this.mayStart(run)) return true;
    return false;
  }

  /** Opens sources and shuffles that may be read, until the watermarks settle; reports finished stages. */
  private advance(): void {
    for (;;) {
      let opened = false;
      for (const run of this.runs.values()) opened = this.open(run) || opened;
      if (this.streaming) opened = this.enqueueDueTimers() || opened;
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
        if (this.streaming && this.openStream(run)) return true;
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
        if (run.queue.length === 0 || !this.mayStart(run)) continue;
        if (!pick || run.rank > pick.rank) pick = run;
      }
      if (!pick) return;
      this.start(pick, this.take(pick));
    }
  }

  private mayStart(run: StageRun): boolean {
    if (!this.watermarks.sideInputsReady(run.stage.id)) return false;
    // A streaming grouping's state is one: its tasks run one after another.
    return !(run.partitions && run.running > 0);
  }

  /** The bundles the stage's next task reads. */
  private take(run: StageRun): Bundle[] {
    if (!run.partitions) return run.queue.splice(0, this.batchSize(run));
    // A streaming partition's queued bundles (data and timer-only) all go into its next task.
    const first = run.queue[0]!.input;
    const partition = first.kind === "shuffle" ? first.partition ?? 0 : 0;
    const taken: Bundle[] = [];
    for (let i = 0; i < run.queue.length; ) {
      const b = run.queue[i]!;
      if (b.input.kind === "shuffle" && (b.input.partition ?? 0) === partition) {
        taken.push(b);
        run.queue.splice(i, 1);
      } else i++;
    }
    return taken;
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
    run.running++;
    let input: TaskInput;
    let partition: PartitionTimers | undefined;
    let partitionIndex = 0;
    if (run.partitions) {
      // A streaming shuffle partition: the runs written since its last task, at the time now.
      const parts = bundles.map((b) => b.input as TaskInput & { kind: "shuffle" });
      partitionIndex = parts[0]!.partition ?? 0;
      const time = { inputWatermark: this.watermarks.input(stage.id), processingTime: this.clock() };
      input = { kind: "shuffle", runs: parts.flatMap((p) => p.runs), partition: partitionIndex, time };
      partition = this.partition(run, partitionIndex);
      partition.deliveredWatermark = time.inputWatermark;
      partition.deliveredProcessing = time.processingTime;
    } else {
      input = bundles.length === 1 ? bundles[0]!.input : { kind: "materialized", parts: bundles.flatMap((b) => (b.input.kind === "materialized" ? b.input.parts : [])) };
    }
    this.host.runTask(stage, taskIndex, input, input.kind === "source" && !this.streaming ? this.splitPuller(run, bundles) : undefined).then(
      (result) => {
        try {
          this.host.absorb(stage, taskIndex, result);
          this.route(result);
          if (partition) {
            const t = result.timers;
            partition.nextEvent = t?.nextTimer ?? WATERMARK_MAX;
            partition.nextProcessing = t?.nextProcessingTimer ?? WATERMARK_MAX;
            this.watermarks.setHold(stage.id, `partition ${partitionIndex}`, t?.hold ?? WATERMARK_MAX);
          } else if (result.timers) this.watermarks.setHold(stage.id, `task ${taskIndex}`, result.timers.hold);
        } catch (e) {
          this.fail(e);
        }
      },
      (e) => this.fail(e),
    ).finally(() => {
      for (const b of bundles) this.watermarks.removePending(stage.id, b.id);
      this.inFlight--;
      run.running--;
      this.pump();
    });
  }

  /**
   * A running source task's next split: the stage's next queued bundle, counted as the task's
   * (pending in the watermarks until the task ends); none once the stage stopped or the run failed.
   */
  private splitPuller(run: StageRun, bundles: Bundle[]): NextSplit {
    return async () => {
      if (run.stopped || this.failure || this.host.cancelled()) return undefined;
      const i = run.queue.findIndex((b) => b.input.kind === "source");
      if (i < 0) return undefined;
      const [b] = run.queue.splice(i, 1);
      bundles.push(b!);
      return (b!.input as TaskInput & { kind: "source" }).split;
    };
  }

  private partition(run: StageRun, index: number): PartitionTimers {
    let p = run.partitions!.get(index);
    if (!p) run.partitions!.set(index, (p = { nextEvent: WATERMARK_MAX, nextProcessing: WATERMARK_MAX, deliveredWatermark: WATERMARK_MIN, deliveredProcessing: WATERMARK_MIN }));
    return p;
  }

  private clock(): Instant {
    return this.host.processingTime?.().now ?? Date.now();
  }

  /**
   * Streaming: a timer-only task for each shuffle partition whose next event-time timer the
   * stage's input watermark passed, or whose next processing-time timer the clock passed
   * (unless a task of it is queued or running: that one is given the time anyway).
   */
  private enqueueDueTimers(): boolean {
    let any = false;
    const now = this.clock();
    for (const run of this.runs.values()) {
      if (!run.partitions || run.running > 0) continue;
      const wm = this.watermarks.input(run.stage.id);
      for (const [index, p] of run.partitions) {
        const eventDue = wm > p.nextEvent && wm > p.deliveredWatermark;
        const processingDue = now > p.nextProcessing && now > p.deliveredProcessing;
        if (!eventDue && !processingDue) continue;
        if (run.queue.some((b) => b.input.kind === "shuffle" && (b.input.partition ?? 0) === index)) continue;
        this.enqueue(run, { kind: "shuffle", runs: [], partition: index }, wm);
        any = true;
      }
    }
    return any;
  }

  /** Real clock: wakes the scheduler when the earliest processing-time timer comes due. */
  private setWake(): void {
    const clock = this.host.processingTime?.();
    if (!clock?.real) return;
    let at = WATERMARK_MAX;
    for (const run of this.runs.values()) {
      for (const p of run.partitions?.values() ?? []) if (p.nextProcessing < at && p.nextProcessing >= p.deliveredProcessing) at = p.nextProcessing;
    }
    if (at >= WATERMARK_MAX) return this.clearWake();
    if (this.wake && this.wake.at === at) return;
    this.clearWake();
    const timer = setTimeout(() => {
      this.wake = undefined;
      this.pump();
    }, Math.max(1, at - clock.now + 1));
    this.wake = { at, timer };
  }

  private clearWake(): void {
    if (this.wake) clearTimeout(this.wake.timer);
    this.wake = undefined;
  }

  /** Streaming: the host feeds the source stage; false if it is a bounded source. */
  private openStream(run: StageRun): boolean {
    const id = run.stage.id;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.liveStreams--;
      run.endStream = undefined;
      this.watermarks.setSourceWatermark(id, WATERMARK_MAX);
      queueMicrotask(() => this.pump());
    };
    const feed: StreamFeed = {
      bundle: (input, minTimestamp) => {
        if (ended || this.failure) return;
        this.enqueue(run, input, minTimestamp);
        queueMicrotask(() => this.pump());
      },
      watermark: (t) => {
        if (ended) return;
        if (t >= WATERMARK_MAX) return end();
        this.watermarks.setSourceWatermark(id, t);
        queueMicrotask(() => this.pump());
      },
      backlog: () => run.queue.length + run.running,
      fail: (e) => {
        this.fail(e);
        queueMicrotask(() => this.pump());
      },
      ended: () => ended,
    };
    this.liveStreams++;
    if (this.host.openStream?.(run.stage, feed)) {
      if (!ended) run.endStream = end;
      return true;
    }
    this.liveStreams--;
    return false;
  }

  /**
   * A task's materialized outputs become bundles of the stages reading them, pending at their
   * earliest timestamp; streaming, so do its shuffle outputs (a bundle per partition written).
   */
  private route(result: TaskResult): void {
    if (this.streaming) {
      for (const [id, parts] of Object.entries(result.output.shuffles)) {
        const reader = this.shuffleReaders.get(id);
        if (!reader) throw new Error(`no stage reads the shuffle of ${id}`);
        if (!reader.partitions) continue; // a sink's reshuffle: the coordinator keeps it until +∞
        parts.forEach((runs, partition) => {
          if (runs.length > 0) this.enqueue(reader, { kind: "shuffle", runs, partition });
        });
      }
    }
    for (const [pc, m] of Object.entries(result.output.materialized)) {
      if (m.chunks.length === 0) continue;
      for (const { run, positions } of this.readers.get(pc) ?? []) {
        this.enqueue(run, { kind: "materialized", parts: positions.map(() => ({ pcollection: pc, chunks: m.chunks })) }, m.minTimestamp ?? WATERMARK_MIN);
      }
    }
  }
}
