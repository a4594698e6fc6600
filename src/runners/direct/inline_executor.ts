import type { PipelineGraph } from "../../graph/types.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import { reportStrayError } from "../shared/late_output.js";
import { PROGRESS_INTERVAL_MS, StageFailure, type RunHooks, type TaskExecutor } from "./executor.js";
import { OutputBuffer } from "./output_buffer.js";
import { outsideCapture, withOutputCapture, type OutputTarget } from "./output_capture.js";
import type { ExecutionPlan } from "./plan.js";
import { TaskCounts } from "../harness/task_counts.js";
import { TaskRunner, type NextSplit, type TaskResult, type TaskSpec } from "./task_runner.js";

interface InlineRun {
  hooks: RunHooks;
  buffer: OutputBuffer;
  /** Where the run's user code prints while its tasks (and what they started) run. */
  target: OutputTarget;
  stages: string[];
}

/**
 * This thread is the host's (a session, the kernel, `flowbook run`): an error thrown by a timer
 * or callback that a run's user code left behind must fail that run, never take the process
 * down. Errors of no run's code go on as if this were not here (to the process's listeners, or
 * ending the process as Node does). A capture callback rather than a listener: a listener
 * would not stop the process's other listeners (a test runner's) from seeing a handled error.
 */
function guardStrayErrors(): void {
  if ((globalThis as Record<symbol, unknown>)[GUARDED]) return;
  if (process.hasUncaughtExceptionCaptureCallback()) {
    // Someone else captures (a domain): a listener, which at least keeps the process alive for run errors.
    process.on("uncaughtException", (e) => void onStray(e, () => undefined));
  } else {
    const capture = (e: unknown) =>
      onStray(e, () => {
        // Not a run's: thrown again outside the capture, so it ends up where it would have.
        process.setUncaughtExceptionCaptureCallback(null);
        setImmediate(() => {
          setImmediate(() => process.hasUncaughtExceptionCaptureCallback() || process.setUncaughtExceptionCaptureCallback(capture));
          throw e;
        });
      });
    process.setUncaughtExceptionCaptureCallback(capture);
  }
  (globalThis as Record<symbol, unknown>)[GUARDED] = true;
}
const GUARDED = Symbol.for("flowbook.inlineStrayErrors");

function onStray(e: unknown, notOurs: () => void): void {
  const stray = reportStrayError(e);
  // Recorded: the run fails at its next task or at its end (TaskRunner).
  if (stray?.kind === "recorded") return;
  if (stray?.kind === "ended") {
    outsideCapture(() => process.stderr.write(`flowbook: a callback of a pipeline that already ended threw: ${stray.error.message}\n`));
    return;
  }
  notOurs();
}

/** Runs tasks one after another in this thread (parallelism 1 with inProcess: true). */
export class InlineExecutor implements TaskExecutor {
  readonly parallelism = 1;
  private readonly runner = new TaskRunner({ stopOnCancel: true });
  private readonly cancelled = new Set<string>();
  private readonly runs = new Map<string, InlineRun>();

  beginRun(runId: string, graph: PipelineGraph, plan: ExecutionPlan, options: PipelineOptions, hooks: RunHooks): void {
    guardStrayErrors();
    this.runner.beginRun(runId, graph, plan, options);
    // Delivered outside the capture: a listener that prints must reach the real stdout.
    const buffer = new OutputBuffer((records) => outsideCapture(() => records.forEach((r) => hooks.output(r.stream, r.text, r.transform))));
    this.runs.set(runId, { hooks, buffer, target: { write: (stream, text, transform) => buffer.add(runId, stream, text, transform) }, stages: plan.stages.map((s) => s.id) });
  }

  async runTasks(tasks: TaskSpec[], sideInputs: Map<string, Uint8Array[]>, nextSplit?: NextSplit): Promise<TaskResult[]> {
    const out: TaskResult[] = [];
    for (const t of tasks) {
      if (this.cancelled.has(t.runId)) throw new Error("the pipeline was cancelled");
      for (const [pc, chunks] of sideInputs) if (!this.runner.hasSideInput(t.runId, pc)) this.runner.addSideInput(t.runId, pc, chunks);
      const run = this.runs.get(t.runId);
      if (!run) throw new Error(`task of unknown run ${t.runId}`);
      const counts = new TaskCounts();
      // Fires between the reads of a source's chunks (this thread is busy while a chunk is pushed).
      const timer = setInterval(() => run.hooks.progress(t.stageId, t.taskIndex, counts.snapshot()), PROGRESS_INTERVAL_MS).unref();
      try {
        const r = await withOutputCapture(run.target, () => this.runner.runTask(t, counts, nextSplit));
        run.hooks.progress(t.stageId, t.taskIndex, r.progress);
        out.push(r);
      } catch (e) {
        throw new StageFailure(e, out);
      } finally {
        clearInterval(timer);
        run.buffer.flush();
      }
    }
    return out;
  }

  stopStage(runId: string, stageId: string): void {
    this.runner.stopStage(runId, stageId);
  }

  cancelRun(runId: string): void {
    this.cancelled.add(runId);
    // A sample's stage stops at its next element (this thread cannot abandon a task as a pool
    // abandons a worker); other stages' tasks end at their next task boundary.
    for (const s of this.runs.get(runId)?.stages ?? []) this.runner.stopStage(runId, s);
    // The running task stops at its next element (this thread gets the cancel between a source's chunks).
    this.runner.cancelRun(runId);
  }

  async endRun(runId: string): Promise<void> {
    this.cancelled.delete(runId);
    const run = this.runs.get(runId);
    try {
      await (run ? withOutputCapture(run.target, () => this.runner.endRun(runId)) : this.runner.endRun(runId));
    } finally {
      run?.buffer.flush();
      this.runs.delete(runId);
    }
  }
}
