/**
 * A translated Flink plan, as `explain(p)` returned it before the interactive calls:
 * prints as the text tree (console.log, the session's formatValue), displays as the text
 * and the plan's JSON. Synchronous and free of Graphviz and native modules, so it can live
 * in the session's sandbox bundle; the pictures (SVG, PNG) come from the host's
 * renderPlan (render_plan.ts).
 */
import type { FlinkPlan } from "../../runners/flink/flink_plan.js";
import type { MimeBundle } from "../mime.js";
import { renderPlanText } from "./text.js";

export class PlanExplanation {
  private _text?: string;

  constructor(readonly plan: FlinkPlan) {}

  /** The text tree (terminals, the REPL). */
  get text(): string {
    return (this._text ??= renderPlanText(this.plan));
  }

  /** A display bundle: mime type → data. */
  toMimeBundle(): MimeBundle {
    return { "text/plain": this.text, "application/json": this.plan };
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
