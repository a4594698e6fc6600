/**
 * A step as a display bundle, for notebooks: the plan so far drawn by Graphviz with the
 * step's operators and edges highlighted (plan_dot.ts), the step itself beside it as HTML,
 * the SVG alone (the step in its caption) for front ends without HTML, and the text.
 * Synchronous once Graphviz is loaded (`prepareStepDrawing`), so a stepper's move updates
 * its display within the call that made it.
 *
 * `StepperHost` keeps the host's steppers by id: a notebook's stepper object lives in the
 * cell's sandbox and moves through the host (services.ts), where the trace and Graphviz are.
 */
import type { StepState } from "../../interactive/calls.js";
import { layoutSvgNow, loadLayout } from "../../graph/viz_layout.js";
import { Mime, type DisplayContext, type MimeBundle } from "../../mime.js";
import { planDot } from "../plan_dot.js";
import { Stepper, type StepCommand, type TranslationTrace } from "./stepper.js";
import { stepText } from "./step_text.js";
import { stepView, type StepView } from "./step_view.js";

/** The step bundle's own type: where the stepper is, for tests and tools. */
export const STEP_MIME = "application/vnd.flowbook.translationstep+json";

export function prepareStepDrawing(): Promise<void> {
  return loadLayout();
}

/** The plan so far, the step's part highlighted; `captioned`: the step written under the title (for front ends showing the SVG alone). */
export function stepSvg(view: StepView, captioned = true): string {
  const t = stepText(view, { width: 110 });
  const caption = captioned ? t.head.filter((l) => !l.startsWith("Translation of")).slice(0, 12) : [];
  return layoutSvgNow(planDot(view.plan, { highlight: view.added, changed: view.changed, highlightEdges: view.edges, caption: [`Step ${view.index + 1} of ${view.total}`, ...caption] }));
}

function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The state a notebook's stepper object mirrors (`st.step`): the facade's type, made here. */
export type { StepState };

export function stepState(st: Stepper): StepState {
  const ev = st.current;
  return {
    position: st.position,
    total: st.total,
    kind: ev.kind,
    transform: ev.kind === "finish" ? undefined : ev.transform.fullName,
    kindName: ev.kind === "finish" ? undefined : ev.transform.kindName,
    note: st.note,
    breakpoints: [...st.breakpoints],
    atEnd: st.atEnd,
  };
}

export function stepBundle(st: Stepper, ctx: DisplayContext = {}): MimeBundle {
  const view = stepView(st);
  const width = ctx.width ?? 100;
  const text = stepText(view, { width });
  const svg = stepSvg(view);
  // Beside the step's text, the drawing needs no caption of its own.
  const bare = stepSvg(view, false);
  const keys = "st.next() · st.into() · st.out() · st.back() · st.continue() · st.runTo(name) · st.break(name or kind) · st.why()";
  const panel =
    `<div class="flowbook-step" style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">` +
    `<pre style="margin:0;flex:0 1 46em;white-space:pre-wrap;font-size:12px;line-height:1.35">${text.head.map((l, i) => (i < 2 ? `<b>${html(l)}</b>` : html(l))).join("\n")}\n\n<span style="color:#777">${html(keys)}</span></pre>` +
    `<div style="flex:1 1 auto;overflow:auto">${bare}</div></div>`;
  return {
    [Mime.text]: [...text.head, "", ...text.plan].join("\n"),
    [Mime.html]: panel,
    [Mime.svg]: svg,
    [STEP_MIME]: { ...stepState(st), added: view.added, changed: view.changed, edges: view.edges },
  };
}

/** The host's steppers, by id; the oldest are dropped past `max` (a notebook makes few). */
export class StepperHost {
  private readonly steppers = new Map<string, Stepper>();
  private next = 0;

  constructor(private readonly max = 50) {}

  async open(trace: TranslationTrace, ctx: DisplayContext): Promise<{ id: string; bundle: MimeBundle; state: StepState }> {
    await prepareStepDrawing();
    const st = new Stepper(trace);
    const id = `stepper-${++this.next}`;
    this.steppers.set(id, st);
    while (this.steppers.size > this.max) this.steppers.delete(this.steppers.keys().next().value!);
    return { id, bundle: stepBundle(st, ctx), state: stepState(st) };
  }

  command(id: string, command: StepCommand, ctx: DisplayContext): { bundle: MimeBundle; state: StepState } {
    const st = this.steppers.get(id);
    if (!st) throw new Error("this stepper is gone (the host keeps the newest 50): call explain(p, { step: true }) again");
    st.run(command);
    return { bundle: stepBundle(st, ctx), state: stepState(st) };
  }
}
