/**
 * What one step of a recorded translation shows: the event, the composites around it, and
 * the plan as it stood just after it — rebuilt from the effects of every event up to it —
 * with the step's own part marked (operators it added, operators it changed, edges it
 * added). For a composite's `leave`, the part is everything the composite produced.
 */
import type { FlinkOperator, FlinkPlan } from "../../../runners/flink/flink_plan.js";
import type { TraceDecision, TraceEffect, TraceEvent, TraceTransform, TranslationTrace } from "../../../runners/flink/translation_trace.js";
import type { Stepper } from "./stepper.js";

export interface StepEdge {
  from: string;
  to: string;
}

export interface StepView {
  /** 0-based position, and how many steps there are. */
  index: number;
  total: number;
  event: TraceEvent;
  /** The composites around it, outermost first. */
  path: TraceTransform[];
  /** The plan just after this step. */
  plan: FlinkPlan;
  /** Operators this step added, and (already there) changed. */
  added: string[];
  changed: string[];
  edges: StepEdge[];
  /** For a `leave`: the decisions made inside the composite (what `why` shows there). */
  inner: TraceDecision[];
  note?: string;
  /** At the last step of a refused translation: what was refused and why. */
  refused?: { transform: string; message: string };
  why: boolean;
  breakpoints: readonly string[];
}

export function stepView(st: Stepper): StepView {
  const i = st.position;
  const event = st.current;
  const from = event.kind === "leave" ? (st.enterOf(i) ?? i) : i;
  const part = mergedEffects(st.events.slice(from, i + 1));
  const added = part.added.map((o) => o.id);
  return {
    index: i,
    total: st.total,
    event,
    path: st.pathAt(i),
    plan: planAfter(st.trace, i),
    added,
    changed: [...new Set(part.changed.map((o) => o.id))].filter((id) => !added.includes(id)),
    edges: part.edges.map(({ from, to }) => ({ from, to })),
    inner: event.kind === "leave" ? st.events.slice(from + 1, i).flatMap((e) => ("decisions" in e ? e.decisions : [])) : [],
    note: st.note,
    refused: i === st.total - 1 ? st.trace.error : undefined,
    why: st.whyShown,
    breakpoints: st.breakpoints,
  };
}

function mergedEffects(events: readonly TraceEvent[]): TraceEffect {
  const out: TraceEffect = { added: [], changed: [], edges: [] };
  for (const ev of events) {
    if (ev.kind !== "translate" && ev.kind !== "finish") continue;
    out.added.push(...ev.effect.added);
    out.changed.push(...ev.effect.changed);
    out.edges.push(...ev.effect.edges);
  }
  return out;
}

/**
 * The plan after events 0..i: operators in the order they were added, each in its latest
 * state; a user-code operator's stage cut to the transforms fused into it by then (the
 * trace's plan holds the finished stages).
 */
export function planAfter(trace: TranslationTrace, i: number): FlinkPlan {
  const ops = new Map<string, FlinkOperator>();
  for (const ev of trace.events.slice(0, i + 1)) {
    if (ev.kind !== "translate" && ev.kind !== "finish") continue;
    for (const op of [...ev.effect.added, ...ev.effect.changed]) ops.set(op.id, op);
  }
  const operators = [...ops.values()];
  const stages: FlinkPlan["stages"] = {};
  for (const op of operators) {
    const id = (op.payload as { stage?: unknown } | undefined)?.stage;
    const stage = typeof id === "string" || typeof id === "number" ? trace.plan.stages[String(id)] : undefined;
    if (!stage) continue;
    // Finished by this step (it holds all its transforms): the stage as the plan has it.
    const final = trace.plan.operators.find((o) => o.id === op.id);
    if (final && final.transforms.length === op.transforms.length) {
      stages[String(id)] = stage;
      continue;
    }
    const fused = new Set(op.transforms);
    const nameOf = (t: string) => stage.graph.transforms[t]?.fullName ?? t;
    stages[String(id)] = { ...stage, transforms: stage.transforms.filter((t) => fused.has(t)), ops: stage.ops.filter((o) => fused.has(nameOf(o.transform))) };
  }
  return { ...trace.plan, operators, stages };
}
