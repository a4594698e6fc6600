/**
 * The recorded translation of a pipeline (issue 15), without a cluster: every step the
 * translator took, in the order it visited the graph, with what it produced and why
 * (translation_trace.ts). What the stepper walks and `flowbook explain --trace` prints.
 *
 * ```ts
 * const trace = translationTraceOf(p);          // a Pipeline, or its graph
 * trace.events.filter((e) => e.kind === "translate")
 * ```
 *
 * A pipeline the Flink runner refuses still has a trace: its last event is the refused
 * transform's, with a "refuse" decision, and `trace.error` says why.
 */
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import { workerConfig } from "../flink_runner.js";
import type { TranslationTrace } from "../translation_trace.js";
import { FlinkTranslationError } from "../translators/context.js";
import { translate, type TranslateOptions } from "../translators/translate.js";
import { graphAndOptions, type Explainable } from "./flink_plan_of.js";

export interface TraceOptions {
  /** PCollection id → elements to bring back: the collect operators show/collect would add. */
  collect?: TranslateOptions["collect"];
  /** Sees each event as the translator emits it. */
  onEvent?: (e: TranslationTrace["events"][number]) => void;
}

/** The translation trace of a pipeline as the Flink runner would run it; `options` override the graph's. */
export function translationTraceOf(p: Explainable, options: PipelineOptions = {}, trace: TraceOptions = {}): TranslationTrace {
  const { graph, options: o } = graphAndOptions(p, options);
  try {
    const t = translate(graph, o, { worker: workerConfig(o), collect: trace.collect, trace: trace.onEvent ?? true });
    return t.trace!;
  } catch (e) {
    if (e instanceof FlinkTranslationError && e.trace) return e.trace;
    throw e;
  }
}
