/**
 * translate(graph, options) → FlinkPlan: walks the transform hierarchy in application
 * order and hands each transform to its translator (registry.ts). Composites are
 * translated whole where their translator says so (a liftable Combine.perKey), otherwise
 * by their parts; primitives without a translator are refused.
 */
import type { PipelineGraph, TransformNode } from "../../../graph/types.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import type { FlinkPlan, FlinkWorkerConfig } from "../flink_plan.js";
import { FlinkTranslationError, TranslationContext } from "./context.js";
import { CONTAINER_KINDS, NOT_TRANSLATABLE, TRANSLATORS } from "./registry.js";

export { FlinkTranslationError } from "./context.js";

export interface TranslateOptions {
  /** PCollection id → how many elements to bring back (show/collect): adds `collect` operators. */
  collect?: Record<string, number>;
  /** Bytes a collect operator keeps at most (default 4 MiB). */
  collectMaxBytes?: number;
  /** How the bridge starts Node workers (default: the worker bundled in the jar). */
  worker?: FlinkWorkerConfig;
}

export interface Translation {
  plan: FlinkPlan;
  /** PCollection id → the id of the `collect` operator sampling it. */
  collectOperators: Record<string, string>;
  /** PCollection id → the coder of its records on the wire (for the collected ones). */
  wireCoders: Record<string, CoderSpec>;
}

export const DEFAULT_FLINK_PARALLELISM = 2;

export function translate(graph: PipelineGraph, options: PipelineOptions = {}, request: TranslateOptions = {}): Translation {
  const parallelism = Math.max(1, Math.floor(Number(options.parallelism ?? 0)) || DEFAULT_FLINK_PARALLELISM);
  const ctx = new TranslationContext(graph, options, parallelism);
  const visit = (id: string) => {
    const t = ctx.transform(id);
    const tr = TRANSLATORS.get(t.urn);
    if (t.subtransforms.length) {
      if (tr?.translatesWhole?.(t, ctx)) {
        ctx.current = t;
        tr.translate(t, ctx);
      } else {
        for (const c of t.subtransforms) visit(c);
      }
      return;
    }
    if (CONTAINER_KINDS.has(t.urn)) return; // a view, or an empty composite
    ctx.current = t;
    if (!tr) return ctx.refuse(t, NOT_TRANSLATABLE.get(t.urn) ?? `there is no translator for transforms of kind ${t.urn || "(none)"}`);
    tr.translate(t, ctx);
  };
  for (const r of graph.rootTransforms) visit(r);

  const collectOperators: Record<string, string> = {};
  const wireCoders: Record<string, CoderSpec> = {};
  for (const [pc, limit] of Object.entries(request.collect ?? {})) {
    const node = graph.pcollections[pc];
    if (!node) throw new Error(`cannot collect PCollection '${pc}': it is not in the pipeline`);
    const producer: TransformNode = graph.transforms[node.producer] ?? ({ fullName: node.name, urn: "", id: node.producer } as TransformNode);
    const op = ctx.addOperator({
      name: `Collect ${node.name}`,
      kind: "collect",
      transforms: [],
      parallelism: 1,
      inputs: [ctx.input(pc, "rebalance", producer)],
      outputs: [],
      payload: { limit: Math.max(0, Math.floor(limit)), maxBytes: request.collectMaxBytes ?? 4 * 1024 * 1024 },
    });
    collectOperators[pc] = op.id;
    wireCoders[pc] = ctx.wire.of(pc);
  }

  const bounded = Object.values(graph.pcollections).every((pc) => pc.isBounded);
  const plan = ctx.plan(graph.name || "flowbook", bounded ? "BATCH" : "STREAMING");
  const restartAttempts = Number(options.flinkRestartAttempts ?? 3);
  plan.restart = { attempts: Number.isFinite(restartAttempts) ? restartAttempts : 3, delayMs: Number(options.flinkRestartDelayMs ?? 200) || 200 };
  if (request.worker) plan.worker = request.worker;
  return { plan, collectOperators, wireCoders };
}

/** True for errors that mean "this pipeline cannot run on Flink" (not a bug). */
export function isTranslationError(e: unknown): e is FlinkTranslationError {
  return e instanceof FlinkTranslationError;
}
