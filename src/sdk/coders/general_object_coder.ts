import { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { describe } from "./describe.js";
import { BYTES_MARKER, structuralPart, wellFormed } from "./structural.js";

/** The type-tag byte that starts every value GeneralObjectCoder writes. */
export const GeneralTag = {
  NULL: 0x00,
  UNDEFINED: 0x01,
  FALSE: 0x02,
  TRUE: 0x03,
  /** A safe integer ≥ 0: unsigned LEB128. */
  NON_NEGATIVE_INT: 0x04,
  /** A safe integer < 0: unsigned LEB128 of its magnitude. */
  NEGATIVE_INT: 0x05,
  /** Any other number: 8-byte big-endian IEEE double (NaN as 7ff8000000000000). */
  DOUBLE: 0x06,
  /** A bigint ≥ 0: varint byte count, then the magnitude big-endian, no leading zero bytes. */
  NON_NEGATIVE_BIGINT: 0x07,
  /** A bigint < 0: as NON_NEGATIVE_BIGINT, of its magnitude. */
  NEGATIVE_BIGINT: 0x08,
  /** varint byte length, then UTF-8. */
  STRING: 0x09,
  /** A Uint8Array (Buffer too): varint length, then the bytes. */
  BYTES: 0x0a,
  /** A Date: its getTime() as an 8-byte big-endian double. */
  DATE: 0x0b,
  /** varint count, then each element (holes as undefined). */
  ARRAY: 0x0c,
  /** An object with exactly the fields key and value: the key, then the value. */
  KV: 0x0d,
  /** A plain object: varint count, then (varint length + UTF-8 name, value) sorted by name. */
  OBJECT: 0x0e,
  /** varint count, then (key, value) entries sorted by their encoded bytes. */
  MAP: 0x0f,
  /** varint count, then elements sorted by their encoded bytes. */
  SET: 0x10,
} as const;

const T = GeneralTag;
const MAX_DEPTH = 1000;

/** A value GeneralObjectCoder refuses; `value` is the offending part, found later by path. */
class Unencodable extends Error {
  constructor(readonly offending: unknown, readonly reason: string) {
    super(reason);
  }
}

/**
 * flowbook's GeneralObjectCoder (`flowbook:coder:general:v1`): the default for elements
 * whose type is not known. A type-tag byte (see {@link GeneralTag}), then the value:
 * null, undefined, booleans, numbers (safe integers as varints, others as doubles),
 * bigints, strings, Uint8Arrays, Dates, arrays, KVs, plain objects, Maps and Sets,
 * nested freely. `"a"` → `09 01 61`; `1` → `04 01`; `{b: 1, a: true}` →
 * `0e 02 01 61 03 01 62 04 01`.
 *
 * Deterministic: object fields are written sorted by name (UTF-16 order, as Java's
 * String.compareTo), Map entries and Set elements sorted by their encoded bytes, -0 is
 * written as 0 and every NaN alike. Class instances, functions and symbols are refused:
 * give such a PCollection a coder with `.setCoder(...)`.
 */
export class GeneralObjectCoder extends Coder<unknown> {
  static readonly URN = "flowbook:coder:general:v1";
  static readonly INSTANCE = new GeneralObjectCoder();
  readonly urn = GeneralObjectCoder.URN;

  static of(): GeneralObjectCoder {
    return GeneralObjectCoder.INSTANCE;
  }

  encode(value: unknown, out: ByteWriter): void {
    try {
      encodeValue(value, out, 0);
    } catch (e) {
      if (e instanceof Unencodable) {
        const path = findPath(value, e.offending, "element", 0);
        throw new TypeError(
          `GeneralObjectCoder cannot encode ${path ?? "the element"}: ${e.reason}. ` +
            `By default flowbook encodes plain data only (null, undefined, booleans, numbers, bigints, strings, ` +
            `Uint8Arrays, Dates, arrays, plain objects, Maps, Sets). Give the PCollection a coder with ` +
            `.setCoder(...) (for example JsonCoder.of(), AvroCoder.of(schema) or your own Coder), or turn the value into plain data first.`,
        );
      }
      throw e;
    }
  }

  decode(input: ByteReader): unknown {
    return decodeValue(input, 0);
  }

  /**
   * Primitives stand for themselves (strings as they encode, with lone surrogates as
   * U+FFFD); anything else (and NaN) is a marker plus its encoded bytes.
   */
  override structuralValue(value: unknown): unknown {
    switch (typeof value) {
      case "string":
        return wellFormed(value);
      case "number":
        return value === value ? value + 0 : BYTES_MARKER + "NaN";
      case "boolean":
      case "bigint":
      case "undefined":
        return value;
      default:
        if (value === null) return null;
        if (isPlainKV(value)) {
          // KV bytes are 0d + key + value, so equal parts ⇔ equal bytes; "K" is no tag byte.
          return BYTES_MARKER + "K" + structuralPart(this.structuralValue(value.key)) + structuralPart(this.structuralValue(value.value));
        }
        return BYTES_MARKER + (super.structuralValue(value) as string);
    }
  }
}

/** A plain object with exactly the fields key and value: what the KV tag encodes. */
function isPlainKV(v: unknown): v is { key: unknown; value: unknown } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && ((keys[0] === "key" && keys[1] === "value") || (keys[0] === "value" && keys[1] === "key"));
}

function encodeValue(v: unknown, out: ByteWriter, depth: number): void {
  switch (typeof v) {
    case "string":
      out.byte(T.STRING);
      out.lengthPrefixedUtf8(v);
      return;
    case "number":
      if (Number.isSafeInteger(v)) {
        if (v >= 0) {
          out.byte(T.NON_NEGATIVE_INT);
          out.varUint(v); // -0 lands here and writes 0
        } else {
          out.byte(T.NEGATIVE_INT);
          out.varUint(-v);
        }
      } else {
        out.byte(T.DOUBLE);
        out.float64BE(v === v ? v : NaN);
      }
      return;
    case "boolean":
      out.byte(v ? T.TRUE : T.FALSE);
      return;
    case "undefined":
      out.byte(T.UNDEFINED);
      return;
    case "bigint":
      writeBigint(v, out);
      return;
    case "object":
      if (v === null) {
        out.byte(T.NULL);
        return;
      }
      if (depth >= MAX_DEPTH) throw new Unencodable(v, `it is nested more than ${MAX_DEPTH} levels deep (does it contain a cycle?)`);
      encodeObject(v, out, depth + 1);
      return;
    case "function":
      throw new Unencodable(v, `it is ${describe(v)}`);
    case "symbol":
      throw new Unencodable(v, `it is ${describe(v)}`);
  }
}

function encodeObject(v: object, out: ByteWriter, depth: number): void {
  if (Array.isArray(v)) {
    const n = v.length;
    out.byte(T.ARRAY);
    out.varUint(n);
    for (let i = 0; i < n; i++) encodeValue(v[i], out, depth);
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 2 && ((keys[0] === "key" && keys[1] === "value") || (keys[0] === "value" && keys[1] === "key"))) {
      // Keep in step with isPlainKV (structuralValue relies on the same test).
      out.byte(T.KV);
      encodeValue(o.key, out, depth);
      encodeValue(o.value, out, depth);
      return;
    }
    keys.sort();
    out.byte(T.OBJECT);
    out.varUint(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      out.lengthPrefixedUtf8(k);
      encodeValue(o[k], out, depth);
    }
    return;
  }
  if (v instanceof Uint8Array) {
    out.byte(T.BYTES);
    out.varUint(v.length);
    out.bytes(v);
    return;
  }
  if (v instanceof Date) {
    const t = v.getTime();
    out.byte(T.DATE);
    out.float64BE(t === t ? t : NaN);
    return;
  }
  if (v instanceof Map) {
    const entries: Uint8Array[] = [];
    const w = new ByteWriter(64);
    for (const [key, value] of v) {
      w.reset();
      encodeValue(key, w, depth);
      encodeValue(value, w, depth);
      entries.push(w.toBytes());
    }
    writeSorted(T.MAP, entries, out);
    return;
  }
  if (v instanceof Set) {
    const items: Uint8Array[] = [];
    const w = new ByteWriter(64);
    for (const item of v) {
      w.reset();
      encodeValue(item, w, depth);
      items.push(w.toBytes());
    }
    writeSorted(T.SET, items, out);
    return;
  }
  throw new Unencodable(v, `it is ${describe(v)}, a class instance`);
}

function writeSorted(tag: number, parts: Uint8Array[], out: ByteWriter): void {
  parts.sort(compareBytes);
  out.byte(tag);
  out.varUint(parts.length);
  for (const p of parts) out.bytes(p);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function writeBigint(v: bigint, out: ByteWriter): void {
  const negative = v < 0n;
  let hex = (negative ? -v : v).toString(16);
  if (hex === "0") hex = "";
  if (hex.length & 1) hex = "0" + hex;
  const n = hex.length >> 1;
  out.byte(negative ? T.NEGATIVE_BIGINT : T.NON_NEGATIVE_BIGINT);
  out.varUint(n);
  for (let i = 0; i < n; i++) out.byte(parseInt(hex.substr(i * 2, 2), 16));
}

function readBigint(input: ByteReader, negative: boolean): bigint {
  const n = input.varUint("the length of a bigint");
  const bytes = input.bytes(n, `a ${n}-byte bigint`);
  let r = 0n;
  for (let i = 0; i < n; i++) r = (r << 8n) | BigInt(bytes[i]!);
  return negative ? -r : r;
}

function decodeValue(input: ByteReader, depth: number): unknown {
  const tag = input.byte("a type tag (GeneralObjectCoder)");
  switch (tag) {
    case T.NULL:
      return null;
    case T.UNDEFINED:
      return undefined;
    case T.FALSE:
      return false;
    case T.TRUE:
      return true;
    case T.NON_NEGATIVE_INT:
      return input.varUint("an integer");
    case T.NEGATIVE_INT:
      return -input.varUint("an integer");
    case T.DOUBLE:
      return input.float64BE("a double");
    case T.NON_NEGATIVE_BIGINT:
      return readBigint(input, false);
    case T.NEGATIVE_BIGINT:
      return readBigint(input, true);
    case T.STRING: {
      const n = input.varUint("the length of a string");
      return input.utf8(n, `a ${n}-byte UTF-8 string`);
    }
    case T.BYTES: {
      const n = input.varUint("the length of a byte array");
      return input.bytes(n, `a ${n}-byte array`).slice();
    }
    case T.DATE:
      return new Date(input.float64BE("a Date"));
  }
  if (depth >= MAX_DEPTH) throw new RangeError(`GeneralObjectCoder: input nested more than ${MAX_DEPTH} levels deep at offset ${input.pos}`);
  const d = depth + 1;
  switch (tag) {
    case T.ARRAY: {
      const n = input.varUint("the length of an array");
      const a: unknown[] = [];
      for (let i = 0; i < n; i++) a.push(decodeValue(input, d));
      return a;
    }
    case T.KV: {
      const key = decodeValue(input, d);
      const value = decodeValue(input, d);
      return { key, value };
    }
    case T.OBJECT: {
      const n = input.varUint("the field count of an object");
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const len = input.varUint("the length of a field name");
        const k = input.utf8(len, `a ${len}-byte field name`);
        const v = decodeValue(input, d);
        if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
        else o[k] = v;
      }
      return o;
    }
    case T.MAP: {
      const n = input.varUint("the size of a Map");
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const k = decodeValue(input, d);
        m.set(k, decodeValue(input, d));
      }
      return m;
    }
    case T.SET: {
      const n = input.varUint("the size of a Set");
      const s = new Set<unknown>();
      for (let i = 0; i < n; i++) s.add(decodeValue(input, d));
      return s;
    }
  }
  throw new RangeError(`GeneralObjectCoder: unknown type tag 0x${tag.toString(16).padStart(2, "0")} at offset ${input.pos - 1}`);
}

/** Where `target` sits inside `value`, as a JS-like path (`element.users[2].address`). */
function findPath(value: unknown, target: unknown, path: string, depth: number): string | undefined {
  if (value === target) return path;
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findPath(value[i], target, `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (value instanceof Map) {
    let i = 0;
    for (const [k, v] of value) {
      const p = findPath(k, target, `${path} (Map key #${i})`, depth + 1) ?? findPath(v, target, `${path}.get(${typeof k === "string" ? JSON.stringify(k) : `#${i}`})`, depth + 1);
      if (p) return p;
      i++;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const v of value) {
      const p = findPath(v, target, `${path} (Set element #${i++})`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  for (const k of Object.keys(value)) {
    const seg = /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
    const p = findPath((value as Record<string, unknown>)[k], target, path + seg, depth + 1);
    if (p) return p;
  }
  return undefined;
}

registerCoder(GeneralObjectCoder.URN, () => GeneralObjectCoder.INSTANCE);
