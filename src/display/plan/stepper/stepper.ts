/**
 * A debugger over a recorded translation (issue 15): a position in a `TranslationTrace`'s
 * events, moved the way a debugger moves through calls. Pure: no I/O, no rendering
 * (step_view.ts reconstructs the plan so far, step_text.ts and step_bundle.ts draw it), so
 * the REPL, the notebook's stepper and the tests all drive the same object.
 *
 * - `next` steps over: on a composite's `enter` it goes to that composite's `leave` (which
 *   shows everything the composite became); elsewhere to the following event.
 * - `into` steps into: every event in turn, a composite's parts included.
 * - `out` goes to the `leave` of the innermost composite around the current step.
 * - `cont` runs forward to the next step a breakpoint matches (or one that refuses a
 *   transform), else to the end; `runTo(q)` to the next step matching `q`.
 * - `back` undoes the last move (returns to the step shown before it); with nothing to
 *   undo, it goes one event back.
 *
 * A query (`runTo`, breakpoints) names a transform — its full name or its last segments
 * (`CountWords`, `CountWords/ExtractWords`, `ExtractWords`) — or a kind (`GroupByKey`,
 * `ParDo`, `Combine.perKey`, case ignored; or a URN). It matches where the translator
 * starts on that transform: its `enter` (a composite) or its `translate`.
 */
import type { TraceDecision, TraceEvent, TraceTransform, TranslationTrace } from "../../../runners/flink/translation_trace.js";

export type { TraceDecision, TraceEvent, TraceTransform, TranslationTrace };

/** What a move did, said to the person ("stopped at breakpoint 'GroupByKey'"). */
export interface MoveResult {
  moved: boolean;
  note?: string;
}

export type StepCommand =
  | { move: "next" | "into" | "out" | "back" | "continue" | "first" | "last" | "why" }
  | { move: "runTo"; query: string }
  | { move: "goTo"; index: number }
  | { move: "break"; query: string }
  | { move: "unbreak"; query?: string };

export class Stepper {
  private pos = 0;
  private readonly history: number[] = [];
  private readonly leaveOf: number[];
  private readonly breaks: string[] = [];
  /** Said about the last move, shown with the step until the next one. */
  note: string | undefined;
  /** The current step's reasons are asked for (`why`): drawn in full until the next move. */
  whyShown = false;

  constructor(readonly trace: TranslationTrace) {
    if (!trace.events.length) throw new Error(`the translation of '${trace.jobName}' recorded no steps`);
    this.leaveOf = matchLeaves(trace.events);
  }

  get events(): readonly TraceEvent[] {
    return this.trace.events;
  }
  get position(): number {
    return this.pos;
  }
  get total(): number {
    return this.trace.events.length;
  }
  get current(): TraceEvent {
    return this.trace.events[this.pos]!;
  }
  get atEnd(): boolean {
    return this.pos === this.total - 1;
  }
  get breakpoints(): readonly string[] {
    return this.breaks;
  }

  /** The composites around step `i`, outermost first (for a `leave`, those around the composite it leaves). */
  pathAt(i = this.pos): TraceTransform[] {
    const out: TraceTransform[] = [];
    for (let e = 0; e < i; e++) {
      const ev = this.events[e]!;
      if (ev.kind === "enter" && this.leaveOf[e]! > i) out.push(ev.transform);
    }
    return out;
  }

  /** The `enter` event whose composite `i` leaves (for a `leave` event). */
  enterOf(i: number): number | undefined {
    const e = this.leaveOf.indexOf(i);
    return e >= 0 ? e : undefined;
  }

  /** Runs a command (the REPL's and the notebook's moves go through here). */
  run(c: StepCommand): MoveResult {
    switch (c.move) {
      case "next":
        return this.next();
      case "into":
        return this.into();
      case "out":
        return this.out();
      case "back":
        return this.back();
      case "continue":
        return this.cont();
      case "first":
        return this.goTo(0);
      case "last":
        return this.goTo(this.total - 1);
      case "why":
        // The note stays: it says how the step was reached (a breakpoint, a run to a name).
        this.whyShown = true;
        return { moved: false, note: this.note };
      case "runTo":
        return this.runTo(c.query);
      case "goTo":
        return this.goTo(c.index);
      case "break":
        return this.break(c.query);
      case "unbreak":
        return this.unbreak(c.query);
    }
  }

  next(): MoveResult {
    if (this.atEnd) return this.stay("the end of the translation: b goes back, q leaves");
    const ev = this.current;
    if (ev.kind === "enter") return this.move(this.leaveOf[this.pos]!, `stepped over ${ev.transform.fullName} (s steps into its parts)`);
    return this.move(this.pos + 1);
  }

  into(): MoveResult {
    if (this.atEnd) return this.stay("the end of the translation: b goes back, q leaves");
    const ev = this.current;
    if (ev.kind === "translate" && ev.transform.composite) {
      const whole = ev.decisions.find((d) => d.kind === "translate-whole");
      return this.move(this.pos + 1, `${ev.transform.fullName} is translated whole${whole ? ` (${whole.choice})` : ""}: no parts to step into`);
    }
    return this.move(this.pos + 1);
  }

  out(): MoveResult {
    const around = this.enclosing();
    if (around === undefined) return this.stay("not inside a composite (n steps over, c continues)");
    return this.move(this.leaveOf[around]!, `out of ${(this.events[around] as { transform: TraceTransform }).transform.fullName}`);
  }

  back(): MoveResult {
    const to = this.history.pop();
    if (to !== undefined) return this.jump(to);
    if (this.pos === 0) return this.stay("the first step: nothing before it");
    return this.jump(this.pos - 1);
  }

  /** Forward to the next step a breakpoint matches, or one refusing a transform; else the end. */
  cont(): MoveResult {
    if (this.atEnd) return this.stay("the end of the translation: b goes back, q leaves");
    for (let i = this.pos + 1; i < this.total; i++) {
      const ev = this.events[i]!;
      const hit = this.breaks.find((q) => matches(ev, q));
      if (hit !== undefined) return this.move(i, `breakpoint '${hit}'`);
      if ("decisions" in ev && ev.decisions.some((d) => d.kind === "refuse")) return this.move(i, "stopped: this step refuses a transform");
    }
    return this.move(this.total - 1, this.breaks.length ? `no breakpoint hit (${this.breaks.join(", ")}): the end of the translation` : "the end of the translation");
  }

  /** To the next step matching `query` (from the start again when none is after this one). */
  runTo(query: string): MoveResult {
    const q = query.trim();
    if (!q) return this.stay("runTo needs a transform's name or a kind");
    for (let i = this.pos + 1; i < this.total; i++) if (matches(this.events[i]!, q)) return this.move(i, `ran to '${q}'`);
    for (let i = 0; i <= this.pos; i++) if (matches(this.events[i]!, q)) return this.move(i, `ran to '${q}' (from the start: none after the step you were on)`);
    return this.stay(`no step translates a transform named or of kind '${q}'${suggest(this.events, q)}`);
  }

  goTo(index: number): MoveResult {
    if (!Number.isInteger(index) || index < 0 || index >= this.total) return this.stay(`there are steps 1 to ${this.total}`);
    return this.move(index);
  }

  break(query: string): MoveResult {
    const q = query.trim();
    if (!q) return this.stay(this.breaks.length ? `breakpoints: ${this.breaks.join(", ")}` : "no breakpoints (break NAME or break KIND sets one)");
    if (!this.breaks.includes(q)) this.breaks.push(q);
    const hits = this.events.filter((e) => matches(e, q)).length;
    return this.stay(hits ? `breakpoint '${q}' (${hits} step${hits === 1 ? "" : "s"}; c runs to the next)` : `breakpoint '${q}' set, but no step matches it${suggest(this.events, q)}`);
  }

  /** Removes a breakpoint (all of them without a query). */
  unbreak(query?: string): MoveResult {
    const q = query?.trim();
    if (!q) {
      this.breaks.length = 0;
      return this.stay("no breakpoints");
    }
    const i = this.breaks.indexOf(q);
    if (i < 0) return this.stay(`no breakpoint '${q}' (${this.breaks.join(", ") || "none set"})`);
    this.breaks.splice(i, 1);
    return this.stay(`breakpoint '${q}' removed`);
  }

  /** The innermost composite around the current step: its `enter`'s index. */
  private enclosing(): number | undefined {
    let best: number | undefined;
    for (let e = 0; e < this.pos; e++) if (this.events[e]!.kind === "enter" && this.leaveOf[e]! > this.pos) best = e;
    return best;
  }

  private move(to: number, note?: string): MoveResult {
    if (to === this.pos) return this.stay(note);
    this.history.push(this.pos);
    return this.jump(to, note);
  }

  private jump(to: number, note?: string): MoveResult {
    this.pos = to;
    this.note = note;
    this.whyShown = false;
    return { moved: true, note };
  }

  private stay(note?: string): MoveResult {
    this.note = note;
    return { moved: false, note };
  }
}

/** For each `enter`, the index of its `leave` (the last event when the trace was cut short); -1 elsewhere. */
function matchLeaves(events: readonly TraceEvent[]): number[] {
  const out = events.map(() => -1);
  const open: number[] = [];
  events.forEach((ev, i) => {
    if (ev.kind === "enter") open.push(i);
    else if (ev.kind === "leave") {
      // The innermost open composite with this transform (a well-formed trace: the top one).
      for (let k = open.length - 1; k >= 0; k--) {
        if ((events[open[k]!] as { transform: TraceTransform }).transform.id === ev.transform.id) {
          out[open[k]!] = i;
          open.splice(k);
          break;
        }
      }
    }
  });
  // A translation refused half-way leaves composites open: they end where the trace ends.
  for (const e of open) out[e] = events.length - 1;
  return out;
}

/** Does event `ev` start on a transform named `q` or of kind `q`? */
export function matches(ev: TraceEvent, q: string): boolean {
  if (ev.kind !== "enter" && ev.kind !== "translate") return false;
  const t = ev.transform;
  if (t.fullName === q || t.fullName.endsWith(`/${q}`)) return true;
  return t.kindName.toLowerCase() === q.toLowerCase() || t.urn === q;
}

function suggest(events: readonly TraceEvent[], q: string): string {
  const lower = q.toLowerCase();
  const names = new Set<string>();
  for (const ev of events) {
    if (ev.kind !== "enter" && ev.kind !== "translate") continue;
    const last = ev.transform.fullName.split("/").pop()!;
    if (last.toLowerCase().includes(lower) || lower.includes(last.toLowerCase())) names.add(last);
    if (ev.transform.kindName.toLowerCase().includes(lower)) names.add(ev.transform.kindName);
  }
  const list = [...names].slice(0, 5);
  return list.length ? ` (did you mean ${list.map((n) => `'${n}'`).join(", ")}?)` : "";
}
