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
