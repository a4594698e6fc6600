/** The Flink plan of a pipeline, without running it (drawn by src/display/plan). */
export { flinkPlanOf, flinkExecutionPlan, type Explainable } from "./flink_plan_of.js";
