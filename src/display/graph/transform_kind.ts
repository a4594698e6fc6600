/**
 * What a transform is, for people: a short kind (`ParDo(ExtractWordsFn)`,
 * `Combine.perKey(count)`, `TextIO.Read`) and a role that decides its shape and colour.
 * Read from the graph's JSON alone: the URN and, for user functions, the serialized
 * function's class name.
 */
import { KIND_NAMES } from "../../graph/kind_names.js";
import { Urns, type PipelineGraph, type TransformNode } from "../../graph/types.js";

export type TransformRole = "source" | "sink" | "view" | "usercode" | "shuffle" | "native" | "composite";


/**
 * DoFns the SDK wraps a user's lambda in, and the call that made them: the kind reads
 * `MapElements(formatCount)`, or `MapElements(λ)` for an anonymous arrow.
 */
const LAMBDA_WRAPPERS: Record<string, string> = { LambdaDoFn: "ParDo", MapFn: "MapElements", FlatMapFn: "FlatMapElements", FilterFn: "Filter" };

/**
 * A composite with no parts and no outputs is how a `View.as…` shows in the graph: the
 * side input reads its input PCollection directly.
 */
export function isView(t: TransformNode): boolean {
  return t.urn === Urns.COMPOSITE && t.subtransforms.length === 0 && Object.keys(t.outputs).length === 0;
}

/** A composite that has parts to expand or collapse. */
export function isComposite(t: TransformNode): boolean {
  return t.subtransforms.length > 0;
}

export function transformRole(t: TransformNode): TransformRole {
  if (isComposite(t)) return "composite";
  if (isView(t)) return "view";
  const ins = Object.keys(t.inputs).length;
  const outs = Object.keys(t.outputs).length;
  if (ins === 0) return "source";
  if (outs === 0) return "sink";
  if (t.urn === Urns.PAR_DO || ((t.urn === Urns.COMBINE_GROUPED_VALUES || t.urn === Urns.COMBINE_PER_KEY || t.urn === Urns.COMBINE_GLOBALLY) && !knownCombiner(t))) return "usercode";
  if (t.urn === Urns.GROUP_BY_KEY || t.urn === Urns.RESHUFFLE || t.urn === Urns.COMBINE_PER_KEY) return "shuffle";
  return "native";
}

/** `ParDo(ExtractWordsFn)`, `Combine.perKey(count)`, `TextIO.Read`, `View (singleton)`. */
export function transformKind(t: TransformNode, graph?: PipelineGraph): string {
  if (isView(t)) {
    const kind = viewKindOf(t, graph);
    return kind ? `View (${kind})` : "View";
  }
  const base = KIND_NAMES[t.urn] ?? t.urn.replace(/^[^:]+:transform:/, "").replace(/:v\d+$/, "");
  const payload = (t.payload ?? {}) as Record<string, unknown>;
  if (t.urn === Urns.PAR_DO) {
    const fn = userFunction(payload.doFn);
    if (!fn) return base;
    const wrapper = LAMBDA_WRAPPERS[fn.cls];
    return wrapper ? `${wrapper}(${fn.lambda || "λ"})` : `${base}(${fn.cls})`;
  }
  if (t.urn === Urns.COMBINE_PER_KEY || t.urn === Urns.COMBINE_GLOBALLY || t.urn === Urns.COMBINE_GROUPED_VALUES) {
    const fn = knownCombiner(t) ?? userFunction(payload.combineFn)?.cls;
    return fn ? `${base}(${fn})` : base;
  }
  return base;
}

function knownCombiner(t: TransformNode): string | undefined {
  const k = (t.payload as { knownCombiner?: unknown } | undefined)?.knownCombiner;
  return typeof k === "string" ? k : undefined;
}

/** The view a side input reads through this View transform (the consumer's spec says it). */
function viewKindOf(t: TransformNode, graph: PipelineGraph | undefined): string | undefined {
  const input = Object.values(t.inputs)[0];
  const fromName = /^View\.As(\w+)$/.exec(t.name)?.[1]?.toLowerCase();
  if (fromName) return fromName;
  if (!graph || !input) return undefined;
  for (const other of Object.values(graph.transforms)) {
    for (const side of Object.values(other.sideInputs ?? {})) if (side.pcollection === input) return side.view;
  }
  return undefined;
}

interface SerializedNodeLike {
  type?: string;
  name?: string;
  of?: { $?: string; name?: string; id?: number };
  proto?: { $?: string; id?: number };
  props?: Array<[unknown, unknown]>;
}

/**
 * The class of a serialized user function (a DoFn or CombineFn instance, or a bare
 * function: its name), and the name of the first function it holds (a wrapped lambda's,
 * empty for an anonymous arrow).
 */
export function userFunction(serialized: unknown): { cls: string; lambda?: string } | undefined {
  const value = serialized as { root?: { $?: string; id?: number }; objects?: SerializedNodeLike[] } | undefined;
  const objects = value?.objects ?? [];
  const at = (ref: unknown) => {
    const r = ref as { $?: string; id?: number } | undefined;
    return r?.$ === "ref" && typeof r.id === "number" ? objects[r.id] : undefined;
  };
  const root = at(value?.root);
  if (!root) return undefined;
  if (root.type === "function") return { cls: root.name || "λ" };
  const proto = at(root.proto);
  if (proto?.type !== "prototype" || !proto.of) return undefined;
  const cls = proto.of.$ === "known" ? proto.of.name?.replace(/^.*\./, "") : at(proto.of)?.name;
  if (!cls) return undefined;
  const fn = (root.props ?? []).map(([, v]) => at(v)).find((n) => n?.type === "function");
  return fn ? { cls, lambda: fn.name ?? "" } : { cls };
}
