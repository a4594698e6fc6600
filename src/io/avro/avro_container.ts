/**
 * Avro object container files: a synchronous block writer (for writers in worker
 * threads) and a streaming reader that decodes whole blocks; records as plain objects.
 *
 * Layout (Avro 1.x spec): magic `Obj\x01`, metadata map (`avro.schema`: the schema JSON,
 * `avro.codec`: "null" | "deflate"), a 16-byte sync marker, then blocks of
 * [record count: long][byte size: long][records, raw-deflated for "deflate"][sync marker].
 */
import { plainAvroValue as plain } from "../../sdk/coders/avro_coder.js";
import avro from "avsc";
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { hostData } from "../../graph/realm.js";

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
  return avro.Type.forSchema(hostData(schema) as avro.Schema, { omitRecordMethods: true });
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
 * Reads 1 MiB at a time and decodes whole blocks synchronously (codecs "null", "deflate").
 */
export async function readAvroFile(file: string, readerSchema: AvroSchemaJSON | undefined, emit: (record: unknown) => void): Promise<number> {
  const fh = await fsp.open(file, "r");
  let buf = Buffer.allocUnsafe(1 << 20);
  let start = 0; // first unconsumed byte
  let end = 0; // end of valid data
  let filePos = 0;
  let eof = false;
  const fail = (msg: string): never => {
    throw new Error(`cannot read Avro file ${file}: ${msg}`);
  };
  /** Makes at least n unconsumed bytes available; false at the end of the file. */
  const need = async (n: number): Promise<boolean> => {
    while (end - start < n) {
      if (eof) return false;
      if (start > 0) {
        buf.copy(buf, 0, start, end);
        end -= start;
        start = 0;
      }
      if (buf.length - end < Math.max(n - (end - start), 64 * 1024)) {
        const grown = Buffer.allocUnsafe(Math.max(buf.length * 2, n + (1 << 20)));
        buf.copy(grown, 0, 0, end);
        buf = grown;
      }
      const { bytesRead } = await fh.read(buf, end, buf.length - end, filePos);
      if (bytesRead === 0) eof = true;
      filePos += bytesRead;
      end += bytesRead;
    }
    return true;
  };
  /** Reads an Avro long at `start` (the caller made enough bytes available, or the file ended). */
  const readLong = (): number => {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (start >= end) fail("truncated block header");
      const b = buf[start++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      mul *= 128;
    }
    return fail("bad varint in block header");
  };

  let count = 0;
  let emitting = false;
  try {
    // Header: magic, metadata map, sync marker. Grow until the map decodes.
    if (!(await need(4)) || !buf.subarray(start, start + 4).equals(MAGIC)) fail("not an Avro object container file (bad magic bytes)");
    let meta: { value: Record<string, Buffer>; offset: number };
    for (let want = 1024; ; want *= 2) {
      const more = await need(want);
      meta = META_TYPE.decode(buf.subarray(0, end), start + 4) as { value: Record<string, Buffer>; offset: number };
      if (meta.offset >= 0 && meta.offset + 16 <= end) break;
      if (!more) fail("truncated header");
    }
    const sync = Buffer.from(buf.subarray(meta.offset, meta.offset + 16));
    start = meta.offset + 16;
    const codec = meta.value["avro.codec"]?.toString() || "null";
    if (codec !== "null" && codec !== "deflate") fail(`unsupported codec ${JSON.stringify(codec)} (flowbook reads "null" and "deflate")`);
    const schemaText = meta.value["avro.schema"]?.toString();
    if (!schemaText) fail("no avro.schema in the header");
    const writerType = avroType(JSON.parse(schemaText!) as AvroSchemaJSON);
    let type = writerType;
    let resolver: ReturnType<avro.Type["createResolver"]> | undefined;
    if (readerSchema !== undefined) {
      type = avroType(readerSchema);
      try {
        resolver = type.createResolver(writerType);
      } catch (e) {
        fail(`its schema cannot be read as the reader schema: ${(e as Error).message}`);
      }
    }
    for (;;) {
      if (!(await need(1))) break;
      await need(20); // the block's two longs (fewer bytes at the end of the file is fine)
      const n = readLong();
      const size = readLong();
      if (n < 0 || size < 0) fail("bad block header");
      if (!(await need(size + 16))) fail("truncated block");
      const raw = buf.subarray(start, start + size);
      const data = codec === "deflate" ? inflateRawSync(raw) : Buffer.from(raw);
      if (!buf.subarray(start + size, start + size + 16).equals(sync)) fail("sync marker mismatch (corrupt file)");
      start += size + 16;
      let pos = 0;
      for (let i = 0; i < n; i++) {
        const r = type.decode(data, pos, resolver);
        if (r.offset < 0) fail("truncated record in block");
        pos = r.offset;
        emitting = true;
        emit(plain(r.value));
        emitting = false;
        count++;
      }
    }
  } catch (e) {
    if (emitting || (e instanceof Error && e.message.startsWith("cannot read Avro file"))) throw e;
    fail((e as Error).message);
  } finally {
    await fh.close();
  }
  return count;
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
