/**
 * A translated Flink plan and its renderings, as `explain(p)` returns it: prints as the
 * text tree (console.log, the session's formatValue), displays as text, SVG and the plan's
 * JSON. Synchronous and free of native modules (no PNG here), so it also lives in the
 * session's sandbox bundle; the host's renderPlan (render_plan.ts) adds the PNG.
 */
import type { FlinkPlan } from "../../runners/flink/flink_plan.js";
import type { MimeBundle } from "../mime.js";
import { renderPlanSvg } from "./svg.js";
import { renderPlanText } from "./text.js";

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

  /** A display bundle: mime type → data. */
  toMimeBundle(): MimeBundle {
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
