/**
 * ConsoleIO.write → `sink:console`: each element printed on the TaskManager's stdout
 * (its `.out` file on a local cluster), prefix first.
 *
 * Strings are printed natively. Other values, or a per-writer limit, are first formatted
 * by the worker exactly as the local runner prints them (`console_format`, fused into the
 * stage that produces them).
 */
import type { TransformNode } from "../../../graph/types.js";
import type { ConsoleWritePayload } from "../../../io/console/console_sink.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";
import { coderName } from "./trace_recorder.js";
import { CoderUrns } from "./wire_coders.js";

const STRING = { urn: CoderUrns.STRING };

export const consoleWriteTranslator: TransformTranslator = {
  name: "console_write",
  javaClass: JAVA_CLASS_OF_KIND["sink:console"]!,
  becomes: "sink:console — printed on the TaskManagers' stdout (formatted in user code unless strings)",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const p = (t.payload ?? {}) as Partial<ConsoleWritePayload>;
    let input = ctx.mainInput(t);
    if (ctx.wire.of(input).urn !== CoderUrns.STRING || p.limit != null) {
      ctx.decide({
        kind: "wire-coder",
        choice: "formatted in user code",
        reason: p.limit != null ? `a per-writer limit (${p.limit}) is kept by the worker, which formats the elements as the local runner prints them` : `${ctx.pcName(input)} is ${coderName(ctx.wire.of(input))}, not strings: a worker formats each element as the local runner prints it, and strings travel to the native console sink`,
        pcollection: input,
        coder: STRING,
      });
      const formatted = `${t.id}/formatted`;
      const s = ctx.stageFor(t, input);
      ctx.addSynthetic(s, formatted, input, STRING, `${ctx.pcollection(input).name} (formatted)`);
      ctx.fuse(s, t, { kind: "console_format", transform: t.id, input, output: formatted, limit: p.limit ?? null }, [formatted]);
      input = formatted;
    }
    ctx.addOperator({
      name: t.fullName,
      kind: "sink:console",
      transforms: [t.fullName],
      inputs: [ctx.input(input, "forward", t)],
      outputs: [],
      payload: { valueCoder: STRING, prefix: p.prefix ?? "", windowing: ctx.windowing(ctx.mainInput(t), t) },
    });
  },
};
