/**
 * AvroIO.Read → `source:avro`: Flink's FileSource over the matched Avro container files,
 * cut into byte ranges at sync markers, each record resolved from its file's writer schema
 * to the read's schema and sent in AvroCoder's layout (varint length + Avro binary), as the
 * local runner's reader decodes it.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { AvroReadPayload } from "../../../io/avro/avro_source.js";
import { AvroCoder } from "../../../sdk/coders/avro_coder.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";
import { sameCoder } from "./wire_coders.js";

const GLOB = /[*?[\]{}]/;

export const avroReadTranslator: TransformTranslator = {
  name: "avro_read",
  javaClass: JAVA_CLASS_OF_KIND["source:avro"]!,
  becomes: "source:avro — Flink's FileSource over Avro container files, split at sync markers",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const p = t.payload as AvroReadPayload | undefined;
    if (!p || typeof p.filePattern !== "string") ctx.refuse(t, "its payload has no filePattern");
    if (p.schema === undefined) ctx.refuse(t, "its payload has no schema");
    const pattern = p.filePattern;
    if (!pattern.startsWith("/")) ctx.refuse(t, `the file pattern ${JSON.stringify(pattern)} is not absolute (the TaskManagers resolve it)`);
    const output = ctx.output(t);
    const avro: CoderSpec = AvroCoder.of(p.schema).toSpec();
    if (!sameCoder(ctx.wire.of(output), avro)) {
      ctx.refuse(t, `the bridge reads records as AvroCoder of the read's schema, and ${ctx.pcollection(output).name} has another coder; leave AvroIO.read()'s coder as it is`);
    }
    const emptyMatch = p.emptyMatch === "allow" || (p.emptyMatch === "allow_if_wildcard" && GLOB.test(pattern)) ? "allow" : "disallow";
    const op = ctx.addOperator({
      name: t.fullName,
      kind: "source:avro",
      transforms: [t.fullName],
      inputs: [],
      outputs: ["main"],
      payload: { filePatterns: [pattern], emptyMatch, schema: p.schema },
    });
    ctx.setOutput(output, { op: op.id, output: "main" });
  },
};
