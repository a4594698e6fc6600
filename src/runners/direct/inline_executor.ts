import type { PipelineGraph } from "../../graph/types.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import { StageFailure, type TaskExecutor } from "./executor.js";
import type { ExecutionPlan } from "./plan.js";
import { TaskRunner, type TaskResult, type TaskSpec } from "./task_runner.js";

/** Runs tasks one after another in this thread (parallelism 1 with inProcess: true). */
export class InlineExecutor implements TaskExecutor {
  readonly parallelism = 1;
  private readonly runner = new TaskRunner();
  private readonly cancelled = new Set<string>();

  beginRun(runId: string, graph: PipelineGraph, plan: ExecutionPlan, options: PipelineOptions): void {
    this.runner.beginRun(runId, graph, plan, options);
  }

  async runTasks(tasks: TaskSpec[], sideInputs: Map<string, Uint8Array[]>): Promise<TaskResult[]> {
    const out: TaskResult[] = [];
    for (const t of tasks) {
      if (this.cancelled.has(t.runId)) throw new Error("the pipeline was cancelled");
      for (const [pc, chunks] of sideInputs) if (!this.runner.hasSideInput(t.runId, pc)) this.runner.addSideInput(t.runId, pc, chunks);
      try {
        out.push(await this.runner.runTask(t));
      } catch (e) {
        throw new StageFailure(e, out);
      }
    }
    return out;
  }

  cancelRun(runId: string): void {
    this.cancelled.add(runId);
  }

  async endRun(runId: string): Promise<void> {
    this.cancelled.delete(runId);
    await this.runner.endRun(runId);
  }
}
