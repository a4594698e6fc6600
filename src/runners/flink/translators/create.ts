/**
 * Create → `source:create`: a bounded source carrying the encoded records.
 *
 * Each element becomes a whole record (timestamp, the global window, NO_FIRING pane, the
 * value in its wire coder), so Create.timestamped is the same kind. Small inputs get a
 * small parallelism (as the local runner splits Create by 1000 elements), so a one-element
 * Create does not start a Node worker per slot downstream.
 */
import type { TransformNode } from "../../../graph/types.js";
import { coderFromSpec } from "../../../sdk/coders/coder.js";
import type { CreatePayload } from "../../../sdk/transforms/create.js";
import { TIMESTAMP_MIN } from "../../../sdk/values/time.js";
import { encodeGlobalRecord } from "./records.js";
import { coderName } from "./trace_recorder.js";
import { sameCoder } from "./wire_coders.js";
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
    const graphCoder = ctx.pcollection(out).coder;
    const wireCoder = ctx.wire.of(out);
    const check = ctx.wire.checks.get(out);
    const recode = !sameCoder(graphCoder, wireCoder);
    ctx.decide({
      kind: "wire-coder",
      choice: coderName(wireCoder),
      reason: recode
        ? `the elements were encoded with ${coderName(graphCoder)}; they travel as ${coderName(wireCoder)} (see the consumer's grouping), so they are re-encoded now, once, into the plan`
        : `the elements travel in the plan as they were encoded, ${coderName(wireCoder)}, each a whole record (timestamp, global window, pane)`,
      pcollection: out,
      coder: wireCoder,
    });
    const from = recode ? coderFromSpec(graphCoder) : undefined;
    const to = recode ? coderFromSpec(wireCoder) : undefined;
    const elements = payload.elements.map((b64, i) => {
      let value = Buffer.from(b64, "base64");
      if (from && to) {
        const v = from.decodeFromBytes(value);
        if (check?.kind === "kv" && (v === null || typeof v !== "object" || !("key" in (v as object)))) {
          ctx.refuse(ctx.transform(t.id), `${check.transform} needs KV elements ({ key, value }), and element ${i} is not one; use WithKeys or map to KV.of(key, value) first`);
        }
        value = Buffer.from(to.encodeToBytes(v));
      }
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
