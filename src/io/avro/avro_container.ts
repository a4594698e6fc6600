/**
 * Avro object container files: a synchronous block writer (for writers in worker
 * threads) and a streaming reader (avsc's BlockDecoder), records as plain objects.
 *
 * Layout (Avro 1.x spec): magic `Obj\x01`, metadata map (`avro.schema`: the schema JSON,
 * `avro.codec`: "null" | "deflate"), a 16-byte sync marker, then blocks of
 * [record count: long][byte size: long][records, raw-deflated for "deflate"][sync marker].
 */
import avro from "avsc";
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream";
import { deflateRawSync } from "node:zlib";

export type AvroCodecName = "null" | "deflate";
export type AvroSchemaJSON = object | string;

/** Parses a schema given as JSON text, an object, or a primitive type name. */
export function schemaJSON(schema: unknown): AvroSchemaJSON {
  if (typeof schema === "string") return /^\s*[[{"]/.test(schema) ? (JSON.parse(schema) as AvroSchemaJSON) : schema;
  if (schema !== null && typeof schema === "object") {
    // An avsc Type: its schema JSON.
    if (typeof (schema as { schema?: unknown }).schema === "function" && avro.Type.isType(schema)) return (schema as avro.Type).schema() as object;
    return schema;
  }
  throw new Error(`an Avro schema must be an object, a JSON string or a type name, got ${schema === null ? "null" : typeof schema}`);
}

/** The avsc type of a schema (records without methods; decoded records are made plain anyway). */
export function avroType(schema: AvroSchemaJSON): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { omitRecordMethods: true });
}

const MAGIC = Buffer.from("Obj\x01", "latin1");
const META_TYPE = avro.Type.forSchema({ type: "map", values: "bytes" });

function zigzagLong(n: number, out: number[]): void {
  // Avro longs: zigzag, then base-128 varint. Safe for |n| < 2^53.
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
}

export interface ContainerWriterOptions {
  codec?: AvroCodecName;
  /** zlib level 0–9 for "deflate" (default 6). */
  deflateLevel?: number;
  /** Uncompressed bytes per block before it is written (default 64000, as Avro Java). */
  syncInterval?: number;
}

/** Writes an Avro container file through a synchronous byte sink. */
export class AvroContainerWriter {
  private readonly type: avro.Type;
  private readonly sync = randomBytes(16);
  private block: Buffer;
  private pos = 0;
  private count = 0;
  private readonly codec: AvroCodecName;
  private readonly level: number;
  private readonly interval: number;

  constructor(schema: AvroSchemaJSON, private readonly out: (bytes: Uint8Array) => void, opts: ContainerWriterOptions = {}) {
    this.type = avroType(schema);
    this.codec = opts.codec ?? "deflate";
    if (this.codec !== "null" && this.codec !== "deflate") throw new Error(`unknown Avro codec ${JSON.stringify(this.codec)} (use "null" or "deflate")`);
    this.level = opts.deflateLevel ?? 6;
    this.interval = Math.max(1, opts.syncInterval ?? 64000);
    this.block = Buffer.allocUnsafe(Math.max(1024, this.interval + 1024));
    const meta = META_TYPE.toBuffer({
      "avro.schema": Buffer.from(JSON.stringify(schema), "utf8"),
      "avro.codec": Buffer.from(this.codec, "utf8"),
    });
    this.out(Buffer.concat([MAGIC, meta, this.sync]));
  }

  write(value: unknown): void {
    let end: number;
    try {
      end = this.type.encode(value, this.block, this.pos);
    } catch (e) {
      throw new TypeError(`cannot write ${describeValue(value)} as Avro ${this.typeName()}: ${whyInvalid(this.type, value) ?? (e as Error).message}`);
    }
    if (end < 0) {
      // Did not fit: grow the block buffer (by at least what was missing) and encode again.
      const grown = Buffer.allocUnsafe(Math.max(this.block.length * 2, this.block.length - end + 1024));
      this.block.copy(grown, 0, 0, this.pos);
      this.block = grown;
      end = this.type.encode(value, this.block, this.pos);
      if (end < 0) throw new Error("Avro encoding did not fit a grown buffer");
    }
    this.pos = end;
    this.count++;
    if (this.pos >= this.interval) this.flushBlock();
  }

  /** Writes the last block. */
  finish(): void {
    this.flushBlock();
  }

  private flushBlock(): void {
    if (this.count === 0) return;
    const raw = this.block.subarray(0, this.pos);
    const data = this.codec === "deflate" ? deflateRawSync(raw, { level: this.level }) : raw;
    const head: number[] = [];
    zigzagLong(this.count, head);
    zigzagLong(data.length, head);
    this.out(Buffer.concat([Buffer.from(head), data, this.sync]));
    this.pos = 0;
    this.count = 0;
  }

  private typeName(): string {
    return this.type.name ?? this.type.typeName;
  }
}

/**
 * Streams the records of a container file, in order, calling emit per record (plain
 * objects). With a reader schema, records are resolved from the file's writer schema.
 */
export async function readAvroFile(file: string, readerSchema: AvroSchemaJSON | undefined, emit: (record: unknown) => void): Promise<number> {
  const decoder = new avro.streams.BlockDecoder(readerSchema === undefined ? {} : { readerSchema: avroType(readerSchema) });
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = pipeline(input, decoder, () => {});
  let count = 0;
  let emitting = false;
  try {
    for await (const record of stream as AsyncIterable<unknown>) {
      emitting = true;
      emit(plain(record));
      emitting = false;
      count++;
    }
  } catch (e) {
    if (emitting) throw e;
    throw new Error(`cannot read Avro file ${file}: ${(e as Error).message}`);
  } finally {
    input.destroy();
    decoder.destroy();
  }
  return count;
}

/** avsc decodes records as instances of generated classes; users get plain objects. */
export function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = plain(value[i]);
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    // A map (or an already plain record): convert values in place.
    for (const k of Object.keys(value)) (value as Record<string, unknown>)[k] = plain((value as Record<string, unknown>)[k]);
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = plain((value as Record<string, unknown>)[k]);
    if (k === "__proto__") Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "object") {
    try {
      const s = JSON.stringify(v);
      return s.length > 80 ? s.slice(0, 80) + "…" : s;
    } catch {
      return "an object";
    }
  }
  return String(v);
}

function whyInvalid(type: avro.Type, value: unknown): string | undefined {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path, val, t) => {
      if (problems.length < 3) problems.push(`${path.length ? path.join(".") : "the value"} is ${describeValue(val)}, not a valid ${t.name ?? t.typeName}`);
    },
  });
  return problems.length ? problems.join("; ") : undefined;
}
