/**
 * The pipeline graph in Graphviz's DOT language, for `dot` to lay out: transforms top to
 * bottom in the order data flows, composites as nested clusters (or one node beyond the
 * depth), every edge labelled with its PCollection and coder (a label node on the edge,
 * see graphDot), sources and sinks shaped apart from the steps between them, side inputs
 * dashed. Labels are HTML-like so a name and its kind can differ in weight and size;
 * Graphviz measures DejaVu Sans itself, so boxes fit the text the PNG draws.
 */
import type { PCollectionNode, PipelineGraph, TransformNode } from "../../graph/types.js";
import { FONT_FAMILY } from "../png.js";
import { coderLabel } from "./coder_label.js";
import { collapseGraph, type CollapsedGraph, type DrawnCluster, type DrawnNode } from "./collapsed_graph.js";
import { depthOf, type GraphOptions } from "./graph_options.js";
import { pcollectionLabel } from "./pcollection_label.js";
import { transformKind, transformRole, type TransformRole } from "./transform_kind.js";

/** The colours of the Flink plan's drawing (src/display/plan/svg.ts), so the two read alike. */
const ROLE_STYLE: Record<Exclude<TransformRole, "composite">, { shape: string; fill: string; line: string }> = {
  source: { shape: "cylinder", fill: "#eef7ee", line: "#5b9a5b" },
  sink: { shape: "folder", fill: "#f4eefa", line: "#7d5ba6" },
  view: { shape: "note", fill: "#f4eefa", line: "#7d5ba6" },
  usercode: { shape: "box", fill: "#fff4e5", line: "#d9822b" },
  shuffle: { shape: "box", fill: "#eaf1fb", line: "#3c6eb4" },
  native: { shape: "box", fill: "#f2f2f2", line: "#7a7a7a" },
};
const COLLAPSED = { shape: "box3d", fill: "#e9edf3", line: "#5d6b82" };
/** Cluster fills darken a little with each level, so nesting shows without heavy borders. */
const CLUSTER_FILLS = ["#f8f9fb", "#f0f3f7", "#e8ecf2", "#e0e6ee"];
const HIGHLIGHT = "#e8590c";
const EDGE = "#8a8a8a";
const SIDE_EDGE = "#7d5ba6";
const CODER_COLOR = "#3c6eb4";
/** Longest name or kind drawn in a node before it is cut. */
const MAX_LABEL = 44;

function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function quoted(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function clip(s: string, n = MAX_LABEL): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

/** An HTML-like label: written between `<…>` as it is, where any other value is quoted. */
interface Markup {
  markup: string;
}

function markup(m: string): Markup {
  return { markup: m };
}

function attrs(a: Record<string, string | number | Markup | undefined>): string {
  const parts = Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "object" ? `<${v.markup}>` : typeof v === "number" ? v : quoted(v!)}`);
  return `[${parts.join(", ")}]`;
}

export function graphDot(graph: PipelineGraph, options: GraphOptions = {}): string {
  const drawn = collapseGraph(graph, depthOf(options));
  const out: string[] = [];
  const f = quoted(FONT_FAMILY);
  out.push(`digraph pipeline {`);
  out.push(`  graph [rankdir=TB, fontname=${f}, fontsize=12, nodesep=0.3, ranksep=0.35, pad=0.2, newrank=true, labelloc=t, labeljust=l, ` +
    `label=<<B>${html(graph.name || "pipeline")}</B>  <FONT POINT-SIZE="11" COLOR="#666666">${html(summary(graph, drawn, depthOf(options)))}</FONT>>];`);
  out.push(`  node [fontname=${f}, fontsize=12, shape=box, style="rounded,filled", margin="0.14,0.05", penwidth=1.2];`);
  out.push(`  edge [fontname=${f}, fontsize=10, color=${quoted(EDGE)}, arrowsize=0.7, penwidth=1.2];`);

  const byCluster = new Map<string | undefined, { nodes: DrawnNode[]; clusters: DrawnCluster[] }>();
  const slot = (k: string | undefined) => byCluster.get(k) ?? byCluster.set(k, { nodes: [], clusters: [] }).get(k)!;
  for (const n of drawn.nodes) slot(n.cluster).nodes.push(n);
  for (const c of drawn.clusters) slot(c.parent).clusters.push(c);

  // Each PCollection drawn is a label node on its edges, in the cluster of the node that
  // produces it: Graphviz keeps nodes inside their cluster's box (edge labels overflow
  // it), and a PCollection that several transforms read is named once.
  const pcollections = drawnPCollections(drawn);
  const highlighted = highlightedIds(graph, drawn, pcollections, options.highlight ?? []);
  const clusterOf = new Map(drawn.nodes.map((n) => [n.transform.id, n.cluster]));
  const pcollectionsIn = new Map<string | undefined, PCollectionNode[]>();
  for (const { from, pcollection } of pcollections.values()) {
    const k = clusterOf.get(from);
    pcollectionsIn.set(k, [...(pcollectionsIn.get(k) ?? []), pcollection]);
  }

  const emit = (cluster: string | undefined, indent: string) => {
    const here = slot(cluster);
    for (const c of here.clusters) {
      const hl = highlighted.has(c.transform.id);
      out.push(`${indent}subgraph ${quoted(`cluster_${c.transform.id}`)} {`);
      out.push(`${indent}  graph ${attrs({
        label: markup(`<B>${html(clip(c.transform.name))}</B>`),
        tooltip: c.transform.fullName,
        style: "rounded,filled",
        fillcolor: CLUSTER_FILLS[Math.min(c.level, CLUSTER_FILLS.length - 1)],
        color: hl ? HIGHLIGHT : "#b4bccb",
        penwidth: hl ? 2.5 : 1,
        fontsize: 12,
        margin: 10,
      })};`);
      emit(c.transform.id, indent + "  ");
      out.push(`${indent}}`);
    }
    for (const n of here.nodes) out.push(`${indent}${quoted(n.transform.id)} ${nodeAttrs(graph, n, highlighted.has(n.transform.id))};`);
    for (const pc of pcollectionsIn.get(cluster) ?? []) out.push(`${indent}${quoted(pc.id)} ${pcollectionAttrs(graph, pc, cluster, highlighted.has(pc.id))};`);
  };
  emit(undefined, "  ");

  for (const line of edgeLines(drawn, pcollections)) out.push("  " + line);
  out.push(`}`);
  return out.join("\n");
}

function summary(graph: PipelineGraph, drawn: CollapsedGraph, depth: number): string {
  const total = Object.keys(graph.transforms).length;
  const hidden = drawn.nodes.reduce((s, n) => s + n.hidden, 0);
  return `${total} transforms, ${Object.keys(graph.pcollections).length} PCollections` + (hidden ? ` · depth ${depth}: ${hidden} inside collapsed composites` : "");
}

function nodeAttrs(graph: PipelineGraph, n: DrawnNode, highlight: boolean): string {
  const t = n.transform;
  const style = n.collapsed ? COLLAPSED : ROLE_STYLE[transformRole(t) as Exclude<TransformRole, "composite">];
  const kind = n.collapsed ? `composite · ${n.hidden} transform${n.hidden === 1 ? "" : "s"} inside` : transformKind(t, graph);
  return attrs({
    // The kind under the name, unless the name says it already (a GroupByKey named so).
    label: markup(`<B>${html(clip(t.name))}</B>${kind === t.name ? "" : `<BR/><FONT POINT-SIZE="10" COLOR="#555555">${html(clip(kind))}</FONT>`}`),
    tooltip: `${t.fullName} (${t.urn})${t.appliedAt ? ` applied at ${t.appliedAt}` : ""}`,
    shape: style.shape,
    style: style.shape === "box" ? "rounded,filled" : "filled",
    fillcolor: style.fill,
    color: highlight ? HIGHLIGHT : style.line,
    penwidth: highlight ? 3 : 1.2,
    class: `transform ${n.collapsed ? "collapsed" : transformRole(t)}`,
    id: `node_${t.id}`,
  });
}

function pcollectionAttrs(graph: PipelineGraph, pc: PCollectionNode, cluster: string | undefined, highlight: boolean): string {
  const within = cluster ? graph.transforms[cluster]?.fullName : undefined;
  const coder = coderLabel(pc.coder);
  return attrs({
    label: markup(`<FONT POINT-SIZE="10" COLOR="#333333">${html(clip(pcollectionLabel(pc.name, within)))}</FONT><BR/><FONT POINT-SIZE="10" COLOR="${CODER_COLOR}">${html(clip(coder))}</FONT>`),
    tooltip: `${pc.name}: ${coder}${pc.isBounded ? "" : " (unbounded)"}`,
    // Bare text on its edge; framed when it is the PCollection asked about.
    shape: highlight ? "box" : "plaintext",
    style: highlight ? "rounded" : "",
    color: highlight ? HIGHLIGHT : undefined,
    penwidth: highlight ? 2.5 : undefined,
    margin: highlight ? "0.08,0.04" : "0.02,0.02",
    height: 0.2,
    class: highlight ? "pcollection highlighted" : "pcollection",
    id: `pcollection_${pc.id}`,
  });
}

/** Every PCollection drawn, with the node that produces it. */
function drawnPCollections(drawn: CollapsedGraph): Map<string, { from: string; pcollection: PCollectionNode }> {
  const pcs = new Map<string, { from: string; pcollection: PCollectionNode }>();
  for (const e of drawn.edges) {
    const from = drawn.drawnAs.get(e.pcollection.producer);
    if (from && !pcs.has(e.pcollection.id)) pcs.set(e.pcollection.id, { from, pcollection: e.pcollection });
  }
  for (const u of drawn.unread) pcs.set(u.pcollection.id, u);
  return pcs;
}

/** Producer — PCollection — consumer; a side input dashed from its View (or the PCollection). */
function edgeLines(drawn: CollapsedGraph, pcollections: Map<string, { from: string; pcollection: PCollectionNode }>): string[] {
  const lines: string[] = [];
  for (const { from, pcollection } of pcollections.values()) {
    lines.push(`${quoted(from)} -> ${quoted(pcollection.id)} ${attrs({ arrowhead: "none", class: "produces", id: `produces_${pcollection.id}` })};`);
  }
  for (const e of drawn.edges) {
    const producer = pcollections.get(e.pcollection.id)?.from;
    const from = e.side && e.from !== producer ? e.from : e.pcollection.id;
    const id = `edge_${e.pcollection.id}_${e.to}`;
    lines.push(`${quoted(from)} -> ${quoted(e.to)} ${attrs(e.side
      ? { style: "dashed", color: SIDE_EDGE, label: markup(`<FONT POINT-SIZE="9" COLOR="${SIDE_EDGE}">side input</FONT>`), class: "side", id }
      : { class: "reads", id })};`);
  }
  return lines;
}

/**
 * What stands for the transforms and PCollections named to highlight (by id or full name):
 * the node or cluster of a transform, the label of a PCollection; either hidden in a
 * collapsed composite highlights that composite's node.
 */
function highlightedIds(graph: PipelineGraph, drawn: CollapsedGraph, pcollections: Map<string, unknown>, names: string[]): Set<string> {
  const ids = new Set<string>();
  if (!names.length) return ids;
  const wanted = new Set(names);
  for (const t of Object.values(graph.transforms) as TransformNode[]) {
    if (!wanted.has(t.id) && !wanted.has(t.fullName)) continue;
    const as = drawn.drawnAs.get(t.id);
    if (as) ids.add(as);
  }
  for (const pc of Object.values(graph.pcollections)) {
    if (!wanted.has(pc.id) && !wanted.has(pc.name)) continue;
    const as = pcollections.has(pc.id) ? pc.id : drawn.drawnAs.get(pc.producer);
    if (as) ids.add(as);
  }
  return ids;
}
