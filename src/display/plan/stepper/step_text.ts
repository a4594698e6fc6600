/**
 * A step as text: the transform (full name, kind, where it was applied, its PCollections
 * with coders and windowing), the translator, the decisions (in full after `why`), and the
 * plan so far as the plan's text tree with the step's part marked: `+` on the lines of an
 * operator it added, `~` on one it changed (and, in a terminal, drawn inverse / yellow).
 */
import type { TracePCollection, TraceTransform } from "../../../runners/flink/translation_trace.js";
import { coderName } from "../describe.js";
import { renderPlanText } from "../text.js";
import type { StepView } from "./step_view.js";
import type { TraceEvent } from "./stepper.js";

export type StepStyle = "new" | "changed" | "title" | "dim" | "label" | "note" | "choice";

export interface StepTextOptions {
  /** Columns (default 100). */
  width?: number;
  /** Colours (the REPL's painter); plain text without. */
  style?: (kind: StepStyle, text: string) => string;
}

export interface StepText {
  /** The step: what was translated, how, why. */
  head: string[];
  /** The plan so far, marked. */
  plan: string[];
  /** The plan's lines that belong to the step's part (first, last), for a window that must show them. */
  focus?: [number, number];
}

const plain = (_k: StepStyle, t: string) => t;

export function stepText(view: StepView, options: StepTextOptions = {}): StepText {
  const width = Math.max(30, options.width ?? 100);
  const st = options.style ?? plain;
  const clip = (s: string, n = width) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
  const head: string[] = [];
  const ev = view.event;
  head.push(st("title", clip(`Translation of '${view.plan.jobName}' · step ${view.index + 1} of ${view.total}`)));
  head.push(clip(eventLine(ev)).replace(/^(\S+ \S+)/, (m) => st("title", m)));
  const row = (label: string, text: string) => head.push(`  ${st("label", label.padEnd(11))}${clip(text, width - 13)}`);
  if (view.path.length) row("inside", view.path.map((t) => t.fullName.split("/").pop()).join(" › "));
  if (ev.kind !== "finish") {
    const t = ev.transform;
    if (t.appliedAt) row("applied at", t.appliedAt);
    for (const pc of t.inputs) row("in", pcollection(pc));
    for (const pc of t.sideInputs) row("side input", pcollection(pc));
    for (const pc of t.outputs) row("out", pcollection(pc));
  }
  if (ev.kind === "translate") row("translator", `${ev.translator.name} → Java ${ev.translator.javaClass}`);
  if (ev.kind === "leave" || ev.kind === "translate" || ev.kind === "finish") {
    const made = [...view.added.map((id) => `+${id}`), ...view.changed.map((id) => `~${id}`)];
    if (made.length || ev.kind !== "leave") row(ev.kind === "leave" ? "it became" : "produced", made.length ? `${made.join(" ")}${view.edges.length ? ` · ${view.edges.length} edge${view.edges.length === 1 ? "" : "s"}` : ""}` : "no operator");
  }
  const decisions = "decisions" in ev ? ev.decisions : [];
  if (view.why) {
    head.push(st("title", "why"));
    const all = ev.kind === "leave" ? view.inner : decisions;
    if (ev.kind === "translate") head.push(...wrap(`translated by ${ev.translator.name}, which the registry holds for ${ev.transform.urn || "this kind"}; the bridge runs what it made with ${ev.translator.javaClass}.`, width, "  "));
    if (!all.length) head.push(st("dim", `  ${ev.kind === "enter" ? "no decision here: the composite is translated by its parts (s steps into them)" : "no decision recorded at this step"}`));
    for (const d of all) {
      head.push(`  ${st("label", d.kind)}: ${st("choice", d.choice)}`);
      head.push(...wrap(d.reason, width, "      "));
      const facts = [d.operators?.length ? `operators ${d.operators.join(", ")}` : "", d.pcollection ? `PCollection ${d.pcollection}` : "", d.coder ? `coder ${coderName(d.coder)}` : ""].filter(Boolean);
      if (facts.length) head.push(st("dim", clip(`      (${facts.join(" · ")})`)));
    }
  } else if (decisions.length) {
    for (const d of decisions) head.push(clip(`  ${d.kind}: ${d.choice} — ${d.reason}`).replace(/^ {2}(.*?): (.*?) — /, (_m, k: string, c: string) => `  ${st("label", k)}: ${st("choice", c)} — `));
  }
  if (view.refused) head.push(...wrap(`✗ refused ${view.refused.transform}: ${view.refused.message}`, width, "").map((l) => st("note", l)));
  if (view.note) head.push(st("note", clip(`» ${view.note}`)));

  const added = new Set(view.added);
  const changed = new Set(view.changed);
  const lines: string[] = [];
  let first = -1;
  let last = -1;
  const text = view.plan.operators.length
    ? renderPlanText(view.plan, {
        width: width - 2,
        decorate: (id, line) => {
          if (added.has(id) || changed.has(id)) {
            // The index this line gets (the title is line 0 of the tree's output).
            const n = lines.length + 1;
            if (first < 0) first = n;
            last = n;
            lines.push(line);
            return added.has(id) ? `+ ${st("new", line)}` : `~ ${st("changed", line)}`;
          }
          lines.push(line);
          return `  ${line}`;
        },
      }).split("\n")
    : [];
  const plan = text.length ? [st("dim", clip(`${text[0]!.replace(/^Flink plan/, "Plan so far:")}${added.size || changed.size ? ` · + new, ~ changed` : ""}`)), ...text.slice(1)] : [st("dim", "Plan so far: no operator yet")];
  return { head, plan, focus: first >= 0 ? [first, last] : undefined };
}

/** The whole step as text (the notebook's text/plain, tests). */
export function renderStepText(view: StepView, options: StepTextOptions = {}): string {
  const t = stepText(view, options);
  return [...t.head, "", ...t.plan].join("\n");
}

/** A composite's kind worth saying: not the bare "composite", nor its own name again (a user's CountWords). */
function compositeKind(t: TraceTransform): string | undefined {
  return t.kindName === "composite" || t.kindName === t.fullName.slice(t.fullName.lastIndexOf("/") + 1) ? undefined : t.kindName;
}

function eventLine(ev: TraceEvent): string {
  switch (ev.kind) {
    case "enter": {
      const kind = compositeKind(ev.transform);
      return `▸ enter ${ev.transform.fullName}  (${kind ? `${kind}, a composite` : "a composite"}: translated by its parts)`;
    }
    case "leave": {
      const kind = compositeKind(ev.transform);
      return `◂ leave ${ev.transform.fullName}${kind ? `  (${kind})` : ""}`;
    }
    case "translate":
      return `● translate ${ev.transform.fullName}  (${ev.transform.kindName}${ev.transform.composite ? ", a composite translated whole" : ""})`;
    case "finish":
      return `■ finish ${ev.what}`;
  }
}

function pcollection(pc: TracePCollection): string {
  return `${pc.name}: ${coderName(pc.coder)} · ${pc.windowing} · ${pc.bounded ? "bounded" : "unbounded"}`;
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + word.length + 1 > width && line.trim()) {
      out.push(line.trimEnd());
      line = indent;
    }
    line += (line.trim() ? " " : "") + word;
  }
  if (line.trim()) out.push(line.trimEnd());
  return out;
}
