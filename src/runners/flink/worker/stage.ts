/**
 * A worker stage: what one `usercode` operator of a FlinkPlan runs, sent to its Node
 * workers verbatim in HELLO (the plan's `stages[id]`, opaque to Java).
 *
 * A stage is a fused tree of element-wise operations over one main input, in the same
 * terms as the local runner's stages (src/runners/direct/plan.ts): `pardo`,
 * `window_into` and `combine_values` are executed by the very same operator classes, plus
 * the two halves of a lifted Combine.perKey around a Flink shuffle (`precombine`,
 * `combine_merge`). The stage carries the part of the pipeline graph it needs, so the worker
 * needs nothing but this JSON. Inside the stage elements are checked against their
 * PCollections' own coders, as on the local runner; at its edges (main input, outputs,
 * side inputs) records are encoded with their **wire coders** (translators/wire_coders.ts).
 */
import type { PipelineGraph } from "../../../graph/types.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";

export const STAGE_FORMAT = "flowbook.stage/v1";

export type StageOp =
  /** A ParDo: outputs by local tag → PCollection id. */
  | { kind: "pardo"; transform: string; input: string; outputs: Record<string, string> }
  | { kind: "window_into"; transform: string; input: string; output: string }
  | { kind: "combine_values"; transform: string; input: string; output: string }
  /** Lifted Combine.perKey, before the shuffle: KV<K, V> → KV<K, Acc> (partial, per key and window). */
  | { kind: "precombine"; transform: string; input: string; output: string }
  /** Lifted Combine.perKey, after the shuffle: KV<K, Iterable<Acc>> → KV<K, Out>. */
  | { kind: "combine_merge"; transform: string; input: string; output: string }
  /** Re-encodes elements with another coder (a Flatten input whose coder differs from the output's). */
  | { kind: "recode"; transform: string; input: string; output: string }
  /** ConsoleIO.write of elements that are not strings: formats them as the local runner prints them. */
  | { kind: "console_format"; transform: string; input: string; output: string; limit: number | null };

export interface WorkerStage {
  format: typeof STAGE_FORMAT;
  /** Full names of the transforms fused into this stage, in order. */
  transforms: string[];
  /** The PCollection whose records arrive as main input (DATA frames). */
  input: string;
  /** In execution order: an op's input is the stage input or an earlier op's output. */
  ops: StageOp[];
  /** Output index → the PCollection sent on it (OUTPUT frames). */
  outputs: string[];
  /** Side-input index → the PCollection whose records arrive on it (SIDE_INPUT frames). */
  sideInputs: string[];
  /** The transforms, PCollections and windowing strategies the stage uses. */
  graph: PipelineGraph;
  /** The coders of the records at the stage's edges (input, outputs, side inputs), by PCollection. */
  wireCoders: Record<string, CoderSpec>;
  /**
   * Outputs whose consumer needs a shape the PCollection's coder does not promise: "kv" for a
   * grouping fed by a coder that is not a KvCoder, "string" for a text sink fed by a general
   * coder. The worker checks each element and fails naming the consumer, as the local runner does.
   */
  outputChecks?: Record<string, { kind: "kv" | "string"; transform: string }>;
}
