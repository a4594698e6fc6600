/**
 * What both runners execute of a pipeline graph, decided once: the walk over the transform
 * hierarchy (composites by their parts, or whole where a runner executes them whole) and
 * the combiner-lifting rule. The local runner's planner and the Flink translator both use
 * these, so a Combine.perKey is lifted on one exactly when it is on the other.
 */
import { Urns, WindowFnUrns, type PipelineGraph, type TransformNode, type WindowingStrategySpec } from "../../graph/types.js";
import { triggerFromSpec } from "../../sdk/windowing/triggers.js";
import { firesOncePerWindowWhenBounded } from "./gabw/triggers.js";

/** Why a Combine.perKey is or is not executed whole (pre-combine → shuffle → merge). */
export type Lifting = { lifted: true; reason: string } | { lifted: false; reason: string };

/**
 * The combiner-lifting rule: a Combine.perKey with a CombineFn over non-merging windows whose
 * trigger fires each window once (over bounded input: the default, AfterWatermark without
 * early firings, Never); otherwise it runs by its parts, GroupByKey then Combine.GroupedValues.
 */
export function combineLifting(graph: PipelineGraph, t: TransformNode): Lifting {
  const input = t.inputs["main"] ?? Object.values(t.inputs)[0];
  if (input === undefined) return { lifted: false, reason: "it has no input" };
  if (t.payload === undefined) return { lifted: false, reason: "it carries no CombineFn (a composite expanded by its parts)" };
  if (isMergingWindowing(graph, input)) {
    return { lifted: false, reason: "its input has merging (session) windows: values are grouped first, since windows merge only once a key's values are together" };
  }
  const trigger = strategyOf(graph, input)?.trigger;
  if (trigger && !firesOncePerWindowWhenBounded(trigger)) {
    return {
      lifted: false,
      reason: `its trigger ${triggerFromSpec(trigger).toString()} may fire more than one pane per window, and a lifted combine merges each window's accumulators once: values are grouped first and combined per pane`,
    };
  }
  return { lifted: true, reason: "its CombineFn can pre-combine values per key and window before the shuffle, so only accumulators cross it" };
}

function strategyOf(graph: PipelineGraph, pcollection: string): WindowingStrategySpec | undefined {
  const pc = graph.pcollections[pcollection];
  return pc && graph.windowingStrategies[pc.windowingStrategy];
}

export function isMergingWindowing(graph: PipelineGraph, pcollection: string): boolean {
  return strategyOf(graph, pcollection)?.windowFn.urn === WindowFnUrns.SESSIONS;
}

/** Composites with nothing to execute: views, empty composites, combines expanded by parts. */
export const CONTAINER_URNS: ReadonlySet<string> = new Set<string>([Urns.COMPOSITE, Urns.COMBINE_PER_KEY, Urns.COMBINE_GLOBALLY]);

export interface TransformVisitor {
  /** A composite: true to execute it whole (not visiting its parts). */
  whole?(t: TransformNode): boolean;
  /** A composite entered (its parts follow) and left. */
  enter?(t: TransformNode): void;
  leave?(t: TransformNode): void;
  /** A transform to execute: a primitive, or a composite executed whole. */
  execute(t: TransformNode): void;
}

/** Walks the graph in application order, as both runners execute it. */
export function walkExecutable(graph: PipelineGraph, v: TransformVisitor): void {
  const visit = (id: string) => {
    const t = graph.transforms[id];
    if (!t) throw new Error(`graph names transform '${id}' but does not define it`);
    if (t.subtransforms.length) {
      if (v.whole?.(t)) return v.execute(t);
      v.enter?.(t);
      for (const c of t.subtransforms) visit(c);
      v.leave?.(t);
      return;
    }
    if (CONTAINER_URNS.has(t.urn)) return;
    v.execute(t);
  };
  for (const r of graph.rootTransforms) visit(r);
}

/** The transforms a runner executes, in application order: primitives, and lifted combines whole. */
export function executableLeaves(graph: PipelineGraph): TransformNode[] {
  const out: TransformNode[] = [];
  walkExecutable(graph, {
    whole: (t) => t.urn === Urns.COMBINE_PER_KEY && combineLifting(graph, t).lifted,
    execute: (t) => out.push(t),
  });
  return out;
}
