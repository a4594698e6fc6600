/**
 * A FlinkPlan in Graphviz's DOT language: each operator a box with a coloured band
 * saying what it is (source, user code in Node, shuffle, native, sink), its parallelism,
 * the transforms it came from and the facts that explain it (the stage's fused ops, the
 * lifted combine, the files); each input an edge drawn and labelled by its ship strategy.
 * Top to bottom like the pipeline graph. Graphviz routes edges around boxes and sizes
 * boxes to their text (it measures DejaVu Sans), which the old hand layout could not.
 */
import type { FlinkOperator, FlinkPlan, OperatorInput, ShipStrategy } from "../../runners/flink/flink_plan.js";
import { FONT_FAMILY } from "../png.js";
import { category, details, kindLabel, transformsToList, type OperatorCategory } from "./describe.js";
import { operatorMetricsLine, runSummary, type PlanRunMetrics } from "./run_metrics.js";

export interface PlanDrawOptions {
  /** Operators to highlight, by id (`op3`) or by the full name of a transform they hold. */
  highlight?: string[];
  /** Operators drawn as changed (a transform fused into an existing stage), by id. */
  changed?: string[];
  /** Edges drawn highlighted (the stepper's new edges). */
  highlightEdges?: Array<{ from: string; to: string }>;
  /** Lines under the title (the stepper's step and decisions). */
  caption?: string[];
  /** What each operator did in a run: a line of numbers in each box, the operator where most time went outlined in red. */
  run?: PlanRunMetrics;
}

export const CATEGORY_COLORS: Record<OperatorCategory, { fill: string; band: string }> = {
  source: { fill: "#eef7ee", band: "#5b9a5b" },
  usercode: { fill: "#fff4e5", band: "#d9822b" },
  shuffle: { fill: "#eaf1fb", band: "#3c6eb4" },
  native: { fill: "#f2f2f2", band: "#7a7a7a" },
  sink: { fill: "#f4eefa", band: "#7d5ba6" },
};

export const SHIP_STYLES: Record<ShipStrategy, { color: string; width: number; style?: string }> = {
  forward: { color: "#888888", width: 1.3 },
  rebalance: { color: "#888888", width: 1.3, style: "dotted" },
  hash: { color: "#3c6eb4", width: 2.6 },
  broadcast: { color: "#7d5ba6", width: 1.5, style: "dashed" },
};

const HIGHLIGHT = "#e8590c";
/** The operator where a run spent the most time. */
const HOT = "#c92a2a";
/** The body of a highlighted (new) operator, and of a changed one. */
export const HIGHLIGHT_FILL = "#ffd8a8";
export const CHANGED = { border: "#f59f00", fill: "#fff3bf" };
const MAX_TRANSFORMS = 6;
const MAX_CHARS = 64;

export function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function quoted(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function clip(s: string, n = MAX_CHARS): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

export function planDot(plan: FlinkPlan, options: PlanDrawOptions = {}): string {
  const wanted = new Set(options.highlight ?? []);
  const changed = new Set(options.changed ?? []);
  const litEdges = new Set((options.highlightEdges ?? []).map((e) => `${e.from}\u0000${e.to}`));
  const byId = new Map(plan.operators.map((o) => [o.id, o]));
  const userCode = plan.operators.filter((o) => category(o) === "usercode").length;
  const f = quoted(FONT_FAMILY);
  const out: string[] = [];
  out.push(`digraph plan {`);
  const caption = options.run ? [runSummary(options.run), ...(options.caption ?? [])] : options.caption;
  out.push(`  graph [rankdir=TB, fontname=${f}, fontsize=12, nodesep=0.35, ranksep=0.45, pad=0.2, labelloc=t, labeljust=l, label=<${title(plan, userCode, caption)}>];`);
  out.push(`  node [fontname=${f}, fontsize=11, shape=plain];`);
  out.push(`  edge [fontname=${f}, fontsize=10, arrowsize=0.7];`);
  for (const op of plan.operators) {
    const hl = wanted.has(op.id) || op.transforms.some((t) => wanted.has(t));
    const ch = !hl && changed.has(op.id);
    out.push(`  ${quoted(op.id)} [label=<${box(op, plan, hl, ch, options.run)}>, id=${quoted(`op_${op.id}`)}, class=${quoted(`operator ${category(op)}${hl ? " highlighted" : ch ? " changed" : ""}`)}, tooltip=${quoted(`${op.id} ${op.kind}: ${op.transforms.join(", ") || op.name}`)}];`);
  }
  for (const op of plan.operators) {
    op.inputs.forEach((input, index) => {
      if (!byId.has(input.from)) return;
      out.push(`  ${quoted(input.from)} -> ${quoted(op.id)} ${edge(input, op, index, litEdges.has(`${input.from}\u0000${op.id}`))};`);
    });
  }
  out.push(`}`);
  return out.join("\n");
}

function title(plan: FlinkPlan, userCode: number, caption: string[] = []): string {
  const legend = (Object.entries(CATEGORY_COLORS) as Array<[OperatorCategory, { band: string }]>)
    .map(([cat, c]) => `<FONT COLOR="${c.band}">■</FONT> ${cat === "usercode" ? "user code (Node)" : cat}`)
    .join("   ");
  const ships = (Object.entries(SHIP_STYLES) as Array<[ShipStrategy, { color: string; style?: string }]>)
    .map(([ship, s]) => `<FONT COLOR="${s.color}">${ship}${s.style ? ` (${s.style})` : ship === "hash" ? " (bold)" : ""}</FONT>`)
    .join(", ");
  return `<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">` +
    `<TR><TD ALIGN="LEFT"><B>${html(`Flink plan '${plan.jobName}'`)}</B></TD></TR>` +
    `<TR><TD ALIGN="LEFT"><FONT COLOR="#555555">${html(`${plan.runtimeMode} · parallelism ${plan.parallelism} · ${plan.operators.length} operators, ${userCode} with user code (Node)`)}</FONT></TD></TR>` +
    `<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="#444444">${legend}   · edges: ${ships}</FONT></TD></TR>` +
    caption.map((c, i) => `<TR><TD ALIGN="LEFT">${i === 0 ? `<B>${html(c)}</B>` : `<FONT COLOR="#333333">${html(clip(c, 110))}</FONT>`}</TD></TR>`).join("") +
    `</TABLE>`;
}

export function box(op: FlinkOperator, plan: FlinkPlan, highlight: boolean, changed = false, run?: PlanRunMetrics, part = ""): string {
  const c = CATEGORY_COLORS[category(op)];
  const rows: string[] = [];
  const row = (content: string) => rows.push(`<TR><TD ALIGN="LEFT" BALIGN="LEFT">${content}</TD></TR>`);
  const ts = transformsToList(op);
  // The name when it is one transform; the list of transforms otherwise (the name joins them).
  if (!ts.length) row(`<B>${html(clip(op.name))}</B>`);
  for (const t of ts.slice(0, MAX_TRANSFORMS)) row(html(clip(`· ${t}`)));
  if (ts.length > MAX_TRANSFORMS) row(html(`  … ${ts.length - MAX_TRANSFORMS} more`));
  for (const d of details(op, plan)) row(`<FONT POINT-SIZE="10" COLOR="#666666"><I>${html(clip(d))}</I></FONT>`);
  const numbers = operatorMetricsLine(run?.operators[op.id]);
  const hot = run?.hottest === op.id && run.hottestBy === "time";
  if (numbers) row(`<FONT POINT-SIZE="10" COLOR="${hot ? HOT : "#1b5e20"}"><B>${html(clip(numbers, 80))}</B></FONT>`);
  const fill = highlight ? HIGHLIGHT_FILL : changed ? CHANGED.fill : c.fill;
  return `<TABLE BORDER="${highlight || changed || hot ? 3 : 1}" COLOR="${highlight ? HIGHLIGHT : changed ? CHANGED.border : hot ? HOT : c.band}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="${fill}">` +
    // One header cell: two filled cells side by side leave a hairline seam in the PNG.
    `<TR><TD BGCOLOR="${c.band}" ALIGN="LEFT"><FONT COLOR="white"><B>${html(`${op.id}${part} · ${kindLabel(op)}`)}</B>${html(`   ×${op.parallelism ?? plan.parallelism}`)}</FONT></TD></TR>` +
    rows.join("") +
    `</TABLE>`;
}

function edge(input: OperatorInput, op: FlinkOperator, index: number, lit = false): string {
  const ship = SHIP_STYLES[input.ship] ?? SHIP_STYLES.forward;
  const s = lit ? { ...ship, color: HIGHLIGHT, width: Math.max(ship.width, 2.6) } : ship;
  const side = input.output && input.output !== "main";
  const label = side ? `${input.ship} · side output` : input.ship;
  const attrs = [
    `label=<<FONT COLOR="${s.color}">${html(label)}</FONT>>`,
    `color=${quoted(s.color)}`,
    `penwidth=${s.width}`,
    `class=${quoted(`ship ${input.ship}${lit ? " highlighted" : ""}`)}`,
    `id=${quoted(`in_${op.id}_${index}`)}`,
    `tooltip=${quoted(`${input.from} → ${op.id}: ${input.ship}${side ? ` (output ${input.output})` : ""}`)}`,
  ];
  if (s.style) attrs.push(`style=${s.style}`);
  return `[${attrs.join(", ")}]`;
}
