/** The Flink plan for people: a text tree, an SVG graph, a PNG, the JSON. */
export { renderPlan } from "./render_plan.js";
export { renderPlanText, type TextOptions } from "./text.js";
export { renderPlanSvg } from "./svg.js";
export { planDot, type PlanDrawOptions } from "./plan_dot.js";
export { PlanExplanation } from "./plan_explanation.js";
export { renderJobGraph, renderJobGraphText, renderJobGraphSvg, jobGraphDot, JOB_GRAPH_MIME } from "./job_graph.js";
export { planRunMetrics, operatorMetricsLine, runSummary, type PlanRunMetrics, type OperatorRunMetrics } from "./run_metrics.js";
