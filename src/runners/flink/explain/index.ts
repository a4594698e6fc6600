/** The Flink plan of a pipeline, without running it (drawn by src/display/plan). */
export { flinkPlanOf, flinkExecutionPlan, type Explainable } from "./flink_plan_of.js";
export { translationTraceOf, type TraceOptions } from "./translation_trace_of.js";
export type { TranslationTrace, TraceEvent, TraceDecision } from "../translation_trace.js";
export { flinkJobGraphOf, flinkJobGraphOfJob, mapJobPlan, chainFromDescription } from "./job_graph_of.js";
export type { FlinkJobGraph, JobGraphVertex, VertexRunMetrics } from "../flink_job_graph.js";
