import avro from "avsc";
import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { describe } from "./describe.js";
import { hostBuffer, hostData } from "../../graph/realm.js";

/** An Avro schema in its JSON form (an object, an array for a union, or a type name). */
export type AvroSchema = object | string;

/**
 * flowbook's AvroCoder (`flowbook:coder:avro:v1`, payload: the Avro schema as JSON):
 * varint byte length, then the value's Avro binary encoding (avsc). With schema
 * `"string"`, `"hi"` → `03 04 68 69` (Avro writes the string's length as a zigzag varint).
 *
 * Deterministic unless the schema contains a map anywhere (Avro writes map entries in
 * the object's key order). Records decode to plain objects, `bytes`/`fixed` to Buffers.
 */
export class AvroCoder<T = unknown> extends Coder<T> {
  static readonly URN = "flowbook:coder:avro:v1";
  readonly urn = AvroCoder.URN;
  readonly schema: AvroSchema;
  readonly type: avro.Type;
  private readonly hasMap: boolean;
  private readonly hasRecord: boolean;

  constructor(schema: AvroSchema) {
    super();
    // A string is either a primitive type name or a JSON schema document.
    this.schema = typeof schema === "string" && /^\s*[[{"]/.test(schema) ? (JSON.parse(schema) as AvroSchema) : schema;
    this.type = avro.Type.forSchema(hostData(this.schema) as avro.Schema, { omitRecordMethods: true });
    this.hasMap = mentions(this.schema, "map");
    this.hasRecord = mentions(this.schema, "record") || mentions(this.schema, "error");
  }

  static of<T = unknown>(schema: AvroSchema): AvroCoder<T> {
    return new AvroCoder<T>(schema);
  }

  encode(value: T, out: ByteWriter): void {
    let buf: Uint8Array;
    try {
      buf = this.type.toBuffer(value);
    } catch (e) {
      throw new TypeError(`${this.toString()} cannot encode ${describe(value)}: ${this.whyInvalid(value) ?? (e as Error).message}`);
    }
    out.varUint(buf.length);
    out.bytes(buf);
  }

  decode(input: ByteReader): T {
    const n = input.varUint("the length of an Avro record");
    const bytes = input.bytes(n, `a ${n}-byte Avro value`);
    let value: unknown;
    try {
      value = this.type.fromBuffer(hostBuffer(bytes));
    } catch (e) {
      throw new RangeError(`${this.toString()}: bad Avro data at offset ${input.pos - n}: ${(e as Error).message}`);
    }
    return (this.hasRecord ? plainAvroValue(value) : value) as T;
  }

  override isDeterministic(): boolean {
    return !this.hasMap;
  }

  override nonDeterminismReason(): string | undefined {
    return this.hasMap ? `${this.toString()} is not deterministic: its schema has a map, whose entries Avro writes in insertion order` : undefined;
  }

  override payload(): unknown {
    return this.schema;
  }

  override toString(): string {
    const name = this.type.name ?? this.type.typeName;
    return `AvroCoder(${name})`;
  }

  private whyInvalid(value: unknown): string | undefined {
    const problems: string[] = [];
    this.type.isValid(value, {
      errorHook: (path, val, type) => {
        if (problems.length < 3) problems.push(`${path.length ? path.join(".") : "the value"} is ${describe(val)}, not a valid ${type.name ?? type.typeName}`);
      },
    });
    return problems.length ? problems.join("; ") : undefined;
  }
}

/** True if the schema JSON has `"type": <typeName>` anywhere (or the bare name). */
function mentions(schema: unknown, typeName: string): boolean {
  if (schema === typeName) return true;
  if (Array.isArray(schema)) return schema.some((s) => mentions(s, typeName));
  if (schema !== null && typeof schema === "object") {
    const o = schema as Record<string, unknown>;
    if (o.type === typeName) return true;
    return Object.values(o).some((v) => typeof v === "object" && v !== null && mentions(v, typeName));
  }
  return false;
}

/** avsc decodes records as instances of a generated class; make them plain objects. */
export function plainAvroValue(value: unknown): unknown {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = plainAvroValue(value[i]);
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    // A map (or an already plain record): convert values in place.
    for (const k of Object.keys(value)) (value as Record<string, unknown>)[k] = plainAvroValue((value as Record<string, unknown>)[k]);
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = plainAvroValue((value as Record<string, unknown>)[k]);
    if (k === "__proto__") Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

registerCoder(AvroCoder.URN, (_components, payload) => {
  if (payload === undefined) throw new Error(`${AvroCoder.URN} needs the Avro schema as its payload`);
  return new AvroCoder(payload as AvroSchema);
});
