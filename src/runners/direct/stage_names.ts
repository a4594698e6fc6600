/**
 * A stage's name for people (progress displays): the transforms fused into it, in order.
 * Full names are long (`CountWords/Count.PerElement/Combine.perKey`), so a stage is named
 * by the transforms one level below the composite they all share: the top-level ones
 * (`ReadLines → CountWords`), or `Count: CreateVoid → InsertDefault` when all sit in
 * `Count`; a long chain keeps its first and last names.
 */
import type { PipelineGraph } from "../../graph/types.js";
import type { Stage } from "./plan.js";

const MAX_CHARS = 60;

/** The full names of the transforms a stage executes: its input's, then its ops'. */
export function stageTransforms(graph: PipelineGraph, stage: Stage): string[] {
  const ids: string[] = [];
  const input = stage.input;
  if (input.kind !== "materialized" || input.transform) ids.push(input.transform!);
  for (const op of stage.ops) if ("transform" in op) ids.push(op.transform);
  const names = ids.map((id) => graph.transforms[id]?.fullName ?? id);
  return names.filter((n, i) => names.indexOf(n) === i);
}

function commonPath(names: string[]): string[] {
  const paths = names.map((n) => n.split("/"));
  const first = paths[0]!;
  let n = 0;
  while (n < first.length && paths.every((p) => p.length > n && p[n] === first[n])) n++;
  return first.slice(0, n);
}

export function stageName(graph: PipelineGraph, stage: Stage): string {
  const names = stageTransforms(graph, stage);
  if (names.length === 0) return stage.id;
  if (names.length === 1) return names[0]!;
  // Named one level below what they all share: `ReadLines → CountWords`, `Count: CreateVoid → InsertDefault`.
  const shared = commonPath(names);
  const parts = names.map((n) => n.split("/")[shared.length] ?? n.split("/").pop()!).filter((t, i, all) => i === 0 || all[i - 1] !== t);
  const chain = parts.length > 2 && parts.join(" → ").length > MAX_CHARS ? `${parts[0]} → … → ${parts[parts.length - 1]}` : parts.join(" → ");
  return shared.length ? `${shared.join("/")}: ${chain}` : chain;
}
