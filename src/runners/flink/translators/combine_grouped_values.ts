/**
 * Combine.GroupedValues → joins the user-code stage after its GroupByKey (the local
 * runner's CombineValuesOp: createAccumulator, addInput of every value, extractOutput).
 * It appears alone only where a Combine.perKey is not lifted (session windows) or when
 * a user applies Combine.groupedValues after their own GroupByKey.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";

export const combineGroupedValuesTranslator: TransformTranslator = {
  name: "combine_grouped_values",
  javaClass: JAVA_CLASS_OF_KIND["usercode"]!,
  becomes: "usercode — fused with the ParDos around it",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const input = ctx.mainInput(t);
    const output = ctx.output(t);
    const s = ctx.stageFor(t, input);
    ctx.fuse(s, t, { kind: "combine_values", transform: t.id, input, output }, [output]);
  },
};
