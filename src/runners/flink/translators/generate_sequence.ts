/**
 * GenerateSequence → `source:sequence`: a bounded sequence is Flink's own number sequence
 * source, each number a varint record; an unbounded one (a rate, a maximum read time or no end)
 * is the bridge's RateLimitedSequenceSource, with the local runner's rules
 * (src/io/sequence/unbounded_sequence.ts): one stride split per subtask, numbers stamped with the
 * time they are emitted, watermarks from the readers, split state checkpointed. The job then
 * runs in STREAMING mode (its output PCollection is unbounded).
 */
import type { TransformNode } from "../../../graph/types.js";
import { isBoundedSequence, type GenerateSequencePayload } from "../../../io/sequence/generate_sequence.js";
import type { TranslationContext } from "./context.js";
import { coderName } from "./trace_recorder.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";
import { CoderUrns } from "./wire_coders.js";

/** Below this many numbers per subtask, fewer subtasks read (as Create's 1000 per subtask). */
const NUMBERS_PER_SUBTASK = 10_000;

export const generateSequenceTranslator: TransformTranslator = {
  name: "generate_sequence",
  javaClass: JAVA_CLASS_OF_KIND["source:sequence"]!,
  becomes: "source:sequence — Flink's number sequence source (bounded), or the bridge's rate-limited sequence source (unbounded)",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const p = t.payload as GenerateSequencePayload | undefined;
    if (!p || typeof p.from !== "number") ctx.refuse(t, "its payload has no range");
    const out = ctx.output(t);
    const wire = ctx.wire.of(out);
    if (wire.urn !== CoderUrns.VARINT || ctx.wire.checks.has(out)) {
      ctx.refuse(t, `the bridge's sequence source writes varint numbers, and its output must travel as ${coderName(wire)}${ctx.wire.checks.has(out) ? " with a check (is it grouped as KVs?)" : ""}`);
    }
    ctx.decide({ kind: "wire-coder", choice: coderName(wire), reason: "the numbers are made in Java, each a varint record in the global window: no Node worker reads them", pcollection: out, coder: wire });
    if (!isBoundedSequence(p)) {
      ctx.decide({
        kind: "runtime-mode",
        choice: "STREAMING, RateLimitedSequenceSource",
        reason: "an unbounded sequence (a rate, a maximum read time or no end): the bridge's FLIP-27 source, one stride split per subtask, numbers stamped when emitted, split state checkpointed",
      });
      const splits = p.to !== undefined ? Math.max(1, Math.min(ctx.parallelism, p.to - p.from)) : ctx.parallelism;
      const op = ctx.addOperator({
        name: t.fullName,
        kind: "source:sequence",
        transforms: [t.fullName],
        parallelism: splits,
        inputs: [],
        outputs: ["main"],
        payload: {
          from: p.from,
          ...(p.to !== undefined ? { to: p.to } : {}),
          ...(p.rate ? { rate: { elements: p.rate.elements, periodMillis: p.rate.periodMillis } } : {}),
          ...(p.maxReadTimeMillis !== undefined ? { maxReadTimeMillis: p.maxReadTimeMillis } : {}),
        },
      });
      ctx.setOutput(out, { op: op.id, output: "main" });
      return;
    }
    const n = p.to! - p.from;
    const op = ctx.addOperator({
      name: t.fullName,
      kind: "source:sequence",
      transforms: [t.fullName],
      parallelism: Math.max(1, Math.min(ctx.parallelism, Math.ceil(n / NUMBERS_PER_SUBTASK))),
      inputs: [],
      outputs: ["main"],
      payload: { from: p.from, to: p.to! },
    });
    ctx.setOutput(out, { op: op.id, output: "main" });
  },
};
