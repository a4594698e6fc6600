/**
 * Any value as a short one-line string, for a table cell: `{a: 1, b: [2, 3]}`, cut with
 * "…" past a length. Realm-agnostic (the values may be a sandbox's own objects): kinds are
 * told by Object.prototype.toString's tag and Array.isArray, never by instanceof.
 */

const STOP = Symbol("compact: long enough");
const MAX_DEPTH = 3;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The value's built-in kind: "Object", "Array", "Date", "Map", "Uint8Array", … */
export function kindOf(v: unknown): string {
  return Object.prototype.toString.call(v).slice(8, -1);
}

/** A plain record: an object shown field by field (not an array, Date, Map, bytes, …). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && kindOf(v) === "Object";
}

/** Control characters as escapes, so a cell never spans two lines. */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case "\n": return "\\n";
      case "\r": return "\\r";
      case "\t": return "\\t";
      default: return "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");
    }
  });
}

/**
 * `v` in at most `maxChars` characters. A string at the top is shown as it is (a cell's
 * text); strings inside containers are quoted.
 */
export function compactValue(v: unknown, maxChars = 60): string {
  if (typeof v === "string") return cut(oneLine(v), maxChars);
  if (typeof v === "number" || typeof v === "boolean") return cut(Object.is(v, -0) ? "-0" : String(v), maxChars);
  let out = "";
  const push = (s: string): void => {
    out += s;
    if (out.length > maxChars) throw STOP;
  };
  try {
    write(v, push, 0, []);
  } catch (e) {
    if (e !== STOP) throw e;
  }
  return cut(out, maxChars);
}

function cut(s: string, maxChars: number): string {
  return s.length > maxChars ? s.slice(0, Math.max(0, maxChars - 1)) + "…" : s;
}

function write(v: unknown, push: (s: string) => void, depth: number, seen: object[]): void {
  switch (typeof v) {
    case "string": return push(JSON.stringify(v));
    case "number": return push(Object.is(v, -0) ? "-0" : String(v));
    case "bigint": return push(`${v}n`);
    case "boolean":
    case "undefined": return push(String(v));
    case "symbol": return push(v.toString());
    case "function": return push(v.name ? `[Function ${v.name}]` : "[Function]");
  }
  if (v === null) return push("null");
  const o = v as object;
  if (seen.includes(o)) return push("[Circular]");
  const kind = kindOf(o);
  if (kind === "Date") {
    const t = (o as Date).getTime();
    return push(Number.isNaN(t) ? "Invalid Date" : (o as Date).toISOString());
  }
  if (kind === "RegExp") return push(String(o));
  if (kind === "Error") {
    const e = o as Error;
    return push(`${e.name}: ${e.message}`);
  }
  if (kind === "Uint8Array" || kind === "ArrayBuffer") {
    const bytes = kind === "ArrayBuffer" ? new Uint8Array(o as ArrayBuffer) : (o as Uint8Array);
    push(`<${bytes.length} bytes`);
    for (let i = 0; i < bytes.length; i++) push(" " + bytes[i]!.toString(16).padStart(2, "0"));
    return push(">");
  }
  const open = depth >= MAX_DEPTH;
  seen.push(o);
  try {
    if (Array.isArray(o) || /^(Int|Uint|Float|BigInt|BigUint)\d+(Clamped)?Array$/.test(kind)) {
      if (open) return push("[…]");
      push("[");
      const arr = o as ArrayLike<unknown>;
      for (let i = 0; i < arr.length; i++) {
        if (i) push(", ");
        write(arr[i], push, depth + 1, seen);
      }
      return push("]");
    }
    if (kind === "Map") {
      const m = o as Map<unknown, unknown>;
      if (open) return push(`Map(${m.size}) {…}`);
      push(`Map(${m.size}) {`);
      let i = 0;
      for (const [k, x] of m) {
        if (i++) push(", ");
        write(k, push, depth + 1, seen);
        push(" => ");
        write(x, push, depth + 1, seen);
      }
      return push("}");
    }
    if (kind === "Set") {
      const s = o as Set<unknown>;
      if (open) return push(`Set(${s.size}) {…}`);
      push(`Set(${s.size}) {`);
      let i = 0;
      for (const x of s) {
        if (i++) push(", ");
        write(x, push, depth + 1, seen);
      }
      return push("}");
    }
    const ctor = (o as { constructor?: { name?: unknown } }).constructor?.name;
    const prefix = typeof ctor === "string" && ctor && ctor !== "Object" ? ctor + " " : "";
    if (open) return push(prefix + "{…}");
    push(prefix + "{");
    let i = 0;
    for (const k of Object.keys(o)) {
      if (i++) push(", ");
      push(IDENTIFIER.test(k) ? k : JSON.stringify(k));
      push(": ");
      write((o as Record<string, unknown>)[k], push, depth + 1, seen);
    }
    return push("}");
  } finally {
    seen.pop();
  }
}

/**
 * `v` as a JSON value (what a JSON mime type may carry): Dates as ISO strings, bigints
 * as numbers when exact else strings, Maps as objects or entry lists, Sets and typed
 * arrays as arrays, bytes as hex, undefined and non-finite numbers as null, cycles cut.
 */
export function toJsonValue(v: unknown, seen: object[] = []): unknown {
  switch (typeof v) {
    case "string":
    case "boolean": return v;
    case "number": return Number.isFinite(v) ? v : null;
    case "bigint": return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
    case "undefined": return null;
    case "symbol":
    case "function": return compactValue(v);
  }
  if (v === null) return null;
  const o = v as object;
  if (seen.includes(o)) return "[Circular]";
  const kind = kindOf(o);
  if (kind === "Date") {
    const t = (o as Date).getTime();
    return Number.isNaN(t) ? null : (o as Date).toISOString();
  }
  if (kind === "Uint8Array" || kind === "ArrayBuffer" || kind === "RegExp" || kind === "Error") return compactValue(o, 10_000);
  seen.push(o);
  try {
    if (Array.isArray(o) || /Array$/.test(kind)) return Array.from(o as ArrayLike<unknown>, (x) => toJsonValue(x, seen));
    if (kind === "Set") return Array.from(o as Set<unknown>, (x) => toJsonValue(x, seen));
    if (kind === "Map") {
      const entries = Array.from(o as Map<unknown, unknown>);
      return entries.every(([k]) => typeof k === "string")
        ? Object.fromEntries(entries.map(([k, x]) => [k, toJsonValue(x, seen)]))
        : entries.map(([k, x]) => [toJsonValue(k, seen), toJsonValue(x, seen)]);
    }
    const json = (o as { toJSON?: unknown }).toJSON;
    if (typeof json === "function") return toJsonValue(json.call(o), seen);
    const rec: Record<string, unknown> = {};
    for (const k of Object.keys(o)) rec[k] = toJsonValue((o as Record<string, unknown>)[k], seen);
    return rec;
  } finally {
    seen.pop();
  }
}
