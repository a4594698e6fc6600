/**
 * A FlinkPlan as an SVG graph for notebooks, laid out by Graphviz (plan_dot.ts): boxes by
 * what the operator does (user code in Node stands out), edges by ship strategy. Plain
 * SVG with DejaVu Sans, so the PNG (resvg) draws the same text.
 */
import type { FlinkPlan } from "../../runners/flink/flink_plan.js";
import { layoutSvg } from "../graph/viz_layout.js";
import { planDot, type PlanDrawOptions } from "./plan_dot.js";

export async function renderPlanSvg(plan: FlinkPlan, options: PlanDrawOptions = {}): Promise<string> {
  return layoutSvg(planDot(plan, options));
}
