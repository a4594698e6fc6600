/**
 * The pipeline graph as it is drawn at a given depth: composites above the depth are
 * clusters holding their parts, composites at it are single nodes standing for everything
 * inside them, and every edge joins the nodes that stand for a PCollection's producer and
 * consumer. Edges inside a collapsed composite disappear with it.
 */
import type { PCollectionNode, PipelineGraph, TransformNode, ViewKind } from "../../graph/types.js";
import { isComposite, isView } from "./transform_kind.js";

export interface DrawnNode {
  transform: TransformNode;
  /** A composite drawn as one node. */
  collapsed: boolean;
  /** How many transforms a collapsed composite hides (all levels below it). */
  hidden: number;
  /** The id of the cluster (expanded composite) it sits in, if any. */
  cluster?: string;
}

export interface DrawnCluster {
  transform: TransformNode;
  parent?: string;
  /** 0 for a top-level composite. */
  level: number;
}

export interface DrawnEdge {
  from: string;
  to: string;
  pcollection: PCollectionNode;
  /** Set when the consumer reads the PCollection as a side input, through this view. */
  side?: ViewKind;
}

export interface CollapsedGraph {
  nodes: DrawnNode[];
  clusters: DrawnCluster[];
  edges: DrawnEdge[];
  /** PCollections nothing reads (a pipeline's loose ends), by the node producing them. */
  unread: Array<{ from: string; pcollection: PCollectionNode }>;
  /** Transform id → id of the node that stands for it (itself, or a collapsed ancestor). */
  drawnAs: Map<string, string>;
}

/** `depth` composite levels are expanded: 0 shows only top-level transforms. */
export function collapseGraph(graph: PipelineGraph, depth = Infinity): CollapsedGraph {
  const nodes: DrawnNode[] = [];
  const clusters: DrawnCluster[] = [];
  const drawnAs = new Map<string, string>();

  const descendants = (t: TransformNode): TransformNode[] =>
    t.subtransforms.flatMap((id) => {
      const sub = graph.transforms[id];
      return sub ? [sub, ...descendants(sub)] : [];
    });

  const walk = (ids: string[], level: number, cluster: string | undefined) => {
    for (const id of ids) {
      const t = graph.transforms[id];
      if (!t) continue;
      if (isComposite(t) && level < depth) {
        clusters.push({ transform: t, parent: cluster, level });
        drawnAs.set(t.id, t.id);
        walk(t.subtransforms, level + 1, t.id);
      } else {
        const inside = descendants(t);
        nodes.push({ transform: t, collapsed: isComposite(t), hidden: inside.length, cluster });
        drawnAs.set(t.id, t.id);
        for (const d of inside) drawnAs.set(d.id, t.id);
      }
    }
  };
  walk(graph.rootTransforms, 0, undefined);

  const edges: DrawnEdge[] = [];
  const seen = new Set<string>();
  const add = (from: string | undefined, to: string | undefined, pcollection: PCollectionNode, side?: ViewKind) => {
    if (!from || !to || from === to) return;
    const key = `${from}→${to}:${pcollection.id}:${side ?? ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ from, to, pcollection, ...(side ? { side } : {}) });
  };
  const leaves = Object.values(graph.transforms).filter((t) => !isComposite(t));
  const views = leaves.filter(isView);
  for (const t of leaves) {
    for (const pcId of Object.values(t.inputs)) {
      const pc = graph.pcollections[pcId];
      if (pc) add(drawnAs.get(pc.producer), drawnAs.get(t.id), pc);
    }
    for (const side of Object.values(t.sideInputs ?? {})) {
      const pc = graph.pcollections[side.pcollection];
      if (!pc) continue;
      // Through the View transform that made the side input, when the graph has it.
      const readers = views.filter((v) => Object.values(v.inputs).includes(pc.id));
      const view = readers.find((v) => v.name.toLowerCase() === `view.as${side.view}`) ?? (readers.length === 1 ? readers[0] : undefined);
      add(drawnAs.get(view?.id ?? pc.producer), drawnAs.get(t.id), pc, side.view);
    }
  }
  const read = new Set(leaves.flatMap((t) => [...Object.values(t.inputs), ...Object.values(t.sideInputs ?? {}).map((s) => s.pcollection)]));
  const unread = Object.values(graph.pcollections)
    .filter((pc) => !read.has(pc.id) && drawnAs.has(pc.producer))
    .map((pc) => ({ from: drawnAs.get(pc.producer)!, pcollection: pc }));
  return { nodes, clusters, edges, unread, drawnAs };
}
