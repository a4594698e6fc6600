/**
 * A FlinkPlan as a display bundle: the text tree fitted to the front end's width, the SVG
 * graph, its PNG (JupyterLab shows no SVG from an untrusted notebook; the REPL writes it
 * to a file) and the plan itself as JSON.
 */
import type { FlinkPlan } from "../../runners/flink/flink_plan.js";
import { Mime, type DisplayContext, type MimeBundle } from "../mime.js";
import { svgToPngBase64 } from "../png.js";
import type { PlanDrawOptions } from "./plan_dot.js";
import { renderPlanSvg } from "./svg.js";
import { renderPlanText } from "./text.js";

/** `draw.highlight` marks operators (the translation stepper shows what a step added); `draw.run` adds what each operator did in a run. */
export async function renderPlan(plan: FlinkPlan, ctx: DisplayContext = {}, draw: PlanDrawOptions = {}): Promise<MimeBundle> {
  const svg = await renderPlanSvg(plan, draw);
  return {
    [Mime.text]: renderPlanText(plan, { width: ctx.width ?? 120, ...(draw.run ? { run: draw.run } : {}) }),
    [Mime.svg]: svg,
    [Mime.png]: svgToPngBase64(svg),
    [Mime.planJson]: plan,
  };
}
