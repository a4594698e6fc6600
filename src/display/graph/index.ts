/** The pipeline graph for people: a text tree, an SVG laid out by Graphviz, a PNG, a JSON summary. */
export { renderGraph, renderGraphSvg, graphSummary } from "./render_graph.js";
export { graphDot } from "./dot.js";
export { renderGraphText, type GraphTextOptions } from "./text.js";
export type { GraphOptions } from "./graph_options.js";
export { coderLabel } from "./coder_label.js";
