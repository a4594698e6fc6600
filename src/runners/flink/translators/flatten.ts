/**
 * Flatten → `flatten`: Flink's union of the inputs.
 *
 * Records must all be encoded alike: an input whose coder differs from the output's
 * (Flatten of a Create of numbers and a ParDo's output, say) is re-encoded first by a
 * `recode` op in the user-code stage that produces it (or a new one).
 */
import type { TransformNode } from "../../../graph/types.js";
import type { OperatorInput } from "../flink_plan.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";
import { coderName } from "./trace_recorder.js";
import { sameCoder } from "./wire_coders.js";

export const flattenTranslator: TransformTranslator = {
  name: "flatten",
  javaClass: JAVA_CLASS_OF_KIND["flatten"]!,
  becomes: "flatten — Flink's union (inputs with another coder re-encoded in user code first)",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const output = ctx.output(t);
    const outCoder = ctx.wire.of(output);
    const inputs: OperatorInput[] = Object.values(t.inputs).map((pc, i) => {
      if (sameCoder(ctx.wire.of(pc), outCoder)) return ctx.input(pc, "forward", t);
      ctx.decide({
        kind: "wire-coder",
        choice: `recode to ${coderName(outCoder)}`,
        reason: `Flink's union needs every input encoded alike: ${ctx.pcName(pc)} is ${coderName(ctx.wire.of(pc))} and the output ${coderName(outCoder)}, so a worker re-encodes it first`,
        pcollection: pc,
        coder: outCoder,
      });
      const recoded = `${t.id}/recoded-${i}`;
      const s = ctx.stageFor(t, pc);
      ctx.addSynthetic(s, recoded, output, outCoder, `${ctx.pcollection(pc).name} (as ${ctx.pcollection(output).name})`);
      ctx.fuse(s, t, { kind: "recode", transform: t.id, input: pc, output: recoded }, [recoded]);
      return ctx.input(recoded, "forward", t);
    });
    if (inputs.length === 0) ctx.refuse(t, "it has no inputs");
    const op = ctx.addOperator({
      name: t.fullName,
      kind: "flatten",
      transforms: [t.fullName],
      inputs,
      outputs: ["main"],
    });
    ctx.setOutput(output, { op: op.id, output: "main" });
  },
};
