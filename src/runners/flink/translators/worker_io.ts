/**
 * Sources and sinks the bridge has no native kind for (AvroIO.read / AvroIO.write) → run in
 * Node workers with the local runner's own IO code (see worker/io_ops.ts):
 *
 *   read:  source:create (one trigger) → usercode split_source (p=1) ─rebalance→ usercode
 *          read_source (the ParDos after it join this stage)
 *   write: [the stage producing the input, or one of numShards writers after a rebalance]
 *          + sink_write → flatten(results, one trigger) → usercode sink_finalize (p=1)
 *
 * Splitting happens on the cluster, not on the client, and finalize runs only once every
 * writer finished (BATCH: blocking exchanges), so a failed job leaves no final file.
 */
import type { TransformNode } from "../../../graph/types.js";
import "../../../io/index.js"; // registers the readers and writers
import { sinkFor, sourceFor } from "../../../io/registry.js";
import { TIMESTAMP_MIN } from "../../../sdk/values/time.js";
import type { TranslationContext } from "./context.js";
import { encodeGlobalRecord } from "./records.js";
import type { TransformTranslator } from "./translator.js";
import { CoderUrns } from "./wire_coders.js";

const STRING = { urn: CoderUrns.STRING };
/** The empty string, StringUtf8-encoded. */
const EMPTY_STRING = new Uint8Array([0]);

/** A one-element source: what starts a worker-side split or finalize. */
function trigger(t: TransformNode, ctx: TranslationContext, name: string): string {
  const pc = `${t.id}/${name.toLowerCase()}`;
  const op = ctx.addOperator({
    name: `${t.fullName}/${name}`,
    kind: "source:create",
    transforms: [t.fullName],
    parallelism: 1,
    inputs: [],
    outputs: ["main"],
    payload: { elements: [encodeGlobalRecord(TIMESTAMP_MIN, EMPTY_STRING).toString("base64")] },
  });
  ctx.setOutput(pc, { op: op.id, output: "main" });
  return pc;
}

export const workerSourceTranslator: TransformTranslator = {
  becomes: "usercode split → usercode read (the local runner's reader, in Node)",
  translate(t: TransformNode, ctx: TranslationContext): void {
    if (!sourceFor(t.urn)) ctx.refuse(t, `no reader is registered for ${t.urn}`);
    const output = ctx.output(t);
    const start = trigger(t, ctx, "Start");
    const splitter = ctx.newStage(start, t, "forward", 1);
    const splits = `${t.id}/splits`;
    ctx.addSynthetic(splitter, start, output, STRING, `${t.fullName} (start)`);
    ctx.addSynthetic(splitter, splits, output, STRING, `${t.fullName} (splits)`);
    ctx.fuse(splitter, t, { kind: "split_source", transform: t.id, input: start, output: splits, desired: ctx.parallelism * 4 }, [splits]);
    const reader = ctx.newStage(splits, t, "rebalance");
    ctx.addSynthetic(reader, splits, output, STRING, `${t.fullName} (splits)`);
    ctx.fuse(reader, t, { kind: "read_source", transform: t.id, input: splits, output }, [output]);
  },
};

export const workerSinkTranslator: TransformTranslator = {
  becomes: "usercode writers → usercode finalize (p=1): the local runner's writer, in Node",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const sink = sinkFor(t.urn);
    if (!sink) ctx.refuse(t, `no writer is registered for ${t.urn}`);
    const input = ctx.mainInput(t);
    const shards = sink.numShards(t.payload);
    const writers = shards !== undefined ? ctx.newStage(input, t, "rebalance", shards) : ctx.stageFor(t, input);
    const results = `${t.id}/results`;
    ctx.addSynthetic(writers, results, input, STRING, `${t.fullName} (written files)`);
    ctx.fuse(writers, t, { kind: "sink_write", transform: t.id, input, output: results, runId: ctx.runId }, [results]);
    const start = trigger(t, ctx, "Finalize");
    const all = `${t.id}/all-results`;
    const union = ctx.addOperator({
      name: `${t.fullName}/Results`,
      kind: "flatten",
      transforms: [t.fullName],
      parallelism: 1,
      inputs: [ctx.input(results, "rebalance", t), ctx.input(start, "forward", t)],
      outputs: ["main"],
    });
    ctx.setOutput(all, { op: union.id, output: "main" });
    const finalizer = ctx.newStage(all, t);
    const done = `${t.id}/done`;
    ctx.addSynthetic(finalizer, all, input, STRING, `${t.fullName} (written files)`);
    ctx.addSynthetic(finalizer, done, input, STRING, `${t.fullName} (done)`);
    ctx.fuse(finalizer, t, { kind: "sink_finalize", transform: t.id, input: all, output: done, runId: ctx.runId }, [done]);
  },
};
