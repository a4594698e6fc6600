/**
 * ParDo → a `usercode` operator, fused: a ParDo whose main input is produced inside an
 * open user-code stage joins that stage (chains and trees of ParDos are one operator and
 * one Node round trip), otherwise it starts a new stage reading its input forward.
 *
 * Extra outputs (withOutputTags) are Flink side outputs of the operator, made only for the
 * PCollections something outside the stage reads. Side inputs are broadcast inputs: every
 * worker gets all side-input records before its first main element and builds the views
 * per window itself, with the local runner's SideInputs. A ParDo whose side input is
 * computed from the stage's own output cannot join it (that would be a cycle) and starts a
 * new stage.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { ParDoPayload } from "../../../sdk/transforms/par_do.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";

export const parDoTranslator: TransformTranslator = {
  name: "par_do",
  javaClass: JAVA_CLASS_OF_KIND["usercode"]!,
  becomes: "usercode — fused with the ParDos around it; extra outputs as side outputs, side inputs broadcast",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const payload = t.payload as ParDoPayload | undefined;
    if (!payload || payload.doFn === undefined) ctx.refuse(t, "its payload has no DoFn");
    const input = ctx.mainInput(t);
    const s = ctx.stageFor(t, input);
    ctx.fuse(s, t, { kind: "pardo", transform: t.id, input, outputs: { ...t.outputs } }, Object.values(t.outputs));
  },
};
