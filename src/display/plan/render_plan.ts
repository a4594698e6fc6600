/**
 * A FlinkPlan as a display bundle: the text tree fitted to the front end's width, the SVG
 * graph, its PNG (JupyterLab shows no SVG from an untrusted notebook; the REPL writes it
 * to a file) and the plan itself as JSON.
 */
import type { FlinkPlan } from "../../runners/flink/flink_plan.js";
import { Mime, type DisplayContext, type MimeBundle } from "../mime.js";
import { svgToPngBase64 } from "../png.js";
import { renderPlanSvg } from "./svg.js";
import { renderPlanText } from "./text.js";

export async function renderPlan(plan: FlinkPlan, ctx: DisplayContext = {}): Promise<MimeBundle> {
  const svg = renderPlanSvg(plan);
  return {
    [Mime.text]: renderPlanText(plan, { width: ctx.width ?? 120 }),
    [Mime.svg]: svg,
    [Mime.png]: svgToPngBase64(svg),
    [Mime.json]: plan,
  };
}
