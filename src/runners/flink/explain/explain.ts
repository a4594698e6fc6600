/**
 * `explain(p)`: the Flink plan of a pipeline, for people — a text tree in terminals, an SVG
 * graph in notebooks, the plan JSON for tools — and, from a cluster, Flink's own
 * execution plan of the same job.
 *
 * ```ts
 * explain(p)                      // displays the plan (text tree, or SVG in a notebook)
 * explain(p).text / .svg / .plan  // the parts
 * await flinkExecutionPlan(p)     // Flink's JSON plan, from the cluster in p's options
 * ```
 */
import { GRAPH_FORMAT, type PipelineGraph } from "../../../graph/types.js";
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import type { FlinkPlan } from "../flink_plan.js";
import { bridgeJarPath, DEFAULT_FLINK_MASTER, flinkJobPlan, workerConfig } from "../flink_runner.js";
import { FlinkRestClient, type JobPlan } from "../rest/client.js";
import { translate } from "../translators/translate.js";
import { renderPlanSvg } from "./svg.js";
import { renderPlanText } from "./text.js";

/** Anything with a graph: a Pipeline (its toJSON()), or the graph itself. */
export type Explainable = { toJSON(): PipelineGraph; options?: PipelineOptions } | PipelineGraph;

/** A translated plan and its renderings. */
export class PlanExplanation {
  private _text?: string;
  private _svg?: string;

  constructor(readonly plan: FlinkPlan) {}

  /** The text tree (terminals, the REPL). */
  get text(): string {
    return (this._text ??= renderPlanText(this.plan));
  }

  /** The SVG graph (notebooks). */
  get svg(): string {
    return (this._svg ??= renderPlanSvg(this.plan));
  }

  /** A display bundle: mime type → data, richest last. */
  toMimeBundle(): Record<string, unknown> {
    return { "text/plain": this.text, "application/json": this.plan, "image/svg+xml": this.svg };
  }

  toString(): string {
    return this.text;
  }

  toJSON(): FlinkPlan {
    return this.plan;
  }

  // By its registry key rather than node:util's constant: in the session's vm2 sandbox the
  // two differ, and the session's formatValue looks for the sandbox's.
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.text;
  }
}

function graphAndOptions(x: Explainable, options: PipelineOptions): { graph: PipelineGraph; options: PipelineOptions } {
  if ((x as PipelineGraph).format === GRAPH_FORMAT) {
    const graph = x as PipelineGraph;
    return { graph, options: { ...(graph.options as PipelineOptions), ...options } };
  }
  const p = x as { toJSON(): PipelineGraph; options?: PipelineOptions };
  if (typeof p.toJSON !== "function") throw new TypeError("explain() takes a Pipeline (or its graph)");
  return { graph: p.toJSON(), options: { ...(p.options ?? {}), ...options } };
}

/**
 * The Flink plan of a pipeline: how the Flink runner would run it, whatever runner the
 * pipeline is set to. Throws, naming the transform, if it cannot be run on Flink.
 */
export function explain(p: Explainable, options: PipelineOptions = {}): PlanExplanation {
  const { graph, options: o } = graphAndOptions(p, options);
  return new PlanExplanation(translate(graph, o, { worker: workerConfig(o) }).plan);
}

/**
 * Flink's own execution plan (its JSON) of the pipeline's job, asked from the cluster in
 * the options (`flinkMaster`) without running it: `POST /jars/<bridge>/plan`.
 */
export async function flinkExecutionPlan(p: Explainable, options: PipelineOptions = {}): Promise<JobPlan> {
  const { graph, options: o } = graphAndOptions(p, options);
  const plan = translate(graph, o, { worker: workerConfig(o) }).plan;
  const client = new FlinkRestClient(String(o.flinkMaster ?? DEFAULT_FLINK_MASTER));
  return flinkJobPlan(client, plan, bridgeJarPath(o));
}
