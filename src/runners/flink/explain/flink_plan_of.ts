/**
 * The Flink plan of a pipeline, without running it: what `explain(p)` draws (the drawing
 * lives in src/display/plan; runners never import display) and, from a cluster, Flink's
 * own execution plan of the same job.
 *
 * ```ts
 * flinkPlanOf(p)                  // our FlinkPlan JSON, whatever runner p is set to
 * await flinkExecutionPlan(p)     // Flink's JSON plan, from the cluster in p's options
 * ```
 */
import { GRAPH_FORMAT, type PipelineGraph } from "../../../graph/types.js";
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import type { FlinkPlan } from "../flink_plan.js";
import { bridgeJarPath, DEFAULT_FLINK_MASTER, flinkJobPlan, workerConfig } from "../flink_runner.js";
import { FlinkRestClient, type JobPlan } from "../rest/client.js";
import { translate } from "../translators/translate.js";

/** Anything with a graph: a Pipeline (its toJSON()), or the graph itself. */
export type Explainable = { toJSON(): PipelineGraph; options?: PipelineOptions } | PipelineGraph;

/** The graph and the options a translation uses: the pipeline's, overridden by `options`. */
export function graphAndOptions(x: Explainable, options: PipelineOptions): { graph: PipelineGraph; options: PipelineOptions } {
  if ((x as PipelineGraph).format === GRAPH_FORMAT) {
    const graph = x as PipelineGraph;
    return { graph, options: { ...(graph.options as PipelineOptions), ...options } };
  }
  const p = x as { toJSON(): PipelineGraph; options?: PipelineOptions };
  if (typeof p.toJSON !== "function") throw new TypeError("explain() takes a Pipeline (or its graph)");
  return { graph: p.toJSON(), options: { ...(p.options ?? {}), ...options } };
}

/**
 * How the Flink runner would run a pipeline (its graph, or the Pipeline), whatever runner
 * the pipeline is set to; `options` override the graph's. Throws, naming the transform, if
 * it cannot be run on Flink.
 */
export function flinkPlanOf(p: Explainable, options: PipelineOptions = {}): FlinkPlan {
  const { graph, options: o } = graphAndOptions(p, options);
  return translate(graph, o, { worker: workerConfig(o) }).plan;
}

/**
 * Flink's own execution plan (its JSON) of the pipeline's job, asked from the cluster in
 * the options (`flinkMaster`) without running it: `POST /jars/<bridge>/plan`.
 */
export async function flinkExecutionPlan(p: Explainable, options: PipelineOptions = {}): Promise<JobPlan> {
  const { graph, options: o } = graphAndOptions(p, options);
  const plan = flinkPlanOf(graph, o);
  const client = new FlinkRestClient(String(o.flinkMaster ?? DEFAULT_FLINK_MASTER));
  return flinkJobPlan(client, plan, bridgeJarPath(o));
}
