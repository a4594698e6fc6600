/**
 * Create → `source:create`: a bounded source carrying the encoded records.
 *
 * Each element becomes a whole record (timestamp, the global window, NO_FIRING pane, the
 * value in its wire coder), so Create.timestamped is the same kind. Small inputs get a
 * small parallelism (as the local runner splits Create by 1000 elements), so a one-element
 * Create does not start a Node worker per slot downstream.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { CreatePayload } from "../../../sdk/transforms/create.js";
import { TIMESTAMP_MIN } from "../../../sdk/values/time.js";
import { encodeGlobalRecord } from "./records.js";
import { wireRecoder } from "./wire_recode.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";

export const createTranslator: TransformTranslator = {
  name: "create",
  javaClass: JAVA_CLASS_OF_KIND["source:create"]!,
  becomes: "source:create — a bounded source of the encoded elements",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const payload = t.payload as CreatePayload | undefined;
    if (!payload || !Array.isArray(payload.elements)) ctx.refuse(t, "its payload has no elements");
    const out = ctx.output(t);
    const recode = wireRecoder(t, ctx, out, ctx.pcollection(out).coder, {
      recode: (from, to) => `the elements were encoded with ${from}; they travel as ${to} (see the consumer's grouping), so they are re-encoded now, once, into the plan`,
      same: (wire) => `the elements travel in the plan as they were encoded, ${wire}, each a whole record (timestamp, global window, pane)`,
    }, "; use WithKeys or map to KV.of(key, value) first");
    const elements = payload.elements.map((b64, i) => {
      const value = recode(Buffer.from(b64, "base64"), `element ${i}`);
      return encodeGlobalRecord(payload.timestamps?.[i] ?? TIMESTAMP_MIN, value).toString("base64");
    });
    const n = elements.length;
    const op = ctx.addOperator({
      name: t.fullName,
      kind: "source:create",
      transforms: [t.fullName],
      parallelism: Math.max(1, Math.min(ctx.parallelism, Math.ceil(n / 1000))),
      inputs: [],
      outputs: ["main"],
      payload: { elements },
    });
    ctx.setOutput(out, { op: op.id, output: "main" });
  },
};
