import type { PipelineGraph } from "../../graph/types.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import type { ExecutionPlan } from "./plan.js";
import type { TaskResult, TaskSpec } from "./task_runner.js";

/** Where the coordinator's tasks run: worker threads, or this thread. */
export interface TaskExecutor {
  readonly parallelism: number;
  beginRun(runId: string, graph: PipelineGraph, plan: ExecutionPlan, options: PipelineOptions): void;
  /** Runs tasks, each with the materialized side inputs it needs; rejects on the first failure. */
  runTasks(tasks: TaskSpec[], sideInputs: Map<string, Uint8Array[]>): Promise<TaskResult[]>;
  /** Stops the run's tasks now (cancel); tasks still running are abandoned. */
  cancelRun(runId: string): void;
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
