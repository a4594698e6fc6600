/**
 * TextIO.Write → `sink:text`. In a BATCH job writers put each shard in a temporary file, and
 * the JobManager renames them all once the whole job finished, so a failed job leaves no
 * final file (atomic), as the local runner's finalize does. In a STREAMING job the files are
 * committed on checkpoints, one per shard, window and checkpoint (exactly once:
 * docs/flink-plan.md, `sink:text`).
 */
import type { TransformNode } from "../../../graph/types.js";
import type { TextWritePayload } from "../../../io/text/text_sink.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";
import { CoderUrns } from "./wire_coders.js";

export const textWriteTranslator: TransformTranslator = {
  name: "text_write",
  javaClass: JAVA_CLASS_OF_KIND["sink:text"]!,
  becomes: "sink:text — temp files per writer, renamed when the whole job finished (atomic), or on each checkpoint in STREAMING jobs (exactly once)",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const p = t.payload as TextWritePayload | undefined;
    if (!p || typeof p.prefix !== "string") ctx.refuse(t, "its payload has no output prefix");
    if (!p.prefix.startsWith("/")) ctx.refuse(t, `the output prefix ${JSON.stringify(p.prefix)} is not absolute (the TaskManagers resolve it)`);
    if (p.header != null || p.footer != null) ctx.refuse(t, "the bridge's text sink writes no header or footer lines");
    const compression = p.compression ?? "uncompressed";
    if (compression !== "uncompressed" && compression !== "gzip") ctx.refuse(t, `the bridge's text sink compresses with gzip only, not ${compression}`);
    const input = ctx.mainInput(t);
    const coder = ctx.wire.of(input);
    if (coder.urn !== CoderUrns.STRING) {
      ctx.refuse(t, `it writes strings, and ${ctx.pcollection(input).name} has the coder ${coder.urn}; format the elements first, e.g. with MapElements.via(x => ...)`);
    }
    const numShards = p.numShards ?? 0;
    const op = ctx.addOperator({
      name: t.fullName,
      kind: "sink:text",
      transforms: [t.fullName],
      ...(numShards > 0 ? { parallelism: numShards } : {}),
      inputs: [ctx.input(input, "forward", t)],
      outputs: [],
      payload: {
        prefix: p.prefix,
        suffix: p.suffix ?? "",
        numShards,
        shardTemplate: p.shardTemplate ?? "-SSSSS-of-NNNNN",
        compression: compression === "gzip" ? "gzip" : "none",
        windowing: ctx.windowing(input, t),
      },
    });
    void op;
  },
};
