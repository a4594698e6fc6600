/**
 * `explain(p)` as src/api.ts exported it before the interactive facade
 * (src/display/interactive/): the translation (runners) drawn by this folder. Kept only so
 * the API compiles while api.ts moves to the facade; delete it then.
 */
import { flinkPlanOf, type Explainable } from "../../runners/flink/explain/index.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import { PlanExplanation } from "./plan_explanation.js";

export { PlanExplanation };

/** The Flink plan of a pipeline, whatever runner it is set to; throws naming what cannot be translated. */
export function explain(p: Explainable, options: PipelineOptions = {}): PlanExplanation {
  return new PlanExplanation(flinkPlanOf(p, options));
}
