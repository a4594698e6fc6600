/**
 * translate(graph, options) → FlinkPlan: walks the transform hierarchy in application
 * order and hands each transform to its translator (registry.ts). Composites are
 * translated whole where their translator says so (a liftable Combine.perKey), otherwise
 * by their parts; primitives without a translator are refused.
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { Urns, type PipelineGraph, type TransformNode } from "../../../graph/types.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import type { FlinkPlan, FlinkWorkerConfig } from "../flink_plan.js";
import { TRANSLATION_TRACE_FORMAT, type TraceEvent, type TraceTranslator, type TranslationTrace } from "../translation_trace.js";
import { FlinkTranslationError, TranslationContext } from "./context.js";
import { walkExecutable } from "../../harness/executable_transforms.js";
import { NOT_TRANSLATABLE, TRANSLATORS } from "./registry.js";
import { kindName } from "../../../graph/kind_names.js";
import { TraceRecorder } from "./trace_recorder.js";
import type { TransformTranslator } from "./translator.js";

export { FlinkTranslationError } from "./context.js";

export interface TranslateOptions {
  /** PCollection id → how many elements to bring back (show/collect): adds `collect` operators. */
  collect?: Record<string, number>;
  /** Bytes a collect operator keeps at most (default 4 MiB). */
  collectMaxBytes?: number;
  /**
   * PCollection ids sampled live (RunRequest.live): adds a `collect` operator with
   * `payload.live` for each, which pushes every record to the client while the job runs. Its
   * `host`, `port` and `token` are filled in by the runner before submission (run/live_samples.ts).
   */
  live?: string[];
  /** How the bridge starts Node workers (default: the worker bundled in the jar). */
  worker?: FlinkWorkerConfig;
  /**
   * Record the translation (issue 15): `Translation.trace` lists every step in the order
   * the graph is visited, with the translator chosen, what it produced and why. Off by
   * default (the runner does not need it); `true`, or a listener that sees each event as
   * it happens. A refused pipeline's FlinkTranslationError then carries the trace so far.
   */
  trace?: boolean | ((e: TraceEvent) => void);
}

export interface Translation {
  plan: FlinkPlan;
  /** PCollection id → the id of the `collect` operator sampling it. */
  collectOperators: Record<string, string>;
  /** PCollection id → the id of the live `collect` operator pushing it to the client. */
  liveOperators?: Record<string, string>;
  /** PCollection id → the coder of its records on the wire (for the collected ones). */
  wireCoders: Record<string, CoderSpec>;
  /** The recorded translation, when `trace` was asked for. */
  trace?: TranslationTrace;
}

const NO_TRANSLATOR: TraceTranslator = { name: "(none)", javaClass: "" };

function traceTranslator(tr: TransformTranslator): TraceTranslator {
  return { name: tr.name, javaClass: tr.javaClass };
}

export const DEFAULT_FLINK_PARALLELISM = 2;

/** How often a STREAMING job checkpoints by default (the option `flinkCheckpointIntervalMs`). */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;

/** The option `flinkCheckpointIntervalMs` (0 turns checkpoints off; at least 10 ms otherwise, Flink's least). */
export function checkpointIntervalMs(options: PipelineOptions): number {
  const v = options.flinkCheckpointIntervalMs;
  if (v === undefined) return DEFAULT_CHECKPOINT_INTERVAL_MS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || (n > 0 && n < 10)) {
    throw new Error(`flinkCheckpointIntervalMs must be 0 (no checkpoints) or a whole number of milliseconds >= 10, got ${String(v)}`);
  }
  return n;
}

/**
 * The option `flinkCheckpointDir` as a URI for Flink (an absolute path becomes file://), or
 * undefined to keep the cluster's own setting.
 */
export function checkpointDir(options: PipelineOptions): string | undefined {
  const v = options.flinkCheckpointDir;
  if (v === undefined || v === "") return undefined;
  if (typeof v === "string" && /^[a-z][a-z0-9+.-]*:\//i.test(v)) return v;
  if (typeof v === "string" && isAbsolute(v)) return pathToFileURL(v).href;
  throw new Error(`flinkCheckpointDir must be an absolute path or a URI such as file:///dir or s3://bucket/dir (the Flink cluster resolves it, not this process), got ${JSON.stringify(v)}`);
}

export function translate(graph: PipelineGraph, options: PipelineOptions = {}, request: TranslateOptions = {}): Translation {
  const parallelism = Math.max(1, Math.floor(Number(options.parallelism ?? 0)) || DEFAULT_FLINK_PARALLELISM);
  const ctx = new TranslationContext(graph, options, parallelism);
  const jobName = graph.name || "flowbook";
  const rec = request.trace
    ? new TraceRecorder(graph, ctx.operators, (id) => ctx.synthetic(id), typeof request.trace === "function" ? request.trace : undefined)
    : undefined;
  ctx.trace = rec;
  /** Runs one translator, recording the step. */
  const run = (t: TransformNode, tr: TransformTranslator) => {
    ctx.current = t;
    const before = rec?.snapshot();
    tr.translate(t, ctx);
    if (rec && before) rec.translated(t, traceTranslator(tr), before);
  };
  // The walk both runners share (harness/executable_transforms.ts); the decisions and the
  // composites entered and left go into the trace.
  const walk = () =>
    walkExecutable(graph, {
      whole: (t) => {
        const tr = TRANSLATORS.get(t.urn);
        if (tr?.translatesWhole?.(t, ctx)) {
          ctx.decide({ kind: "translate-whole", choice: "whole", reason: `the ${tr.name} translator translates this ${kindName(t.urn)} whole; its ${t.subtransforms.length} parts are not visited` });
          return true;
        }
        ctx.decide({
          kind: "translate-whole",
          choice: "by parts",
          reason: tr
            ? `the ${tr.name} translator does not translate this ${kindName(t.urn)} whole (see above): its ${t.subtransforms.length} parts are translated one by one`
            : `no translator takes ${t.urn === Urns.COMPOSITE ? (t.kind ? `a ${t.kind} (a composite)` : "this composite") : `a ${kindName(t.urn)}`} whole: its ${t.subtransforms.length} parts are translated one by one`,
        });
        return false;
      },
      enter: (t) => rec?.enter(t),
      leave: (t) => rec?.leave(t),
      execute: (t) => {
        ctx.current = t;
        const tr = TRANSLATORS.get(t.urn);
        if (!tr) return ctx.refuse(t, NOT_TRANSLATABLE.get(t.urn) ?? `there is no translator for transforms of kind ${t.urn || "(none)"}`);
        run(t, tr);
      },
    });
  try {
    walk();
  } catch (e) {
    if (rec && e instanceof FlinkTranslationError) {
      const t = ctx.current;
      const before = rec.snapshot();
      ctx.decide({ kind: "refuse", choice: "refused", reason: e.missing });
      if (t) rec.translated(t, TRANSLATORS.get(t.urn) ? traceTranslator(TRANSLATORS.get(t.urn)!) : NO_TRANSLATOR, before);
      e.trace = {
        format: TRANSLATION_TRACE_FORMAT,
        jobName,
        events: rec.events,
        plan: { format: "flowbook.flinkplan/v1", jobName, parallelism, runtimeMode: "BATCH", stages: {}, operators: [...ctx.operators] },
        error: { transform: e.transform, message: e.message },
      };
    }
    throw e;
  }

  const wireCoders: Record<string, CoderSpec> = {};
  /** An operator reading `pc` back to the client at parallelism 1 (collect, or live): its id. */
  const readBack = (pc: string, what: { refuse: (pc: string) => string; name: string; payload: Record<string, unknown>; trace: string }): string => {
    const node = graph.pcollections[pc];
    if (!node) throw new Error(`cannot ${what.refuse(pc)}: it is not in the pipeline`);
    const producer: TransformNode = graph.transforms[node.producer] ?? ({ fullName: node.name, urn: "", id: node.producer } as TransformNode);
    const before = rec?.snapshot();
    const op = ctx.addOperator({
      name: `${what.name} ${node.name}`,
      kind: "collect",
      transforms: [],
      parallelism: 1,
      inputs: [ctx.input(pc, "rebalance", producer)],
      outputs: [],
      payload: what.payload,
    });
    wireCoders[pc] = ctx.wire.of(pc);
    if (rec && before) rec.finish(`${what.name.toLowerCase()} ${node.name} (${what.trace})`, before);
    return op.id;
  };
  const collectOperators: Record<string, string> = {};
  for (const [pc, limit] of Object.entries(request.collect ?? {})) {
    collectOperators[pc] = readBack(pc, {
      refuse: (id) => `collect PCollection '${id}'`,
      name: "Collect",
      payload: { limit: Math.max(0, Math.floor(limit)), maxBytes: request.collectMaxBytes ?? 4 * 1024 * 1024 },
      trace: `show/collect: up to ${limit} elements read back over REST`,
    });
  }
  const liveOperators: Record<string, string> = {};
  for (const pc of request.live ?? []) {
    liveOperators[pc] = readBack(pc, {
      refuse: (id) => `sample PCollection '${id}' live`,
      name: "Live",
      payload: { live: true, pcollection: pc, host: "", port: 0, token: "" },
      trace: "show/chart of an unbounded PCollection: every element pushed to the client while the job runs",
    });
  }

  const bounded = Object.values(graph.pcollections).every((pc) => pc.isBounded);
  const before = rec?.snapshot();
  const plan = ctx.plan(jobName, bounded ? "BATCH" : "STREAMING");
  const restartAttempts = Number(options.flinkRestartAttempts ?? 3);
  plan.restart = { attempts: Number.isFinite(restartAttempts) ? restartAttempts : 3, delayMs: Number(options.flinkRestartDelayMs ?? 200) || 200 };
  if (!bounded) {
    const dir = checkpointDir(options);
    plan.checkpoint = { intervalMs: checkpointIntervalMs(options), ...(dir !== undefined ? { dir } : {}) };
  }
  if (request.worker) plan.worker = request.worker;
  if (!rec || !before) return { plan, collectOperators, liveOperators, wireCoders };
  ctx.decide({
    kind: "runtime-mode",
    choice: plan.runtimeMode,
    reason: bounded
      ? "every PCollection is bounded: Flink runs the job in BATCH mode (blocking exchanges, each grouping fires once at the end of its input)"
      : "some PCollection is unbounded: Flink runs the job in STREAMING mode",
  });
  rec.finish(`close the ${ctx.stages.size} user-code stages (each stage's worker graph and wire coders) and order the ${plan.operators.length} operators so inputs come first`, before);
  return { plan, collectOperators, liveOperators, wireCoders, trace: { format: TRANSLATION_TRACE_FORMAT, jobName, events: rec.events, plan } };
}

/** True for errors that mean "this pipeline cannot run on Flink" (not a bug). */
export function isTranslationError(e: unknown): e is FlinkTranslationError {
  return e instanceof FlinkTranslationError;
}
