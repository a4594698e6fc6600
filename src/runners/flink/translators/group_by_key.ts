/**
 * GroupByKey → `group_by_key`: keyBy on the encoded key bytes, then a grouping per key
 * and window (merging session windows per key), one KV<K, Iterable<V>> per key and window
 * with the pane and timestamp the local runner gives them.
 *
 * Keys are compared as encoded bytes on both runners; a key coder the bridge cannot walk
 * travels length-prefixed (wire_coders.ts). Triggers: in a BATCH job (all inputs bounded)
 * each window fires once when the input ends, and a trigger that would fire other panes is
 * refused; in a STREAMING job the bridge's GroupAlsoByWindowOperator runs the windowing
 * strategy whole (trigger, allowed lateness, accumulation mode, timestamp combiner, merging).
 */
import type { TransformNode } from "../../../graph/types.js";
import { triggerFromSpec } from "../../../sdk/windowing/triggers.js";
import { firesOncePerWindowWhenBounded } from "../../harness/gabw/triggers.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";

/** Refuses grouping semantics the bridge does not have (in BATCH jobs: triggers firing more than one pane per window). */
export function checkGroupingSemantics(t: TransformNode, input: string, ctx: TranslationContext): void {
  const ws = ctx.strategy(input);
  if (!ctx.streaming) {
    // The local runner honours every trigger over bounded input (its group-also-by-window);
    // the bridge's batch grouping fires each window once. Refused rather than different.
    if (!firesOncePerWindowWhenBounded(ws.trigger)) {
      ctx.refuse(t, `the bridge fires each window once over bounded input, and the trigger ${triggerFromSpec(ws.trigger).toString()} fires other panes (the local runner runs it)`);
    }
  }
  // STREAMING: GroupAlsoByWindowOperator runs every trigger, lateness and accumulation mode.
}

export const groupByKeyTranslator: TransformTranslator = {
  name: "group_by_key",
  javaClass: JAVA_CLASS_OF_KIND["group_by_key"]!,
  becomes: "group_by_key — keyBy(encoded key) + grouping per window (STREAMING: group-also-by-window with the trigger)",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const input = ctx.mainInput(t);
    checkGroupingSemantics(t, input, ctx);
    const kv = ctx.wire.kv(input);
    if (!kv) ctx.refuse(t, `its input ${ctx.pcollection(input).name} is not a PCollection of KVs`);
    const op = ctx.addOperator({
      name: t.fullName,
      kind: "group_by_key",
      transforms: [t.fullName],
      inputs: [ctx.input(input, "hash", t)],
      outputs: ["main"],
      payload: { keyCoder: kv.key, windowing: ctx.windowing(input, t) },
    });
    ctx.setOutput(ctx.output(t), { op: op.id, output: "main" });
  },
};
