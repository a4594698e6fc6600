/**
 * AvroIO: records of Avro object container files, as plain objects.
 *
 *   const schema = { type: "record", name: "User", fields: [{ name: "name", type: "string" }] };
 *   const users = p.apply(AvroIO.read<User>(schema).from("data/users-*.avro"));
 *   users.apply(AvroIO.write<User>(schema).to("out/users").withSuffix(".avro"));
 *
 * The output of read() is coded with AvroCoder.of(schema). Builders are immutable.
 */
import { Urns } from "../../graph/types.js";
import { AvroCoder } from "../../sdk/coders/avro_coder.js";
import { PBegin, PCollection, PDone } from "../../sdk/pcollection.js";
import { PTransform, TransformApplicationError } from "../../sdk/transforms/ptransform.js";
import { WindowingStrategy } from "../../sdk/windowing/windowing_strategy.js";
import { resolvePattern, type EmptyMatchTreatment } from "../filesystem/match.js";
import { checkOutputLocation } from "../filesystem/output_location.js";
import { DEFAULT_SHARD_TEMPLATE } from "../filesystem/temp_files.js";
import { checkNumShards, checkShardTemplate } from "../text/text_io.js";
import { avroType, schemaJSON, type AvroCodecName, type AvroSchemaJSON } from "./avro_container.js";
import type { AvroReadPayload } from "./avro_source.js";
import type { AvroWritePayload } from "./avro_sink.js";
import "./avro_source.js";
import "./avro_sink.js";

function fail(message: string): never {
  throw new TransformApplicationError(message);
}

function parseSchema(schema: unknown, what: string): AvroSchemaJSON {
  try {
    const json = schemaJSON(schema);
    avroType(json);
    return json;
  } catch (e) {
    fail(`${what}: invalid Avro schema: ${(e as Error).message}`);
  }
}

const EMPTY_MATCH: Record<string, EmptyMatchTreatment> = { disallow: "disallow", allow: "allow", allow_if_wildcard: "allow_if_wildcard" };

/** `AvroIO.read(schema).from(pattern)`: every record of the matched files. */
export class AvroIORead<T = unknown> extends PTransform<PBegin, PCollection<T>> {
  constructor(
    readonly schema: AvroSchemaJSON,
    private readonly filePattern?: string,
    private readonly emptyMatch: EmptyMatchTreatment = "disallow",
  ) {
    super();
  }

  from(filePattern: string): AvroIORead<T> {
    if (typeof filePattern !== "string" || filePattern === "") fail(`AvroIO.read().from() needs a file pattern, got ${JSON.stringify(filePattern)}`);
    return new AvroIORead<T>(this.schema, filePattern, this.emptyMatch);
  }

  withEmptyMatchTreatment(treatment: EmptyMatchTreatment | string): AvroIORead<T> {
    const t = typeof treatment === "string" ? EMPTY_MATCH[treatment.toLowerCase()] : undefined;
    if (!t) fail(`AvroIO.read().withEmptyMatchTreatment(): unknown treatment ${JSON.stringify(treatment)}`);
    return new AvroIORead<T>(this.schema, this.filePattern, t);
  }

  override defaultName(): string {
    return "AvroIO.Read";
  }

  expand(input: PBegin): PCollection<T> {
    if (!(input instanceof PBegin)) fail("AvroIO.read() must be applied to the pipeline: p.apply(AvroIO.read(schema).from(pattern))");
    if (this.filePattern === undefined) fail("AvroIO.read() needs .from(pattern)");
    let filePattern: string;
    try {
      filePattern = resolvePattern(this.filePattern, "AvroIO.read().from()");
    } catch (e) {
      fail((e as Error).message);
    }
    const payload: AvroReadPayload = { filePattern, schema: this.schema, emptyMatch: this.emptyMatch };
    const coder = AvroCoder.of<T>(this.schema);
    return input.pipeline
      .primitive({
        urn: Urns.AVRO_READ,
        payload: () => structuredClone(payload),
        outputs: [{ tag: "main", coder: () => coder, windowing: WindowingStrategy.globalDefault(), isBounded: true }],
      })
      .get("main") as PCollection<T>;
  }
}

interface WriteSpec {
  prefix?: string;
  suffix: string;
  numShards: number;
  shardTemplate: string;
  codec: AvroCodecName;
  deflateLevel: number;
}

/** `AvroIO.write(schema).to(prefix)`: records into sharded Avro container files. */
export class AvroIOWrite<T = unknown> extends PTransform<PCollection<T>, PDone> {
  constructor(
    readonly schema: AvroSchemaJSON,
    private readonly spec: WriteSpec = { suffix: "", numShards: 0, shardTemplate: DEFAULT_SHARD_TEMPLATE, codec: "deflate", deflateLevel: 6 },
  ) {
    super();
  }

  private with(changes: Partial<WriteSpec>): AvroIOWrite<T> {
    return new AvroIOWrite<T>(this.schema, { ...this.spec, ...changes });
  }

  to(prefix: string): AvroIOWrite<T> {
    if (typeof prefix !== "string" || prefix === "") fail(`AvroIO.write().to() needs an output prefix, got ${JSON.stringify(prefix)}`);
    return this.with({ prefix });
  }
  withSuffix(suffix: string): AvroIOWrite<T> {
    if (typeof suffix !== "string") fail("AvroIO.write().withSuffix() needs a string");
    return this.with({ suffix });
  }
  withNumShards(numShards: number): AvroIOWrite<T> {
    return this.with({ numShards: checkNumShards(numShards, "AvroIO.write()") });
  }
  withShardNameTemplate(template: string): AvroIOWrite<T> {
    if (typeof template !== "string") fail("AvroIO.write().withShardNameTemplate() needs a string");
    return this.with({ shardTemplate: template });
  }
  withoutSharding(): AvroIOWrite<T> {
    return this.with({ numShards: 1, shardTemplate: "" });
  }
  /** "deflate" (default, level 6) or "null" (no compression). */
  withCodec(codec: AvroCodecName, deflateLevel = 6): AvroIOWrite<T> {
    if (codec !== "null" && codec !== "deflate") fail(`AvroIO.write().withCodec(): unknown codec ${JSON.stringify(codec)} (use "deflate" or "null")`);
    if (!Number.isInteger(deflateLevel) || deflateLevel < 0 || deflateLevel > 9) fail("AvroIO.write().withCodec(): the deflate level must be 0–9");
    return this.with({ codec, deflateLevel });
  }

  override defaultName(): string {
    return "AvroIO.Write";
  }

  expand(input: PCollection<T>): PDone {
    if (!(input instanceof PCollection)) fail("AvroIO.write() must be applied to a PCollection");
    const s = this.spec;
    if (s.prefix === undefined) fail("AvroIO.write() needs .to(prefix)");
    checkShardTemplate(s.shardTemplate, s.numShards, "AvroIO.write()");
    let prefix: string;
    try {
      prefix = resolvePattern(s.prefix, "AvroIO.write().to()");
    } catch (e) {
      fail((e as Error).message);
    }
    if (s.prefix.endsWith("/") && !prefix.endsWith("/")) prefix += "/";
    checkOutputLocation(prefix, `AvroIO.write() '${input.pipeline.currentTransformName()}'`);
    const payload: AvroWritePayload = {
      prefix,
      suffix: s.suffix,
      numShards: s.numShards,
      shardTemplate: s.shardTemplate,
      schema: this.schema,
      codec: s.codec,
      deflateLevel: s.deflateLevel,
    };
    input.pipeline.primitive({ urn: Urns.AVRO_WRITE, payload: () => structuredClone(payload), outputs: [] });
    return new PDone(input.pipeline);
  }
}

/** AvroIO.read(schema) / AvroIO.write(schema), as in Beam (schema: JSON object, JSON text or avsc Type). */
export const AvroIO = {
  read<T = unknown>(schema: AvroSchemaJSON | object): AvroIORead<T> {
    return new AvroIORead<T>(parseSchema(schema, "AvroIO.read()"));
  },
  write<T = unknown>(schema: AvroSchemaJSON | object): AvroIOWrite<T> {
    return new AvroIOWrite<T>(parseSchema(schema, "AvroIO.write()"));
  },
  /** Beam's name for read(schema) of generic records. */
  readGenericRecords<T = Record<string, unknown>>(schema: AvroSchemaJSON | object): AvroIORead<T> {
    return new AvroIORead<T>(parseSchema(schema, "AvroIO.readGenericRecords()"));
  },
  /** Beam's name for write(schema) of generic records. */
  writeGenericRecords<T = Record<string, unknown>>(schema: AvroSchemaJSON | object): AvroIOWrite<T> {
    return new AvroIOWrite<T>(parseSchema(schema, "AvroIO.writeGenericRecords()"));
  },
};
