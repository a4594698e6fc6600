/**
 * AvroIO.Write → `sink:avro`: each writer subtask puts its shard in a temporary Avro
 * container file; the JobManager renames them all once the whole job succeeded, so a failed
 * job leaves no final file (the same commit as `sink:text`; in STREAMING jobs, files per
 * shard, window and checkpoint, committed on checkpoints). Elements travel to the writers
 * in AvroCoder's layout under the write's schema: an input with another coder (a MapElements'
 * plain objects, say) is re-encoded by a `recode` op in the user-code stage that produces it,
 * which also refuses, as the user's error, a value the schema cannot encode.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { AvroWritePayload } from "../../../io/avro/avro_sink.js";
import { DEFAULT_SHARD_TEMPLATE } from "../../../io/filesystem/temp_files.js";
import { AvroCoder } from "../../../sdk/coders/avro_coder.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";
import { coderName } from "./trace_recorder.js";
import { sameCoder } from "./wire_coders.js";

export const avroWriteTranslator: TransformTranslator = {
  name: "avro_write",
  javaClass: JAVA_CLASS_OF_KIND["sink:avro"]!,
  becomes: "sink:avro — Avro container files per writer, renamed by the JobManager once the job succeeded (atomic), or on each checkpoint in STREAMING jobs (exactly once)",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const p = t.payload as AvroWritePayload | undefined;
    if (!p || typeof p.prefix !== "string") ctx.refuse(t, "its payload has no output prefix");
    if (p.schema === undefined) ctx.refuse(t, "its payload has no schema");
    if (!p.prefix.startsWith("/")) ctx.refuse(t, `the output prefix ${JSON.stringify(p.prefix)} is not absolute (the TaskManagers resolve it)`);
    const codec = p.codec ?? "deflate";
    if (codec !== "deflate" && codec !== "null") ctx.refuse(t, `the bridge's Avro sink writes the codecs deflate and null, not ${String(codec)}`);
    const input = ctx.mainInput(t);
    const avro: CoderSpec = AvroCoder.of(p.schema).toSpec();
    let records = input;
    if (!sameCoder(ctx.wire.of(input), avro)) {
      ctx.decide({
        kind: "wire-coder",
        choice: "recode to avro",
        reason: `the bridge's Avro writers read AvroCoder records of the write's schema, and ${ctx.pcName(input)} is ${coderName(ctx.wire.of(input))}: a worker re-encodes (and refuses values the schema cannot encode)`,
        pcollection: input,
        coder: avro,
      });
      records = `${t.id}/avro`;
      const s = ctx.stageFor(t, input);
      ctx.addSynthetic(s, records, input, avro, `${ctx.pcollection(input).name} (as Avro)`);
      ctx.fuse(s, t, { kind: "recode", transform: t.id, input, output: records }, [records]);
    }
    const numShards = p.numShards ?? 0;
    ctx.addOperator({
      name: t.fullName,
      kind: "sink:avro",
      transforms: [t.fullName],
      ...(numShards > 0 ? { parallelism: numShards } : {}),
      inputs: [ctx.input(records, "forward", t)],
      outputs: [],
      payload: {
        prefix: p.prefix,
        suffix: p.suffix ?? "",
        numShards,
        shardTemplate: p.shardTemplate ?? DEFAULT_SHARD_TEMPLATE,
        schema: p.schema,
        codec,
        deflateLevel: p.deflateLevel ?? 6,
        ...(p.syncInterval !== undefined ? { syncInterval: p.syncInterval } : {}),
        windowing: ctx.windowing(input, t),
      },
    });
  },
};
