/**
 * What Flink made of our plan (issue 15, point 4), drawn: Flink's job graph — its vertices
 * after operator chaining, each one task that runs a chain of operators — with every chained
 * operator mapped back to the plan operator (and so the transforms) it came from.
 *
 * - Text: our plan's tree, then each vertex with its parallelism, its inputs (Flink's ship
 *   strategy and exchange: a HASH over a blocking exchange is a shuffle written to disk
 *   first in BATCH) and its chain as a tree of Flink operator names, each followed by the
 *   plan operator it belongs to.
 * - SVG (Graphviz): each vertex a frame around its chained operators, the boxes coloured
 *   and labelled as in the plan's drawing (`op3/Merge · combine · native sum`), edges
 *   inside a frame chained (no serialization), edges between frames Flink's exchanges.
 *
 * For a job that ran, each vertex also shows its time (busy time where Flink reports it),
 * records and network bytes, and the vertex where most time went is outlined.
 */
import type { FlinkJobGraph, JobGraphVertex } from "../../runners/flink/flink_job_graph.js";
import type { FlinkOperator } from "../../runners/flink/flink_plan.js";
import { Mime, type DisplayContext, type MimeBundle } from "../mime.js";
import { FONT_FAMILY, svgToPngBase64 } from "../png.js";
import { layoutSvg } from "../graph/viz_layout.js";
import { category, kindLabel } from "./describe.js";
import { CATEGORY_COLORS, clip, html, quoted } from "./plan_dot.js";
import { bytes, count, duration, operatorMetricsLine, type PlanRunMetrics } from "./run_metrics.js";
import { renderPlanText } from "./text.js";

export const JOB_GRAPH_MIME = "application/vnd.flowbook.jobgraph+json";

const HOT = "#c92a2a";

export interface JobGraphTextOptions {
  /** Column width to shorten long lines at (default 120; 0 = never). */
  width?: number;
}

function vertexMetricsLine(v: JobGraphVertex): string | undefined {
  const r = v.run;
  if (!r) return undefined;
  const parts = [`${r.status.toLowerCase()} in ${duration(r.durationMs)}`];
  if (r.busyMs !== undefined) parts.push(`busy ${duration(r.busyMs)}`);
  if (r.backPressuredMs) parts.push(`back-pressured ${duration(r.backPressuredMs)}`);
  parts.push(`records in ${count(r.recordsIn)}, out ${count(r.recordsOut)}`);
  if (r.bytesIn || r.bytesOut) parts.push(`network ${bytes(r.bytesIn)} in, ${bytes(r.bytesOut)} out`);
  return parts.join(" · ");
}

/** The vertex where the most time went (busy time, else duration), for a job that ran. */
export function hottestVertex(g: FlinkJobGraph): JobGraphVertex | undefined {
  const timed = g.vertices.filter((v) => v.run);
  if (timed.length < 2) return undefined;
  const t = (v: JobGraphVertex) => v.run!.busyMs ?? v.run!.durationMs;
  return timed.reduce((a, b) => (t(b) > t(a) ? b : a));
}

function header(g: FlinkJobGraph): string {
  const how = g.source === "planned" ? "planned by Flink (nothing ran)" : `job ${g.jobId}${g.state ? ` · ${g.state}` : ""}${g.durationMs !== undefined ? ` in ${duration(g.durationMs)}` : ""}`;
  return `Flink's job graph '${g.jobName}' · ${g.type ?? "?"} · ${how} · ${g.plan.operators.length} plan operators chained into ${g.vertices.length} vertices (tasks)`;
}

/** The job graph as text: each vertex, its inputs, its chain mapped to our operators. */
export function renderJobGraphText(g: FlinkJobGraph, options: JobGraphTextOptions = {}): string {
  const width = options.width ?? 120;
  const clipLine = (s: string) => (width > 0 && s.length > width ? s.slice(0, width - 1) + "…" : s);
  const ops = new Map(g.plan.operators.map((o) => [o.id, o]));
  const index = new Map(g.vertices.map((v) => [v.id, v.index]));
  const hot = hottestVertex(g);
  const lines = [header(g)];
  for (const v of g.vertices) {
    const inputs = v.inputs.map((i) => `${i.ship}${i.exchange ? ` (${i.exchange})` : ""} from vertex ${index.get(i.from) ?? "?"}`);
    lines.push(`${hot === v ? "▲ " : ""}vertex ${v.index}  ×${v.parallelism}${inputs.length ? `  ◂ ${inputs.join(", ")}` : "  (source)"}`);
    const depth = (i: number): number => (v.chain[i]!.parent === undefined ? 0 : depth(v.chain[i]!.parent!) + 1);
    v.chain.forEach((c, i) => {
      const op = c.operator ? ops.get(c.operator) : undefined;
      const ours = op ? `${op.id}${c.part} · ${kindLabel(op)}` : "(not from the plan)";
      lines.push(`   ${"  ".repeat(depth(i))}${i === 0 ? "" : "└ "}${c.flinkName}   ← ${ours}`);
    });
    const m = vertexMetricsLine(v);
    if (m) lines.push(`   = ${m}`);
  }
  if (g.unmapped.length) lines.push(`plan operators no vertex shows: ${g.unmapped.join(", ")}`);
  for (const id of g.unions ?? []) {
    const readers = g.vertices.filter((v) => g.plan.operators.some((o) => o.inputs.some((i) => i.from === id) && v.operators.includes(o.id)));
    lines.push(`${id} flatten: no Flink operator (a union: its inputs feed ${readers.map((v) => `vertex ${v.index}`).join(", ") || "the next operator"} directly)`);
  }
  const chained = g.vertices.filter((v) => v.operators.length > 1);
  if (chained.length) {
    lines.push(`chained (one task each: records handed over in memory, no network hop): ${chained.map((v) => v.operators.join(" → ")).join("; ")}`);
  }
  return lines.map(clipLine).join("\n");
}

function chainBox(op: FlinkOperator | undefined, part: string, flinkName: string, run?: PlanRunMetrics): string {
  const c = op ? CATEGORY_COLORS[category(op)] : { fill: "#ffffff", band: "#999999" };
  const head = op ? `${op.id}${part} · ${kindLabel(op)}` : "not from the plan";
  const rows = [`<TR><TD ALIGN="LEFT">${html(clip(flinkName, 60))}</TD></TR>`];
  if (op && !part && op.transforms.length > 1) {
    for (const t of op.transforms.slice(0, 4)) rows.push(`<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#555555">${html(clip(`· ${t}`, 60))}</FONT></TD></TR>`);
    if (op.transforms.length > 4) rows.push(`<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#555555">${html(`  … ${op.transforms.length - 4} more`)}</FONT></TD></TR>`);
  }
  // The run's counts on the operator itself (its time is the vertex's, on the frame).
  const m = op && !part ? run?.operators[op.id] : undefined;
  const numbers = m ? operatorMetricsLine({ ...m, timeMs: undefined }) : undefined;
  if (numbers) rows.push(`<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#1b5e20"><B>${html(numbers)}</B></FONT></TD></TR>`);
  return `<TABLE BORDER="1" COLOR="${c.band}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="${c.fill}">` +
    `<TR><TD BGCOLOR="${c.band}" ALIGN="LEFT"><FONT COLOR="white"><B>${html(head)}</B></FONT></TD></TR>` +
    rows.join("") +
    `</TABLE>`;
}

const SHIP_COLORS: Record<string, string> = { HASH: "#3c6eb4", BROADCAST: "#7d5ba6", FORWARD: "#888888", REBALANCE: "#888888" };

/** The job graph in DOT: a frame per vertex around its chained operators. */
export function jobGraphDot(g: FlinkJobGraph, run?: PlanRunMetrics): string {
  const f = quoted(FONT_FAMILY);
  const ops = new Map(g.plan.operators.map((o) => [o.id, o]));
  const hot = hottestVertex(g);
  const node = (v: JobGraphVertex, i: number) => quoted(`v${v.index}_${i}`);
  const out = [
    `digraph jobgraph {`,
    `  graph [rankdir=TB, compound=true, fontname=${f}, fontsize=12, nodesep=0.3, ranksep=0.5, pad=0.2, labelloc=t, labeljust=l, label=<<B>${html(header(g))}</B>>];`,
    `  node [fontname=${f}, fontsize=10, shape=plain];`,
    `  edge [fontname=${f}, fontsize=10, arrowsize=0.7];`,
  ];
  for (const v of g.vertices) {
    const m = vertexMetricsLine(v);
    const isHot = hot === v;
    const label = `<B>${html(`vertex ${v.index}`)}</B>${html(`  ×${v.parallelism}  ${v.operators.join(" → ")}`)}${m ? `<BR ALIGN="LEFT"/><FONT POINT-SIZE="10" COLOR="${isHot ? HOT : "#1b5e20"}">${html(m)}</FONT>` : ""}<BR ALIGN="LEFT"/>`;
    out.push(`  subgraph ${quoted(`cluster_v${v.index}`)} {`);
    out.push(`    graph [label=<${label}>, style="rounded", color=${quoted(isHot ? HOT : "#5c5c5c")}, penwidth=${isHot ? 3 : 1.5}, fontsize=11, id=${quoted(`vertex_${v.index}`)}];`);
    v.chain.forEach((c, i) => {
      const op = c.operator ? ops.get(c.operator) : undefined;
      out.push(`    ${node(v, i)} [label=<${chainBox(op, c.part, c.flinkName, run)}>, id=${quoted(`v${v.index}_${c.operator ?? "x"}${c.part.replace(/[^A-Za-z0-9]/g, "_")}`)}, class=${quoted(`chained ${op ? category(op) : "unknown"}`)}, tooltip=${quoted(`${c.flinkName}${op ? ` — ${op.id} ${op.kind}: ${op.transforms.join(", ")}` : ""}`)}];`);
    });
    v.chain.forEach((c, i) => {
      if (c.parent !== undefined) out.push(`    ${node(v, c.parent)} -> ${node(v, i)} [color="#aaaaaa", penwidth=1.2, label=<<FONT COLOR="#888888">chained</FONT>>];`);
    });
    out.push(`  }`);
  }
  const byId = new Map(g.vertices.map((v) => [v.id, v]));
  for (const v of g.vertices) {
    for (const i of v.inputs) {
      const from = byId.get(i.from);
      if (!from || !from.chain.length || !v.chain.length) continue;
      const color = SHIP_COLORS[i.ship] ?? "#888888";
      const attrs = [
        `ltail=${quoted(`cluster_v${from.index}`)}`,
        `lhead=${quoted(`cluster_v${v.index}`)}`,
        `color=${quoted(color)}`,
        `penwidth=${i.ship === "HASH" ? 2.6 : 1.5}`,
        `label=<<FONT COLOR="${color}">${html(`${i.ship}${i.exchange ? ` · ${i.exchange}` : ""}`)}</FONT>>`,
        `class=${quoted(`exchange ${i.ship.toLowerCase()}`)}`,
      ];
      if (i.ship === "BROADCAST") attrs.push(`style=dashed`);
      out.push(`  ${node(from, from.chain.length - 1)} -> ${node(v, 0)} [${attrs.join(", ")}];`);
    }
  }
  out.push(`}`);
  return out.join("\n");
}

export async function renderJobGraphSvg(g: FlinkJobGraph, run?: PlanRunMetrics): Promise<string> {
  return layoutSvg(jobGraphDot(g, run));
}

/**
 * Our plan and Flink's job graph of it as one bundle: the text shows the plan's tree (with a
 * run's numbers when given), then the job graph; the SVG and PNG draw the job graph, whose
 * boxes are the plan's operators inside Flink's vertices; both JSONs ride along.
 */
export async function renderJobGraph(g: FlinkJobGraph, ctx: DisplayContext = {}, run?: PlanRunMetrics): Promise<MimeBundle> {
  const width = ctx.width ?? 120;
  const svg = await renderJobGraphSvg(g, run);
  return {
    [Mime.text]: `${renderPlanText(g.plan, { width, ...(run ? { run } : {}) })}\n\n${renderJobGraphText(g, { width })}`,
    [Mime.svg]: svg,
    [Mime.png]: svgToPngBase64(svg),
    [Mime.planJson]: g.plan,
    [JOB_GRAPH_MIME]: g,
  };
}
