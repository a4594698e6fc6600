/**
 * The pipeline graph as a text tree for terminals: the transform hierarchy with
 * composites nested (collapsed beyond the depth, saying how much they hide), each step
 * with its kind and the PCollections it outputs with their coders. Where a step does not
 * read what the line above it wrote, the tree says what it reads (`← Total.out`), and
 * side inputs are listed under it, so branches are not lost in the nesting.
 */
import type { PipelineGraph, TransformNode } from "../../graph/types.js";
import { coderLabel } from "./coder_label.js";
import { depthOf, type GraphOptions } from "./graph_options.js";
import { pcollectionLabel } from "./pcollection_label.js";
import { isComposite, transformKind } from "./transform_kind.js";

export interface GraphTextOptions extends GraphOptions {
  /** Columns to fit lines in (default 100; 0 = never cut). */
  width?: number;
}

interface Line {
  /** Tree glyphs and the transform's name: the first column. */
  head: string;
  /** The kind: the second column. */
  kind: string;
  /** What it reads (when not the line above's output) and writes. */
  flow?: string;
  /** A continuation (side inputs): not aligned to the name column. */
  note?: boolean;
}

export function renderGraphText(graph: PipelineGraph, options: GraphTextOptions = {}): string {
  const width = options.width ?? 100;
  const depth = depthOf(options);
  const wanted = new Set(options.highlight ?? []);
  const lines: Line[] = [];
  let lastOutputs = new Set<string>();
  let hiddenTotal = 0;

  const count = (t: TransformNode): number => t.subtransforms.reduce((s, id) => s + 1 + (graph.transforms[id] ? count(graph.transforms[id]!) : 0), 0);
  const outputs = (t: TransformNode, within: string | undefined) =>
    Object.values(t.outputs)
      .map((id) => graph.pcollections[id])
      .filter((pc) => pc !== undefined)
      // The coder first: a narrow terminal cuts the name, which the line's name implies.
      .map((pc) => `${coderLabel(pc.coder)} (${pcollectionLabel(pc.name, within)})`)
      .join(", ");
  const name = (id: string, within: string | undefined) => {
    const pc = graph.pcollections[id];
    return pc ? pcollectionLabel(pc.name, within) : id;
  };

  // Asked for by id or full name; a line drawn as one node (a step, a collapsed composite)
  // also for its outputs and for anything inside it. An expanded composite's outputs are
  // marked at the step inside that writes them.
  const isWanted = (t: TransformNode, asNode: boolean): boolean =>
    wanted.has(t.id) || wanted.has(t.fullName) ||
    (asNode && Object.values(t.outputs).some((pc) => wanted.has(pc) || wanted.has(graph.pcollections[pc]?.name ?? ""))) ||
    (asNode && t.subtransforms.some((id) => graph.transforms[id] !== undefined && isWanted(graph.transforms[id]!, true)));

  const walk = (ids: string[], level: number, prefix: string, parent: TransformNode | undefined) => {
    const within = parent?.fullName;
    ids.forEach((id, i) => {
      const t = graph.transforms[id];
      if (!t) return;
      const last = i === ids.length - 1;
      const expand = isComposite(t) && level < depth;
      const mark = isWanted(t, !expand) ? " ◀" : "";
      const head = `${prefix}${last ? "└─ " : "├─ "}${t.name}${mark}`;
      const below = prefix + (last ? "   " : "│  ");
      // What it reads, unless that is exactly what the line above wrote.
      const inputs = Object.values(t.inputs);
      const reads = inputs.every((pc) => lastOutputs.has(pc)) ? [] : inputs;
      const from = reads.length && !expand ? `← ${reads.map((pc) => name(pc, within)).join(", ")} ` : "";
      const out = outputs(t, within);
      if (expand) {
        lines.push({ head, kind: "composite" });
        walk(t.subtransforms, level + 1, below, t);
        return;
      }
      const hidden = isComposite(t) ? count(t) : 0;
      hiddenTotal += hidden;
      const kind = hidden ? `composite · ${hidden} transform${hidden === 1 ? "" : "s"} hidden` : transformKind(t, graph);
      lines.push({ head, kind, flow: `${from}${out ? `→ ${out}` : ""}`.trim() });
      for (const side of Object.values(t.sideInputs ?? {})) {
        lines.push({ head: `${below}   `, kind: `side input: ${name(side.pcollection, within)} (${side.view})`, note: true });
      }
      lastOutputs = new Set(Object.values(t.outputs));
    });
  };
  walk(graph.rootTransforms, 0, "", undefined);

  const total = Object.keys(graph.transforms).length;
  const title = `${graph.name || "pipeline"} · ${total} transforms, ${Object.keys(graph.pcollections).length} PCollections` +
    (hiddenTotal ? ` · depth ${depth}: ${hiddenTotal} in collapsed composites` : "");
  // Names, then kinds, in columns; a deep name or a long kind pushes its own line only.
  const aligned = lines.filter((l) => !l.note);
  const nameColumn = Math.min(Math.max(0, ...aligned.map((l) => l.head.length)), width > 0 ? Math.floor(width * 0.4) : Infinity);
  const kindColumn = Math.min(Math.max(0, ...aligned.filter((l) => l.flow).map((l) => l.kind.length)), 32);
  const clip = (s: string) => (width > 0 && s.length > width ? s.slice(0, width - 1) + "…" : s);
  const row = (l: Line) => (l.note ? l.head + l.kind : `${l.head.padEnd(nameColumn)}  ${l.flow ? `${l.kind.padEnd(kindColumn)}  ${l.flow}` : l.kind}`);
  return [title, ...lines.map(row)].map(clip).join("\n");
}
