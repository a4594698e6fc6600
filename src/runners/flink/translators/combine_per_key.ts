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
 * Over merging (session) windows, under a trigger that may fire more than one pane per window,
 * and in STREAMING jobs over input with allowed lateness, the combine is not lifted: its parts
 * (GroupByKey, then Combine.GroupedValues) are translated. In STREAMING jobs the merge half of
 * a lifted combine runs in the windowing operator (GroupAlsoByWindowOperator), as GroupByKey.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";
import type { CombinePayload } from "../../../sdk/transforms/combine.js";
import type { TranslationContext } from "./context.js";
import { combineLifting } from "../../harness/executable_transforms.js";
import { checkGroupingSemantics } from "./group_by_key.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";
import { coderName } from "./trace_recorder.js";
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
  name: "combine_per_key",
  javaClass: JAVA_CLASS_OF_KIND["combine"]!,
  becomes: "combine (native) | usercode pre-combine → group_by_key → usercode merge; lifted either way",
  translatesWhole(t: TransformNode, ctx: TranslationContext): boolean {
    let lifting = combineLifting(ctx.graph, t);
    const input = t.inputs["main"] ?? Object.values(t.inputs)[0];
    const lateness = input !== undefined ? ctx.strategy(input).allowedLatenessMillis : 0;
    if (lifting.lifted && ctx.streaming && lateness > 0) {
      // Each late element is its own LATE pane (and a dropped one is counted once): a pre-combine would fold late elements together.
      lifting = { lifted: false, reason: `its input allows ${lateness} ms of lateness in a STREAMING job: every late element fires its own LATE pane, which a pre-combined accumulator would merge` };
    }
    ctx.decide({
      kind: "lift",
      choice: lifting.lifted ? "lifted" : "not lifted",
      reason: lifting.lifted
        ? `${lifting.reason}: pre-combine before the shuffle, merge after it (one record per key, window and subtask crosses the network, not every element)`
        : `${lifting.reason}; so its parts (GroupByKey, then Combine.GroupedValues) are translated, as the local runner runs them`,
    });
    return lifting.lifted;
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
    let whyNotInWorker = "";
    if (typeof native !== "string" && (native.fn === "count" || native.fn === "sum")) {
      const f = ctx.fusion(t, input);
      const s = f.stage;
      const partial: CoderSpec = native.fn === "count" ? { urn: CoderUrns.VARINT } : native.inputCoder;
      whyNotInWorker = s ? `; the accumulator coder ${coderName(acc)} is not the ${coderName(partial)} Java's sum reads, so no worker pre-${native.fn}s` : `; ${f.reason}, so no worker pre-${native.fn}s`;
      if (s && sameCoder(acc, partial)) {
        ctx.decide({
          kind: "combine-kind",
          choice: `worker pre-${native.fn} + native sum`,
          reason: `a '${native.fn}' the bridge knows, and ${f.reason.replace(/^its input/, "the input")}: the worker pre-${native.fn}s per key and window (one record per key leaves Node, not one per element) and Java merges the partial ${native.fn}s with its native sum`,
          operators: [s.op.id],
        });
        ctx.decide({ kind: "fuse", choice: `pre-${native.fn} fused into ${s.op.id}`, reason: f.reason, operators: [s.op.id] });
        const accs = `${t.id}/partial`;
        ctx.addSynthetic(s, accs, input, { urn: CoderUrns.KV, components: [native.keyCoder, acc] }, `${ctx.pcollection(output).name} (partial ${native.fn}s)`);
        ctx.fuse(s, t, { kind: "precombine", transform: t.id, input, output: accs }, [accs]);
        // Partial counts and sums merge by summing.
        nativeOperator(accs, "sum", native.keyCoder, acc);
        return;
      }
    }
    if (typeof native !== "string") {
      ctx.decide({
        kind: "combine-kind",
        choice: `native ${native.fn}`,
        reason: `a '${native.fn}' the bridge knows over ${coderName(native.inputCoder)} values, with the output coder Java writes: pre-combine, keyBy and merge all run in Java, no Node round trip${whyNotInWorker}`,
      });
      nativeOperator(input, native.fn, native.keyCoder, native.inputCoder);
      return;
    }
    ctx.decide({
      kind: "combine-kind",
      choice: "Node round trip",
      reason: `not native because ${native}: the CombineFn runs in Node workers, pre-combining in the stage that produces the input and merging (mergeAccumulators, extractOutput) in a new stage after a group_by_key of the accumulators (${coderName(acc)})`,
    });
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
    ctx.decide({ kind: "fuse", choice: `new stage ${merge.op.id}`, reason: `the merge reads the grouped accumulators from ${ctx.describeOp(gbk.id)}: a new usercode operator, which the ParDos after it join`, operators: [merge.op.id] });
    ctx.addSynthetic(merge, grouped, input, { urn: CoderUrns.KV, components: [kv.key, { urn: CoderUrns.ITERABLE, components: [acc] }] }, `${name} (grouped accumulators)`);
    ctx.fuse(merge, t, { kind: "combine_merge", transform: t.id, input: grouped, output }, [output]);
  },
};
