/** Plans for people: `explain(p)` and its renderings (see explain.ts). */
export { explain, flinkExecutionPlan, PlanExplanation, type Explainable } from "./explain.js";
export { renderPlanText, type TextOptions } from "./text.js";
export { renderPlanSvg } from "./svg.js";
