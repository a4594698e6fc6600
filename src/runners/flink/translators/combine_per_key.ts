/**
 * Combine.perKey (and Count, Sum, Min, Max, Mean, Top… built on it) → combiner lifting:
 * a partial combine before the shuffle, a merge after it, so only accumulators cross it.
 *
 * - **native** (`combine`, mode "native"): the CombineFn is one the bridge knows
 *   (`knownCombiner()` is sum, count, min, max or mean) over an input coder it can read
 *   (varint or double; anything for count) and its output coder is exactly what the bridge
 *   writes. Then pre-combine, keyBy and merge are Java. When the input comes out of a Node
 *   worker anyway and the combiner is count or sum, the worker pre-combines (the local
 *   runner's PrecombineWrite: one record per key and window leaves Node, not one per
 *   element) and Java merges the partial results natively with `sum`: the partial counts
 *   and sums are varints (doubles for double sums), exactly what the native sum reads.
 * - **user code**: the CombineFn runs in Node, with the local runner's PrecombineWrite
 *   fused into the stage that produces the input (or a new stage), the accumulators
 *   grouped by `group_by_key`, and the merge (mergeAccumulators + extractOutput) starting a
 *   new stage that the ParDos after it join.
 *
 * Over merging (session) windows the combine is not lifted: its parts (GroupByKey, then
 * Combine.GroupedValues) are translated, as on the local runner.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";
import type { CombinePayload } from "../../../sdk/transforms/combine.js";
import type { TranslationContext } from "./context.js";
import { combineLifting } from "../../harness/executable_transforms.js";
import { checkGroupingSemantics } from "./group_by_key.js";
import type { TransformTranslator } from "./translator.js";
import { CoderUrns, sameCoder } from "./wire_coders.js";

/** The bridge's native combiners. */
export const NATIVE_COMBINERS: ReadonlySet<string> = new Set(["sum", "count", "min", "max", "mean"]);

/** The accumulator coder when the CombineFn gives none (the local runner's default too). */
export const STRUCTURED_CLONE_CODER: CoderSpec = { urn: "flowbook:coder:structured_clone:v1" };

export interface NativeCombine {
  fn: string;
  keyCoder: CoderSpec;
  inputCoder: CoderSpec;
}

/** The native form of a lifted combine, or why there is none. */
export function nativeCombine(t: TransformNode, ctx: TranslationContext): NativeCombine | string {
  const p = t.payload as CombinePayload;
  const known = p.knownCombiner;
  if (!known) return "its CombineFn is not one the bridge knows";
  if (!NATIVE_COMBINERS.has(known)) return `the bridge has no native '${known}'`;
  const input = ctx.mainInput(t);
  const output = ctx.output(t);
  const inKv = ctx.wire.kv(input);
  const outKv = ctx.wire.kv(output);
  if (!inKv || !outKv || ctx.wire.checks.has(input)) return "its input or output is not a PCollection of KVs with a KvCoder";
  const v = inKv.value.urn;
  if (known !== "count" && v !== CoderUrns.VARINT && v !== CoderUrns.DOUBLE) {
    return `the bridge's '${known}' reads varint or double values, and the values' coder is ${v}`;
  }
  const expected: CoderSpec = known === "count" ? { urn: CoderUrns.VARINT } : known === "mean" ? { urn: CoderUrns.DOUBLE } : inKv.value;
  if (!sameCoder(outKv.value, expected)) {
    return `the bridge's '${known}' writes ${expected.urn}, and the output's value coder is ${outKv.value.urn}`;
  }
  if (!sameCoder(outKv.key, inKv.key)) return "the output's key coder differs from the input's";
  return { fn: known, keyCoder: inKv.key, inputCoder: inKv.value };
}

export const combinePerKeyTranslator: TransformTranslator = {
  becomes: "combine (native) | usercode pre-combine → group_by_key → usercode merge; lifted either way",
  translatesWhole(t: TransformNode, ctx: TranslationContext): boolean {
    return combineLifting(ctx.graph, t).lifted;
  },
  translate(t: TransformNode, ctx: TranslationContext): void {
    const input = ctx.mainInput(t);
    const output = ctx.output(t);
    checkGroupingSemantics(t, input, ctx);
    const windowing = ctx.windowing(input, t);
    const native = nativeCombine(t, ctx);
    const acc = ((t.payload as CombinePayload).accumulatorCoder as CoderSpec | undefined) ?? STRUCTURED_CLONE_CODER;
    /** The bridge's own keyed combine of `fn` over `from` (hash-partitioned by key). */
    const nativeOperator = (from: string, fn: string, keyCoder: CoderSpec, inputCoder: CoderSpec) => {
      const op = ctx.addOperator({
        name: t.fullName,
        kind: "combine",
        transforms: [t.fullName],
        inputs: [ctx.input(from, "hash", t)],
        outputs: ["main"],
        payload: { mode: "native", fn, keyed: true, keyCoder, inputCoder, windowing },
      });
      ctx.setOutput(output, { op: op.id, output: "main" });
    };
    if (typeof native !== "string" && (native.fn === "count" || native.fn === "sum")) {
      const s = ctx.fusableStage(t, input);
      const partial: CoderSpec = native.fn === "count" ? { urn: CoderUrns.VARINT } : native.inputCoder;
      if (s && sameCoder(acc, partial)) {
        const accs = `${t.id}/partial`;
        ctx.addSynthetic(s, accs, input, { urn: CoderUrns.KV, components: [native.keyCoder, acc] }, `${ctx.pcollection(output).name} (partial ${native.fn}s)`);
        ctx.fuse(s, t, { kind: "precombine", transform: t.id, input, output: accs }, [accs]);
        // Partial counts and sums merge by summing.
        nativeOperator(accs, "sum", native.keyCoder, acc);
        return;
      }
    }
    if (typeof native !== "string") {
      nativeOperator(input, native.fn, native.keyCoder, native.inputCoder);
      return;
    }
    const kv = ctx.wire.kv(input);
    if (!kv) ctx.refuse(t, `its input ${ctx.pcollection(input).name} is not a PCollection of KVs`);
    const accs = `${t.id}/accumulators`;
    const grouped = `${t.id}/grouped-accumulators`;
    const name = ctx.pcollection(output).name;

    // Before the shuffle: partial accumulators per key and window, in the stage producing the input.
    const pre = ctx.stageFor(t, input);
    ctx.addSynthetic(pre, accs, input, { urn: CoderUrns.KV, components: [kv.key, acc] }, `${name} (accumulators)`);
    ctx.fuse(pre, t, { kind: "precombine", transform: t.id, input, output: accs }, [accs]);

    const gbk = ctx.addOperator({
      name: `${t.fullName} (accumulators)`,
      kind: "group_by_key",
      transforms: [t.fullName],
      inputs: [ctx.input(accs, "hash", t)],
      outputs: ["main"],
      payload: { keyCoder: kv.key, windowing },
    });
    ctx.setOutput(grouped, { op: gbk.id, output: "main" });

    // After it: merge and extract, in a new stage the ParDos after it join.
    const merge = ctx.newStage(grouped, t);
    ctx.addSynthetic(merge, grouped, input, { urn: CoderUrns.KV, components: [kv.key, { urn: CoderUrns.ITERABLE, components: [acc] }] }, `${name} (grouped accumulators)`);
    ctx.fuse(merge, t, { kind: "combine_merge", transform: t.id, input: grouped, output }, [output]);
  },
};
