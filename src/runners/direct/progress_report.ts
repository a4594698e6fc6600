/**
 * The coordinator's side of progress: each task's latest counts (live from running tasks,
 * final from finished ones) summed into every transform's elements in and out and its
 * source's bytes read, emitted as `progress` snapshots at most every 250 ms and once at
 * the end. A stage's PCollection counts become transform counts through the plan: a
 * transform's elements in are what entered its input PCollection in the stage that runs
 * it, its elements out what entered its outputs.
 */
import type { PipelineGraph } from "../../graph/types.js";
import { Urns } from "../../graph/types.js";
import type { TransformProgress } from "../../sdk/runner.js";
import { PROGRESS_INTERVAL_MS } from "./executor.js";
import type { ExecutionPlan, Stage } from "./plan.js";
import type { TaskProgress } from "../harness/task_counts.js";

type Field = "elementsIn" | "elementsOut" | "bytesRead";

/** One number of one transform that one stage's tasks report. */
interface Slot {
  transform: string;
  field: Field;
  /** The PCollection whose count it is (none: the source's bytes). */
  pc?: string;
}

function slotsOf(graph: PipelineGraph, stage: Stage): Slot[] {
  const name = (id: string) => graph.transforms[id]?.fullName ?? id;
  const slots: Slot[] = [];
  const input = stage.input;
  switch (input.kind) {
    case "source":
      slots.push({ transform: name(input.transform), field: "elementsOut", pc: input.output });
      if (input.urn !== Urns.CREATE) slots.push({ transform: name(input.transform), field: "bytesRead" });
      break;
    case "shuffle":
      slots.push({ transform: name(input.transform), field: "elementsOut", pc: input.output });
      break;
    case "materialized":
      // A Flatten passes every element on; a cut before a side-input consumer is no transform.
      if (input.transform) {
        slots.push({ transform: name(input.transform), field: "elementsIn", pc: input.output });
        slots.push({ transform: name(input.transform), field: "elementsOut", pc: input.output });
      }
      break;
    case "reshuffle":
      break;
  }
  for (const op of stage.ops) {
    switch (op.kind) {
      case "pardo":
        slots.push({ transform: name(op.transform), field: "elementsIn", pc: op.input });
        for (const pc of Object.values(op.outputs)) slots.push({ transform: name(op.transform), field: "elementsOut", pc });
        break;
      case "window_into":
      case "combine_values":
        slots.push({ transform: name(op.transform), field: "elementsIn", pc: op.input });
        slots.push({ transform: name(op.transform), field: "elementsOut", pc: op.output });
        break;
      case "shuffle_write":
      case "sink":
        slots.push({ transform: name(op.transform), field: "elementsIn", pc: op.input });
        break;
      case "reshuffle_write": // counted where the sink writes, in the stage after the reshuffle
      case "materialize":
        break;
    }
  }
  return slots;
}

export class ProgressReport {
  private readonly slots = new Map<string, Slot[]>();
  /** Every counted transform with its fields at zero, in plan order. */
  private readonly zero: TransformProgress[] = [];
  /** `stage/task` → that task's latest counts. */
  private readonly tasks = new Map<string, { stage: string; progress: TaskProgress }>();
  private timer: NodeJS.Timeout | undefined;
  private lastEmit = 0;
  /** Counts changed since the last snapshot sent (or none was sent yet). */
  private dirty = true;
  private closed = false;

  constructor(graph: PipelineGraph, plan: ExecutionPlan, private readonly emit: (transforms: TransformProgress[]) => void) {
    const index = new Map<string, TransformProgress>();
    for (const stage of plan.stages) {
      const slots = slotsOf(graph, stage);
      this.slots.set(stage.id, slots);
      for (const s of slots) {
        let t = index.get(s.transform);
        if (!t) {
          t = { transform: s.transform };
          index.set(s.transform, t);
          this.zero.push(t);
        }
        t[s.field] = 0;
      }
    }
  }

  /**
   * A task's final counts, folded into its stage's sum and forgotten (a streaming run, whose
   * tasks never stop coming: the report stays one entry per stage). Only for tasks that send
   * nothing after their result (the in-process executor's).
   */
  finished(stageId: string, taskIndex: number, progress: TaskProgress): void {
    if (this.closed) return;
    this.tasks.delete(`${stageId}/${taskIndex}`);
    const key = `${stageId}/done`;
    const sum = this.tasks.get(key)?.progress ?? { counts: {} };
    for (const [pc, n] of Object.entries(progress.counts)) sum.counts[pc] = (sum.counts[pc] ?? 0) + n;
    if (progress.bytesRead !== undefined) sum.bytesRead = (sum.bytesRead ?? 0) + progress.bytesRead;
    for (const [t, ms] of Object.entries(progress.busyMs ?? {})) (sum.busyMs ??= {})[t] = (sum.busyMs[t] ?? 0) + ms;
    this.tasks.set(key, { stage: stageId, progress: sum });
    this.markDirty();
  }

  /** A task's counts so far (or final); schedules a snapshot. */
  update(stageId: string, taskIndex: number, progress: TaskProgress): void {
    if (this.closed) return;
    this.tasks.set(`${stageId}/${taskIndex}`, { stage: stageId, progress });
    this.markDirty();
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    const wait = Math.max(0, this.lastEmit + PROGRESS_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, wait).unref();
  }

  /** The totals so far, every counted transform in plan order. */
  snapshot(): TransformProgress[] {
    const totals = new Map(this.zero.map((t) => [t.transform, { ...t }]));
    for (const { stage, progress } of this.tasks.values()) {
      for (const s of this.slots.get(stage) ?? []) {
        const n = s.pc === undefined ? progress.bytesRead ?? 0 : progress.counts[s.pc] ?? 0;
        const t = totals.get(s.transform)!;
        t[s.field] = (t[s.field] ?? 0) + n;
      }
      for (const [transform, ms] of Object.entries(progress.busyMs ?? {})) {
        let t = totals.get(transform);
        if (!t) totals.set(transform, (t = { transform }));
        t.busyMs = (t.busyMs ?? 0) + ms;
      }
    }
    // Whole milliseconds: the sampled estimate is no finer.
    for (const t of totals.values()) if (t.busyMs !== undefined) t.busyMs = Math.round(t.busyMs);
    return [...totals.values()];
  }

  /** The final totals, now, unless the last snapshot sent was already them; nothing after it. */
  finish(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) this.send();
    this.closed = true;
  }

  private send(): void {
    this.lastEmit = Date.now();
    this.dirty = false;
    this.emit(this.snapshot());
  }
}
