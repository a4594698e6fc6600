/**
 * TestStream → `source:test_stream`: the bridge's TestStreamSource (parallelism 1) replays the
 * events in order — elements at their timestamps, watermark advances (as Flink watermarks,
 * Beam's t as Flink's t - 1), processing-time advances on the job's synthetic clock, which the
 * windowing operators read instead of the wall clock. Each event is applied only once the job
 * is quiescent (a checkpoint taken after the previous one completed), as the local runner
 * applies them (docs/flink-plan.md "TestStream").
 */
import type { TransformNode } from "../../../graph/types.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from "../../../sdk/values/time.js";
import type { TranslationContext } from "./context.js";
import { encodeGlobalRecord } from "./records.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";
import { wireRecoder } from "./wire_recode.js";

/** The SDK's TestStream payload (src/sdk/testing/test_stream.ts). */
interface TestStreamPayload {
  coder: CoderSpec;
  events: Array<
    | { kind: "elements"; elements: Array<{ value: string; timestamp: number }> }
    | { kind: "watermark"; to: number }
    | { kind: "processing_time"; advanceMillis: number }
  >;
  /** Where the synthetic processing-time clock starts (default 0). */
  processingTimeStart?: number;
}

type PlanEvent =
  | { kind: "elements"; records: Array<{ record: string; timestamp: number }> }
  | { kind: "watermark"; to: number | "+inf" }
  | { kind: "processing_time"; advanceMillis: number };

export const testStreamTranslator: TransformTranslator = {
  name: "test_stream",
  javaClass: JAVA_CLASS_OF_KIND["source:test_stream"]!,
  becomes: "source:test_stream — the events in order at parallelism 1, each once the job is quiescent; processing time on a synthetic clock",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const p = t.payload as TestStreamPayload | undefined;
    if (!p || !Array.isArray(p.events)) ctx.refuse(t, "its payload has no events");
    const out = ctx.output(t);
    const recode = wireRecoder(t, ctx, out, p.coder ?? ctx.pcollection(out).coder, {
      recode: (from, to) => `the elements were encoded with ${from}; they travel as ${to}, so they are re-encoded now, once, into the plan`,
      same: (wire) => `the elements travel in the plan as they were encoded, ${wire}, each a whole record (timestamp, global window, pane)`,
    });
    const events: PlanEvent[] = p.events.map((e, i): PlanEvent => {
      switch (e.kind) {
        case "elements":
          return {
            kind: "elements",
            records: e.elements.map((el, k) => {
              const value = recode(Buffer.from(el.value, "base64"), `element ${k} of event ${i}`);
              const ts = el.timestamp ?? TIMESTAMP_MIN;
              return { record: encodeGlobalRecord(ts, value).toString("base64"), timestamp: ts };
            }),
          };
        case "watermark":
          return { kind: "watermark", to: !Number.isFinite(e.to) || e.to >= TIMESTAMP_MAX ? "+inf" : e.to };
        case "processing_time":
          return { kind: "processing_time", advanceMillis: e.advanceMillis };
        default:
          return ctx.refuse(t, `event ${i} has the unknown kind '${(e as { kind?: string }).kind}'`);
      }
    });
    ctx.decide({ kind: "runtime-mode", choice: "STREAMING, source parallelism 1", reason: "a TestStream's events are one ordered sequence: one subtask replays them, each after the job finished the one before (a checkpoint completed)" });
    const op = ctx.addOperator({
      name: t.fullName,
      kind: "source:test_stream",
      transforms: [t.fullName],
      parallelism: 1,
      inputs: [],
      outputs: ["main"],
      payload: { events, clockStart: p.processingTimeStart ?? 0 },
    });
    ctx.setOutput(out, { op: op.id, output: "main" });
  },
};
