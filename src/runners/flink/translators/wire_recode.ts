/**
 * Elements a source carries in the plan (Create's, TestStream's), encoded by the SDK with the
 * graph's coder, as they must travel: in their PCollection's wire coder (wire_coders.ts). When
 * the two differ they are re-encoded now, once, into the plan; the choice goes into the trace.
 */
import type { TransformNode } from "../../../graph/types.js";
import { coderFromSpec, type CoderSpec } from "../../../sdk/coders/coder.js";
import type { TranslationContext } from "./context.js";
import { coderName } from "./trace_recorder.js";
import { sameCoder } from "./wire_coders.js";

/** The trace's reason for each case: `recode(from, to)` when re-encoded, `same(wire)` when not. */
export interface RecodeReasons {
  recode(from: string, to: string): string;
  same(wire: string): string;
}

/**
 * Records the wire-coder decision for `out` and returns what turns one element's encoded
 * bytes into the bytes that travel. `which` names the element in a refusal (a grouping
 * consumer needs KV elements); `hint` follows that refusal.
 */
export function wireRecoder(t: TransformNode, ctx: TranslationContext, out: string, graphCoder: CoderSpec, reasons: RecodeReasons, hint = ""): (bytes: Uint8Array, which: string) => Uint8Array {
  const wire = ctx.wire.of(out);
  const check = ctx.wire.checks.get(out);
  const recode = !sameCoder(graphCoder, wire);
  ctx.decide({
    kind: "wire-coder",
    choice: coderName(wire),
    reason: recode ? reasons.recode(coderName(graphCoder), coderName(wire)) : reasons.same(coderName(wire)),
    pcollection: out,
    coder: wire,
  });
  if (!recode) return (bytes) => bytes;
  const from = coderFromSpec(graphCoder);
  const to = coderFromSpec(wire);
  return (bytes, which) => {
    const v = from.decodeFromBytes(bytes);
    if (check?.kind === "kv" && (v === null || typeof v !== "object" || !("key" in (v as object)))) {
      ctx.refuse(t, `${check.transform} needs KV elements ({ key, value }), and ${which} is not one${hint}`);
    }
    return to.encodeToBytes(v);
  };
}
