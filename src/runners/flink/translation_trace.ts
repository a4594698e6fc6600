/**
 * A recorded translation (issue 15): what the Flink translator did, step by step, in the
 * order it visited the graph. The translator emits these events as it works; the display
 * layer's stepper (src/display/plan/stepper) walks them. JSON throughout: a trace exports
 * as is and serves as a golden file in tests.
 */
import type { CoderSpec } from "../../sdk/coders/coder.js";
import type { FlinkOperator, FlinkPlan, ShipStrategy } from "./flink_plan.js";

export const TRANSLATION_TRACE_FORMAT = "flowbook.translationtrace/v1";

/** A PCollection as the step saw it. */
export interface TracePCollection {
  id: string;
  name: string;
  /** The PCollection's coder, as the graph gives it. */
  coder: CoderSpec;
  /** A short description of its windowing ("global", "fixed 10 s", "sessions gap 5 min"). */
  windowing: string;
  bounded: boolean;
}

/** Why the translator did what it did: one decision per question it answered. */
export interface TraceDecision {
  /**
   * What was decided: "fuse" (joined the open user-code stage before it, or started a new
   * one), "lift" (a Combine.perKey lifted into pre-combine/merge, or not), "combine-kind"
   * (native Java combine or a Node round trip), "wire-coder" (which coder travels between
   * operators), "ship" (forward/hash/rebalance/broadcast), "translate-whole" (a composite
   * translated whole or by its parts), "refuse", "runtime-mode" (BATCH or STREAMING, at the
   * finish), "window" (native window assignment, fused, or nothing to do).
   */
  kind: "fuse" | "lift" | "combine-kind" | "wire-coder" | "ship" | "translate-whole" | "refuse" | (string & {});
  /** The choice, short ("fused into usercode#2", "not lifted", "native sum", "hash"). */
  choice: string;
  /** Why, in a sentence a person reads. */
  reason: string;
  /** Ids of the operators this decision concerns. */
  operators?: string[];
  /** The PCollection it concerns (a wire coder's, a ship strategy's). */
  pcollection?: string;
  coder?: CoderSpec;
}

/** What a step changed in the plan so far. */
export interface TraceEffect {
  /** Operators created by this step (their state just after it). */
  added: FlinkOperator[];
  /** Operators this step changed (a transform fused into an open stage): their state after it. */
  changed: FlinkOperator[];
  /** Edges added: from → to with their ship strategy. */
  edges: Array<{ from: string; to: string; ship: ShipStrategy }>;
}

export type TraceEvent =
  /** The translator entered a composite (it is translated by its parts). */
  | { kind: "enter"; step: number; depth: number; transform: TraceTransform; decisions: TraceDecision[] }
  /** The translator left a composite. */
  | { kind: "leave"; step: number; depth: number; transform: TraceTransform }
  /** A transform translated (a primitive, or a composite translated whole). */
  | { kind: "translate"; step: number; depth: number; transform: TraceTransform; translator: TraceTranslator; decisions: TraceDecision[]; effect: TraceEffect }
  /** Work the translator does after the walk (collect operators, closing stages): not a transform. */
  | { kind: "finish"; step: number; depth: 0; what: string; decisions: TraceDecision[]; effect: TraceEffect };

export interface TraceTransform {
  id: string;
  fullName: string;
  urn: string;
  /** A short kind name ("ParDo", "GroupByKey", "Combine.perKey", "TextIO.Read"). */
  kindName: string;
  inputs: TracePCollection[];
  outputs: TracePCollection[];
  sideInputs: TracePCollection[];
  /** Where the user applied it: "cell 3, line 2" or "wordcount.ts:14", when known. */
  appliedAt?: string;
  /** A composite (has parts). */
  composite: boolean;
}

export interface TraceTranslator {
  /** The TypeScript translator (registry.ts's key): its URN and module name. */
  name: string;
  /** The Java class of the bridge that runs what it produced. */
  javaClass: string;
}

export interface TranslationTrace {
  format: typeof TRANSLATION_TRACE_FORMAT;
  jobName: string;
  events: TraceEvent[];
  /**
   * The finished plan (what the last step leaves). For a refused pipeline: the operators
   * made before the refusal, with no stages.
   */
  plan: FlinkPlan;
  /** Set when the translation was refused: the last event is the refused transform's, with a "refuse" decision. */
  error?: { transform: string; message: string };
}
