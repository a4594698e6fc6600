/**
 * The translation stepper in the live area (`.plan --step`): the step (transform, its
 * PCollections, the translator, the decisions — in full after `why`) above the plan so far,
 * whose lines for what the step added are drawn inverse (changed ones yellow), and the keys.
 * Fitted to the rows it gets: the plan is windowed so the step's part shows.
 */
import { stepText, type StepStyle, type StepView } from "../../src/display/plan/stepper/index.js";
import type { Color, Painter } from "../render/ansi.js";
import { truncate } from "../render/ansi.js";

export const STEP_PROMPT = "step› ";

export const STEP_KEYS = "n next · s into · o out · c continue · b back · break NAME|KIND · why · q quit · Enter: n again";

const STYLE: Record<StepStyle, Color> = {
  new: "inverse",
  changed: "yellow",
  title: "bold",
  dim: "gray",
  label: "cyan",
  note: "magenta",
  choice: "green",
};

/** The step's lines, at most `maxRows` of them, each at most `width` columns. */
export function stepArea(view: StepView, width: number, maxRows: number, paint: Painter): string[] {
  const t = stepText(view, { width, style: (k, s) => paint(STYLE[k], s) });
  const keys = paint("gray", truncate(STEP_KEYS, width));
  const rows = Math.max(4, maxRows);
  // The step first, but the plan keeps at least a few rows (its title and the new part).
  const planMin = Math.min(t.plan.length, Math.max(2, Math.floor(rows / 3)));
  const head = t.head.length > rows - 1 - planMin ? [...t.head.slice(0, Math.max(1, rows - 2 - planMin)), paint("gray", "  … (the rest of the step cut: a taller terminal shows it)")] : t.head;
  const room = rows - 1 - head.length;
  return [...head, ...windowed(t.plan, room, t.focus, paint), keys];
}

/** The plan's title and as many lines as fit, around the focus, with a note of what is cut. */
function windowed(plan: string[], room: number, focus: [number, number] | undefined, paint: Painter): string[] {
  if (plan.length <= room) return plan;
  if (room <= 1) return plan.slice(0, Math.max(0, room));
  const title = plan[0]!;
  const body = plan.slice(1);
  // Rows for the body once the "more above/below" markers took theirs (settles in two rounds).
  const f0 = focus ? focus[0] - 1 : 0;
  let n = room - 1;
  let start = 0;
  for (let round = 0; round < 3; round++) {
    start = Math.max(0, Math.min(f0 - 1, body.length - n));
    n = Math.max(1, room - 1 - (start > 0 ? 1 : 0) - (start + n < body.length ? 1 : 0));
  }
  start = Math.max(0, Math.min(f0 - 1, body.length - n));
  const shown = body.slice(start, start + n);
  const out = [title];
  if (start > 0) out.push(paint("gray", `  ↑ ${start} more line${start === 1 ? "" : "s"}`));
  out.push(...shown);
  const below = body.length - start - shown.length;
  if (below > 0) out.push(paint("gray", `  ↓ ${below} more line${below === 1 ? "" : "s"}`));
  return out.slice(0, room);
}
