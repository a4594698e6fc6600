/**
 * The pipeline graph as a display bundle: the text tree fitted to the front end's width,
 * the SVG laid out by Graphviz, its PNG (JupyterLab shows no SVG from an untrusted
 * notebook; the REPL writes it to a file) and a JSON summary of what was drawn.
 */
import type { PipelineGraph } from "../../graph/types.js";
import { Mime, type DisplayContext, type MimeBundle } from "../mime.js";
import { svgToPngBase64 } from "../png.js";
import { liftClusterTitles } from "./cluster_titles.js";
import { coderLabel } from "./coder_label.js";
import { collapseGraph } from "./collapsed_graph.js";
import { graphDot } from "./dot.js";
import { depthOf, type GraphOptions } from "./graph_options.js";
import { renderGraphText } from "./text.js";
import { transformKind } from "./transform_kind.js";
import { layoutSvg } from "./viz_layout.js";

/** The graph as SVG: DOT laid out by Graphviz, cluster titles lifted above the edges. */
export async function renderGraphSvg(graph: PipelineGraph, options: GraphOptions = {}): Promise<string> {
  return liftClusterTitles(await layoutSvg(graphDot(graph, options)));
}

/** What the picture shows, as data: the drawn nodes (transforms) and edges (PCollections). */
export function graphSummary(graph: PipelineGraph, options: GraphOptions = {}) {
  const drawn = collapseGraph(graph, depthOf(options));
  return {
    name: graph.name,
    depth: Number.isFinite(depthOf(options)) ? depthOf(options) : null,
    nodes: drawn.nodes.map((n) => ({
      id: n.transform.id,
      fullName: n.transform.fullName,
      kind: n.collapsed ? "composite" : transformKind(n.transform, graph),
      ...(n.collapsed ? { hidden: n.hidden } : {}),
    })),
    clusters: drawn.clusters.map((c) => ({ id: c.transform.id, fullName: c.transform.fullName, parent: c.parent ?? null })),
    edges: drawn.edges.map((e) => ({
      from: e.from,
      to: e.to,
      pcollection: e.pcollection.name,
      coder: coderLabel(e.pcollection.coder),
      ...(e.side ? { sideInput: e.side } : {}),
    })),
  };
}

export async function renderGraph(graph: PipelineGraph, options: GraphOptions = {}, ctx: DisplayContext = {}): Promise<MimeBundle> {
  const svg = await renderGraphSvg(graph, options);
  return {
    [Mime.text]: renderGraphText(graph, { ...options, width: ctx.width ?? 100 }),
    [Mime.svg]: svg,
    [Mime.png]: svgToPngBase64(svg),
    [Mime.graphJson]: graphSummary(graph, options),
  };
}
