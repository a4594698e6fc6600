import type { PipelineGraph } from "../../graph/types.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import type { OutputStream } from "../../io/console/user_output.js";
import type { ExecutionPlan } from "./plan.js";
import type { TaskProgress } from "../harness/task_counts.js";
import type { NextSplit, TaskResult, TaskSpec } from "./task_runner.js";

/** What a run hears from its tasks while they run. */
export interface RunHooks {
  /** Users' output, in the order printed (per thread), before the result of the task that printed it. */
  output(stream: OutputStream, text: string, transform: string | undefined): void;
  /**
   * A running task's counts so far (at most every ~250 ms); its final counts come with its
   * result, and are also reported here as each task ends (before the stage's other tasks).
   */
  progress(stageId: string, taskIndex: number, progress: TaskProgress): void;
}

/** How often a running task reports its counts. */
export const PROGRESS_INTERVAL_MS = 250;

/** Where the coordinator's tasks run: worker threads, or this thread. */
export interface TaskExecutor {
  readonly parallelism: number;
  beginRun(runId: string, graph: PipelineGraph, plan: ExecutionPlan, options: PipelineOptions, hooks: RunHooks): void;
  /**
   * Runs tasks, each with the materialized side inputs it needs; rejects on the first failure.
   * `nextSplit` answers the tasks whose source input says `more` (TaskInput).
   */
  runTasks(tasks: TaskSpec[], sideInputs: Map<string, Uint8Array[]>, nextSplit?: NextSplit): Promise<TaskResult[]>;
  /**
   * A sample run's stage has collected enough: its running tasks stop reading at their next
   * element, and those not started finish at once, reading nothing (stoppedEarly results).
   */
  stopStage(runId: string, stageId: string): void;
  /** Stops the run's tasks now (cancel); tasks still running are abandoned. */
  cancelRun(runId: string): void;
  /** Tears the run down (DoFn teardown); resolves once teardown's output was delivered. */
  endRun(runId: string): Promise<void>;
}

/** A stage whose task failed; `completed` holds the tasks that finished (their sinks must be aborted). */
export class StageFailure extends Error {
  constructor(readonly failure: unknown, readonly completed: TaskResult[]) {
    super(failure instanceof Error ? failure.message : String(failure));
    this.name = "StageFailure";
  }
}

/** Waits for every task (none is left writing), then fails with the first failure, if any. */
export async function settleTasks(tasks: Promise<TaskResult>[]): Promise<TaskResult[]> {
  const settled = await Promise.allSettled(tasks);
  const done = settled.filter((s): s is PromiseFulfilledResult<TaskResult> => s.status === "fulfilled").map((s) => s.value);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw new StageFailure(failed.reason, done);
  return done;
}
