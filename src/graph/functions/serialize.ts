/**
 * User functions travel by value: {@link serializeValue} turns a value — a DoFn instance,
 * a lambda, a CombineFn literal, and everything they capture — into pure JSON, and
 * {@link rebuildValue} makes it live again in a runner or worker: functions are evaluated
 * again from their source text, inside a scope that binds their captured variables to
 * the rebuilt captured values, at the file, line and column they were written at (so
 * stack traces point at the user's code).
 *
 * What a function captures comes from the instrumenter's metadata (see meta.ts); a
 * function without metadata may still travel if it uses nothing but globals and known
 * names. Library objects travel by name (known_objects.ts), imported modules by module
 * specifier. What cannot travel (sockets, streams, open files, promises, ...) is refused
 * with a {@link SerializationError} naming the variable and the transform.
 */
import { createRequire, isBuiltin } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import { bytesToBase64, functionSource, isSandboxModule, types } from "../realm.js";
import { analyzeFunctionSource, type FunctionForm } from "../instrument/free_variables.js";
import { SerializationError, type SerializeWhere } from "./errors.js";
import { isBuiltinKnown, knownName, knownObject } from "./known_objects.js";
import { FN_META, __fb_fn, __fb_mod, __fb_obj, functionMeta, locationOf, moduleRefOf, type FunctionMeta } from "./meta.js";

export { SerializationError, type SerializeWhere } from "./errors.js";

export const VALUE_FORMAT = "flowbook.value/v1";

/** A value in serialized form: pure JSON. Objects live in `objects`, referenced by index. */
export interface SerializedValue {
  format: typeof VALUE_FORMAT;
  root: Encoded;
  /** Every object, array, function, ... reachable from `root`, each once. */
  objects?: SerializedNode[];
}

/** JSON primitives stand for themselves; everything else is tagged with `$`. */
export type Encoded = null | boolean | number | string | EncodedSpecial;

export type EncodedSpecial =
  | { $: "undefined" }
  | { $: "number"; value: "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { $: "bigint"; value: string }
  /** A symbol from the global registry (`Symbol.for(key)`). */
  | { $: "symbol"; for: string }
  /** `objects[id]`: rebuilt once, however often it is referenced (shared references, cycles). */
  | { $: "ref"; id: number }
  /** A library object registered by name (known_objects.ts). */
  | { $: "known"; name: string }
  /** An export of a module, rebuilt by `(await import(specifier))[export]`; `*` is the namespace. */
  | { $: "module"; specifier: string; export: string; from?: string }
  /** A hole in a sparse array. */
  | { $: "hole" };

/** A property: `[key, value]`; a symbol key is an Encoded symbol. */
export type PropEntry = [key: string | Encoded, value: Encoded];
/** An accessor property: `[key, getter, setter]` (undefined ones as `{ $: "undefined" }`). */
export type AccessorEntry = [key: string | Encoded, get: Encoded, set: Encoded];

export type Integrity = "frozen" | "sealed" | "nonextensible";

export type SerializedNode =
  | { type: "array"; items: Encoded[]; props?: PropEntry[]; proto?: Encoded }
  | {
      type: "object";
      /** Absent: `Object.prototype`. `null`: no prototype. */
      proto?: Encoded;
      props: PropEntry[];
      accessors?: AccessorEntry[];
      integrity?: Integrity;
    }
  /** The `.prototype` object of a (rebuilt or known) function: what class instances point at. */
  | { type: "prototype"; of: Encoded }
  | { type: "map"; entries: Array<[Encoded, Encoded]>; proto?: Encoded }
  | { type: "set"; values: Encoded[]; proto?: Encoded }
  | { type: "date"; time: number | null }
  | { type: "regexp"; source: string; flags: string; lastIndex?: number }
  /** ArrayBuffer, DataView, Buffer or a typed array (a copy of the viewed bytes). */
  | { type: "bytes"; class: string; base64: string }
  | { type: "error"; proto?: Encoded; message: string; stack?: string; props: PropEntry[] }
  | { type: "boxed"; value: Encoded }
  /** A unique (unregistered) symbol. */
  | { type: "symbol"; description?: string }
  /** A built-in with internal state, rebuilt as `new (known class)(...args)` (URL, TextDecoder, ...). */
  | { type: "construct"; class: string; args: Encoded[] }
  | SerializedFunction;

export interface SerializedFunction {
  type: "function";
  /** How `source` is evaluated: `(source)`, `({ source })` (a method), or a class expression. */
  form: FunctionForm;
  /** The function's `toString()`. */
  source: string;
  name: string;
  /** The function was sloppy-mode code (rebuilt without "use strict"). */
  sloppy?: true;
  /** Where `source` starts in the user's file: 1-based line and column. */
  file?: string;
  line?: number;
  column?: number;
  /** Captured variables: bound around the function when it is rebuilt. */
  captures: Array<[name: string, value: Encoded]>;
  /** An arrow function's lexical `this`. */
  this?: Encoded;
  /** The metadata's import table (JSON), kept so a rebuilt function serializes the same way. */
  imports?: string;
  /** Own enumerable properties (static fields of a class). */
  props?: PropEntry[];
  accessors?: AccessorEntry[];
  /** Own enumerable properties of `fn.prototype` (methods assigned to a constructor function). */
  protoProps?: PropEntry[];
  /** The prototype of `fn.prototype`, if not the default (old-style inheritance). */
  protoProto?: Encoded;
}

// ---------------------------------------------------------------------------------------
// Serialization
// ---------------------------------------------------------------------------------------

type ImportInfo = [specifier: string, exportName: string, from?: string];

interface Step {
  text: string;
  capture?: { name: string; fn: string; at?: string };
}

const fnToString = Function.prototype.toString;
const NATIVE_RE = /\{\s*\[native code\]\s*\}\s*$/;
const IDENT_RE = /^[A-Za-z_$][\w$]*$/;
const NOT_INSTRUMENTED_HINT =
  "The function was not instrumented, so the values it captures are unknown: define it in code run through " +
  "`flowbook run`, a notebook cell, or `node --import flowbook/register` (or the flowbookCaptures() Vite plugin in tests), " +
  "or pass the value in explicitly.";

/**
 * Serializes a value and everything it references. `where` names the transform and the
 * variable for error messages. Throws {@link SerializationError} for what cannot travel.
 */
export function serializeValue(value: unknown, where: SerializeWhere = {}): SerializedValue {
  const s = new Serializer(where);
  const root = s.encode(value);
  const out: SerializedValue = { format: VALUE_FORMAT, root };
  if (s.objects.length) out.objects = s.objects as SerializedNode[];
  return out;
}

const importsCache = new Map<string, Record<string, ImportInfo>>();
function parseImports(json: string | undefined): Record<string, ImportInfo> | undefined {
  if (!json) return undefined;
  let v = importsCache.get(json);
  if (!v) {
    try {
      v = JSON.parse(json) as Record<string, ImportInfo>;
    } catch {
      v = {};
    }
    importsCache.set(json, v);
  }
  return v;
}

function propText(key: string | symbol): string {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  return IDENT_RE.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function shortValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 30 ? v.slice(0, 30) + "…" : v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" || v == null) return String(v);
  return "…";
}

function fnLabel(fn: Function, source?: string): string {
  const name = typeof fn.name === "string" && fn.name ? fn.name : "an anonymous function";
  return source && source.startsWith("class") && fn.name ? `class ${name}` : name;
}

function isObjectPrototype(p: object): boolean {
  if (p === Object.prototype) return true;
  if (Object.getPrototypeOf(p) !== null) return false;
  const c = Object.getOwnPropertyDescriptor(p, "constructor")?.value;
  return typeof c === "function" && c.name === "Object" && NATIVE_RE.test(fnToString.call(c));
}

function isBuiltinPrototype(p: object | null, name: string): boolean {
  if (p === null) return false;
  if (p === (globalThis as unknown as Record<string, { prototype: unknown }>)[name]?.prototype) return true;
  const c = Object.getOwnPropertyDescriptor(p, "constructor")?.value;
  return typeof c === "function" && c.name === name && c.prototype === p && NATIVE_RE.test(fnToString.call(c));
}

let nodeClasses: Array<[Function, string]> | undefined;
function nodeClassTable(): Array<[Function, string]> {
  if (nodeClasses) return nodeClasses;
  const req = createRequire(import.meta.url);
  const table: Array<[string, string, string]> = [
    ["node:tls", "TLSSocket", "tls.TLSSocket"],
    ["node:net", "Socket", "net.Socket"],
    ["node:net", "Server", "net.Server"],
    ["node:http", "Server", "http.Server"],
    ["node:http", "IncomingMessage", "http.IncomingMessage"],
    ["node:http", "ServerResponse", "http.ServerResponse"],
    ["node:http", "ClientRequest", "http.ClientRequest"],
    ["node:http", "Agent", "http.Agent"],
    ["node:fs", "ReadStream", "fs.ReadStream"],
    ["node:fs", "WriteStream", "fs.WriteStream"],
    ["node:fs", "FSWatcher", "fs.FSWatcher"],
    ["node:fs", "Dir", "open directory (fs.Dir)"],
    ["node:child_process", "ChildProcess", "child_process.ChildProcess"],
    ["node:worker_threads", "Worker", "worker_threads.Worker"],
    ["node:worker_threads", "MessagePort", "worker_threads.MessagePort"],
    ["node:worker_threads", "BroadcastChannel", "worker_threads.BroadcastChannel"],
    ["node:dgram", "Socket", "dgram.Socket"],
    ["node:readline", "Interface", "readline.Interface"],
    ["node:stream", "Duplex", "stream.Duplex"],
    ["node:stream", "Readable", "stream.Readable"],
    ["node:stream", "Writable", "stream.Writable"],
    ["node:stream", "Stream", "stream.Stream"],
    ["node:events", "EventEmitter", "EventEmitter"],
  ];
  nodeClasses = [];
  for (const [mod, exp, label] of table) {
    try {
      const c = (req(mod) as Record<string, unknown>)[exp];
      if (typeof c === "function") nodeClasses.push([c, label]);
    } catch {
      // not available in this runtime
    }
  }
  if (typeof EventTarget === "function") nodeClasses.push([EventTarget, "EventTarget"]);
  return nodeClasses;
}

function article(s: string): string {
  return /^[aeiouAEIOU]/.test(s) ? `an ${s}` : `a ${s}`;
}

/** Why an object cannot travel, or undefined if it may. */
function unserializableReason(v: object): { what: string; hint?: string } | undefined {
  const t = types;
  if (t.isPromise(v)) return { what: "a Promise", hint: "Await it before building the pipeline and capture the result." };
  if (t.isProxy(v)) return { what: "a Proxy" };
  if (t.isWeakMap(v)) return { what: "a WeakMap" };
  if (t.isWeakSet(v)) return { what: "a WeakSet" };
  if (typeof WeakRef === "function" && v instanceof WeakRef) return { what: "a WeakRef" };
  if (typeof FinalizationRegistry === "function" && v instanceof FinalizationRegistry) return { what: "a FinalizationRegistry" };
  if (t.isGeneratorObject(v)) return { what: "a generator object (an iteration in progress)" };
  if (t.isMapIterator(v) || t.isSetIterator(v)) return { what: "an iterator (an iteration in progress)" };
  if (t.isExternal(v)) return { what: "a native handle" };
  if (t.isSharedArrayBuffer(v)) return { what: "a SharedArrayBuffer" };
  if (t.isKeyObject(v) || t.isCryptoKey(v)) return { what: "a crypto key object" };
  if (t.isModuleNamespaceObject(v)) return { what: "a module namespace object", hint: "Import the module in the code that defines the function." };
  const ctor = (() => {
    try {
      const p = Object.getPrototypeOf(v);
      return p ? Object.getOwnPropertyDescriptor(p, "constructor")?.value : undefined;
    } catch {
      return undefined;
    }
  })();
  const ctorName = typeof ctor === "function" ? String(ctor.name) : "";
  if (ctorName === "FileHandle" && typeof (v as { close?: unknown }).close === "function") {
    return { what: "an open file handle (fs.promises.FileHandle)", hint: "Open the file inside the function (e.g. in setup()) instead of capturing the handle." };
  }
  if (ctorName === "Timeout" || ctorName === "Immediate") return { what: `a timer (${ctorName})` };
  for (const [c, label] of nodeClassTable()) {
    if (v instanceof c) {
      const what = label === "EventEmitter" || label === "EventTarget"
        ? `${article(label)}${ctorName && ctorName !== label ? ` (${ctorName})` : ""}`
        : article(label);
      return {
        what,
        hint: "Open connections, streams and handles belong to one process: create them inside the function (e.g. in a DoFn's setup()) instead.",
      };
    }
  }
  return undefined;
}

class Serializer {
  readonly objects: Array<SerializedNode | undefined> = [];
  private readonly ids = new Map<unknown, number>();
  private readonly steps: Step[] = [];

  constructor(private readonly where: SerializeWhere) {}

  private fail(what: string, hint?: string, body?: string): never {
    const root = this.where.variable ?? "value";
    let full = root;
    let local = root;
    let capture: Step["capture"];
    for (const s of this.steps) {
      if (s.capture) {
        full += ` → captured '${s.capture.name}' of ${s.capture.fn}`;
        local = s.capture.name;
        capture = s.capture;
      } else {
        full += s.text;
        local += s.text;
      }
    }
    const details = {
      where: this.where,
      variable: capture?.name,
      capturedBy: capture?.fn,
      capturedAt: capture?.at,
      path: local,
      fullPath: full,
      what,
      hint,
      ...(body !== undefined ? { body } : {}),
    };
    throw new SerializationError(SerializationError.describe(details), details);
  }

  private within<T>(step: Step, f: () => T): T {
    this.steps.push(step);
    try {
      return f();
    } finally {
      this.steps.pop();
    }
  }

  encode(v: unknown, importInfo?: ImportInfo): Encoded {
    // The user's own modules a session evaluated in its sandbox are like cells: what they
    // export travels by value, so a worker needs no access to their files.
    if (importInfo && isSandboxModule(importInfo[0])) importInfo = undefined;
    if (importInfo && isPrimitive(v)) return moduleEncoding(importInfo);
    switch (typeof v) {
      case "undefined":
        return { $: "undefined" };
      case "boolean":
      case "string":
        return v;
      case "number":
        if (Number.isNaN(v)) return { $: "number", value: "NaN" };
        if (v === Infinity) return { $: "number", value: "Infinity" };
        if (v === -Infinity) return { $: "number", value: "-Infinity" };
        if (Object.is(v, -0)) return { $: "number", value: "-0" };
        return v;
      case "bigint":
        return { $: "bigint", value: v.toString() };
      case "symbol": {
        const k = knownName(v);
        if (k !== undefined) return { $: "known", name: k };
        const key = Symbol.keyFor(v);
        if (key !== undefined) return { $: "symbol", for: key };
        return this.node(v, () => {
          const d = v.description;
          return d === undefined ? { type: "symbol" } : { type: "symbol", description: d };
        });
      }
    }
    if (v === null) return null;
    const obj = v as object;
    const seen = this.ids.get(obj);
    if (seen !== undefined) return { $: "ref", id: seen };
    const k = knownName(obj);
    if (k !== undefined) return { $: "known", name: k };
    if (importInfo) return moduleEncoding(importInfo);
    if (typeof obj === "function") {
      const builtin = crossRealmBuiltin(obj as Function);
      if (builtin !== undefined) return { $: "known", name: builtin };
      if (!functionMeta(obj)) {
        const ref = moduleRefOf(obj);
        if (ref) {
          return ref.from === undefined
            ? { $: "module", specifier: ref.specifier, export: ref.exportName }
            : { $: "module", specifier: ref.specifier, export: ref.exportName, from: ref.from };
        }
      }
      return this.node(obj, () => this.serializeFunction(obj as Function));
    }
    if (types.isModuleNamespaceObject(obj)) {
      const ref = moduleRefOf(obj);
      if (ref) return { $: "module", specifier: ref.specifier, export: "*", ...(ref.from !== undefined ? { from: ref.from } : {}) };
    }
    return this.node(obj, () => this.serializeObject(obj));
  }

  private node(key: unknown, make: () => SerializedNode): Encoded {
    const id = this.objects.length;
    this.objects.push(undefined);
    this.ids.set(key, id);
    this.objects[id] = make();
    return { $: "ref", id };
  }

  private props(obj: object, skip?: ReadonlySet<string | symbol>): { props: PropEntry[]; accessors: AccessorEntry[] } {
    const props: PropEntry[] = [];
    const accessors: AccessorEntry[] = [];
    for (const key of Reflect.ownKeys(obj)) {
      if (key === FN_META || skip?.has(key)) continue;
      const d = Object.getOwnPropertyDescriptor(obj, key);
      if (!d || !d.enumerable) continue;
      const k: string | Encoded = typeof key === "string" ? key : this.encode(key);
      if ("value" in d) {
        props.push([k, this.within({ text: propText(key) }, () => this.encode(d.value))]);
      } else {
        const g = this.within({ text: `${propText(key)} (getter)` }, () => this.encode(d.get));
        const s = this.within({ text: `${propText(key)} (setter)` }, () => this.encode(d.set));
        accessors.push([k, g, s]);
      }
    }
    return { props, accessors };
  }

  /** The prototype of an object, or undefined for `Object.prototype`. */
  private encodeProto(p: object | null): Encoded | undefined {
    if (p === null) return null;
    if (isObjectPrototype(p)) return undefined;
    const k = knownName(p);
    if (k !== undefined) return { $: "known", name: k };
    const seen = this.ids.get(p);
    if (seen !== undefined) return { $: "ref", id: seen };
    const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value;
    if (typeof ctor === "function" && Object.getOwnPropertyDescriptor(ctor, "prototype")?.value === p) {
      this.checkInstanceClass(ctor);
      return this.node(p, () => ({ type: "prototype", of: this.within({ text: ".constructor" }, () => this.encode(ctor)) }));
    }
    return this.within({ text: " (prototype)" }, () => this.encode(p));
  }

  /** Refuses instances of classes whose state cannot be copied property by property. */
  private checkInstanceClass(ctor: Function): void {
    if (isBuiltinKnown(ctor)) {
      this.fail(`an instance of the built-in class ${ctor.name}`, "Capture plain data (strings, numbers, arrays, objects) instead.");
    }
    for (let c: unknown = ctor; typeof c === "function" && knownName(c) === undefined; c = Object.getPrototypeOf(c)) {
      const src = fnToString.call(c);
      if (NATIVE_RE.test(src)) {
        if (c === Function.prototype) break;
        this.fail(`an instance of ${(c as Function).name || "a native class"}, a native class`);
      }
      if (src.includes("#")) {
        let priv = false;
        try {
          priv = analyzeFunctionSource(src).hasPrivateNames;
        } catch {
          priv = false;
        }
        if (priv) {
          this.fail(
            `an instance of class ${(c as Function).name}, which has #private members`,
            "Private members cannot be copied to another process: use ordinary properties in classes whose instances are sent to a runner.",
          );
        }
      }
    }
  }

  private integrity(obj: object): Integrity | undefined {
    if (Object.isExtensible(obj)) return undefined;
    if (Object.isFrozen(obj)) return "frozen";
    if (Object.isSealed(obj)) return "sealed";
    return "nonextensible";
  }

  private serializeObject(obj: object): SerializedNode {
    const t = types;
    if (t.isProxy(obj)) this.fail("a Proxy");
    const objProto = Object.getPrototypeOf(obj);
    if (objProto !== null && !isObjectPrototype(objProto) && !isBuiltinPrototype(objProto, "Array")) {
      const reason = unserializableReason(obj);
      if (reason) this.fail(reason.what, reason.hint);
    }
    if (Array.isArray(obj)) {
      const items: Encoded[] = [];
      for (let i = 0; i < obj.length; i++) {
        items.push(i in obj ? this.within({ text: `[${i}]` }, () => this.encode(obj[i])) : { $: "hole" });
      }
      const node: SerializedNode = { type: "array", items };
      const extra = Object.keys(obj).filter((k) => !/^(0|[1-9]\d*)$/.test(k));
      if (extra.length) {
        const props: PropEntry[] = [];
        for (const k of extra) props.push([k, this.within({ text: propText(k) }, () => this.encode((obj as unknown as Record<string, unknown>)[k]))]);
        node.props = props;
      }
      const p = Object.getPrototypeOf(obj);
      if (!isBuiltinPrototype(p, "Array")) {
        const pe = this.encodeProto(p);
        if (pe !== undefined) node.proto = pe;
      }
      return node;
    }
    if (t.isMap(obj)) {
      const entries: Array<[Encoded, Encoded]> = [];
      for (const [k, v] of obj as Map<unknown, unknown>) {
        const ke = this.within({ text: ` (a key of the Map)` }, () => this.encode(k));
        const ve = this.within({ text: `.get(${shortValue(k)})` }, () => this.encode(v));
        entries.push([ke, ve]);
      }
      const node: SerializedNode = { type: "map", entries };
      const p = Object.getPrototypeOf(obj);
      if (!isBuiltinPrototype(p, "Map")) {
        const pe = this.encodeProto(p);
        if (pe !== undefined) node.proto = pe;
      }
      return node;
    }
    if (t.isSet(obj)) {
      const values: Encoded[] = [];
      for (const v of obj as Set<unknown>) values.push(this.within({ text: ` (an element of the Set)` }, () => this.encode(v)));
      const node: SerializedNode = { type: "set", values };
      const p = Object.getPrototypeOf(obj);
      if (!isBuiltinPrototype(p, "Set")) {
        const pe = this.encodeProto(p);
        if (pe !== undefined) node.proto = pe;
      }
      return node;
    }
    if (t.isDate(obj)) {
      const time = Date.prototype.getTime.call(obj);
      return { type: "date", time: Number.isNaN(time) ? null : time };
    }
    if (t.isRegExp(obj)) {
      const r = obj as RegExp;
      const node: SerializedNode = { type: "regexp", source: r.source, flags: r.flags };
      if (r.lastIndex) node.lastIndex = r.lastIndex;
      return node;
    }
    if (t.isArrayBuffer(obj)) {
      return { type: "bytes", class: "ArrayBuffer", base64: bytesToBase64(obj as ArrayBuffer) };
    }
    if (t.isArrayBufferView(obj)) {
      const view = obj as ArrayBufferView;
      if (t.isSharedArrayBuffer(view.buffer)) this.fail("a view of a SharedArrayBuffer");
      const cls = Buffer.isBuffer(view) ? "Buffer" : t.isDataView(view) ? "DataView" : Object.prototype.toString.call(view).slice(8, -1);
      return { type: "bytes", class: cls, base64: bytesToBase64(view) };
    }
    if (t.isNativeError(obj)) {
      const e = obj as Error;
      const { props } = this.props(e, new Set(["message", "stack"]));
      const node: SerializedNode = { type: "error", message: String(e.message), props };
      if (typeof e.stack === "string") node.stack = e.stack;
      const cause = Object.getOwnPropertyDescriptor(e, "cause");
      if (cause && "value" in cause && !cause.enumerable) props.push(["cause", this.within({ text: ".cause" }, () => this.encode(cause.value))]);
      const pe = this.encodeProto(Object.getPrototypeOf(e));
      if (pe !== undefined) node.proto = pe;
      return node;
    }
    if (t.isBoxedPrimitive(obj)) {
      return { type: "boxed", value: this.encode((obj as { valueOf(): unknown }).valueOf()) };
    }
    if (typeof URL === "function" && obj instanceof URL) return { type: "construct", class: "URL", args: [obj.href] };
    if (typeof URLSearchParams === "function" && obj instanceof URLSearchParams) return { type: "construct", class: "URLSearchParams", args: [obj.toString()] };
    if (typeof TextEncoder === "function" && obj instanceof TextEncoder) return { type: "construct", class: "TextEncoder", args: [] };
    if (typeof TextDecoder === "function" && obj instanceof TextDecoder) {
      return { type: "construct", class: "TextDecoder", args: [obj.encoding, this.encode({ fatal: obj.fatal, ignoreBOM: obj.ignoreBOM })] };
    }

    const p = Object.getPrototypeOf(obj);
    if (p !== null) {
      const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value;
      if (typeof ctor === "function" && ctor !== Object && ctor.prototype === p && isBuiltinKnown(ctor)) {
        this.fail(`an instance of the built-in class ${ctor.name}`, "Capture plain data (strings, numbers, arrays, objects) instead.");
      }
    }
    const proto = p === null ? null : this.encodeProto(p);
    const { props, accessors } = this.props(obj);
    const node: SerializedNode = { type: "object", props };
    if (proto !== undefined) node.proto = proto;
    if (accessors.length) node.accessors = accessors;
    const integrity = this.integrity(obj);
    if (integrity) node.integrity = integrity;
    return node;
  }

  private serializeFunction(fn: Function): SerializedFunction {
    const meta = functionMeta(fn);
    const source = functionSource(fn);
    const label = fnLabel(fn, source);
    if (NATIVE_RE.test(source)) {
      const name = String(fn.name);
      if (name.startsWith("bound ")) {
        this.fail(`a bound function (${name})`, "Use an arrow function that calls the original instead of .bind().");
      }
      this.fail(`a native function${name ? ` '${name}'` : ""}`, "Only functions written in JavaScript/TypeScript and registered library objects can be sent.");
    }
    const { form, arrow } = detectForm(source);
    const node: SerializedFunction = { type: "function", form, source, name: String(fn.name ?? ""), captures: [] };
    if (Object.prototype.hasOwnProperty.call(fn, "caller") && !arrow && form === "expression") node.sloppy = true;
    const loc = meta?.file !== undefined ? meta : locationOf(source);
    const at = loc?.file !== undefined ? `${loc.file}${loc.line !== undefined ? `:${loc.line}` : ""}` : undefined;
    if (loc?.file !== undefined) node.file = loc.file;
    if (loc?.line !== undefined) node.line = loc.line;
    if (loc?.column !== undefined) node.column = loc.column;
    if (meta?.imports) node.imports = meta.imports;

    if (meta) {
      if (meta.captures) {
        let values: Record<string, unknown>;
        try {
          values = meta.captures();
        } catch (e) {
          this.fail(
            `a function whose captured variables could not be read (${(e as Error)?.message ?? String(e)})`,
            "A captured variable is probably used before it is initialized.",
          );
        }
        const imports = parseImports(meta.imports);
        for (const name of Object.keys(values)) {
          const value = values[name];
          const step: Step = { text: "", capture: { name, fn: label, ...(at !== undefined ? { at } : {}) } };
          // An import binding is the module's, not this process's value: it travels as a
          // module reference even when it holds a primitive (`threadId`, a config constant).
          const enc = this.within(step, () => this.encode(value, imports?.[name]));
          if (name === "this") node.this = enc;
          else node.captures.push([name, enc]);
        }
      }
    } else {
      let info;
      try {
        info = analyzeFunctionSource(source);
      } catch (e) {
        this.fail(`a function whose source text cannot be parsed (${(e as Error).message})`);
      }
      for (const name of info.free) {
        if (name.startsWith("__fb_") || name === "arguments") continue;
        if (name in globalThis) continue;
        if (isKnownByName(name)) {
          node.captures.push([name, { $: "known", name }]);
          continue;
        }
        this.within({ text: "", capture: { name, fn: label } }, () =>
          this.fail("a variable of an enclosing scope", NOT_INSTRUMENTED_HINT, `function ${label} uses variable '${name}' from an enclosing scope`),
        );
      }
      if (info.usesThis && info.arrow) {
        this.within({ text: "", capture: { name: "this", fn: label } }, () =>
          this.fail("'this' of an enclosing function", NOT_INSTRUMENTED_HINT, `arrow function ${label} uses 'this' of its enclosing function`),
        );
      }
    }

    const { props, accessors } = this.props(fn);
    if (props.length) node.props = props;
    if (accessors.length) node.accessors = accessors;
    if (!arrow && form !== "method") {
      const p = Object.getOwnPropertyDescriptor(fn, "prototype")?.value;
      if (p && typeof p === "object") {
        const pp = this.within({ text: ".prototype" }, () => this.props(p, new Set(["constructor"])));
        if (pp.props.length) node.protoProps = pp.props;
        const pproto = Object.getPrototypeOf(p);
        if (form !== "class" && pproto !== null && !isObjectPrototype(pproto)) {
          const e = this.within({ text: ".prototype (prototype)" }, () => this.encodeProto(pproto));
          if (e !== undefined) node.protoProto = e;
        }
      }
    }
    return node;
  }
}

/** A built-in constructor or function of another realm (a vm context) that has a namesake here. */
function crossRealmBuiltin(fn: Function): string | undefined {
  const name = typeof fn.name === "string" ? fn.name : "";
  if (!name || !IDENT_RE.test(name)) return undefined;
  const here = (globalThis as unknown as Record<string, unknown>)[name];
  if (typeof here !== "function" || here === fn || !isBuiltinKnown(here)) return undefined;
  return NATIVE_RE.test(fnToString.call(fn)) ? name : undefined;
}

function moduleEncoding([specifier, exportName, from]: ImportInfo): Encoded {
  return from === undefined ? { $: "module", specifier, export: exportName } : { $: "module", specifier, export: exportName, from };
}

function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== "object" && typeof v !== "function");
}

function isKnownByName(name: string): boolean {
  // Registered names only (not member paths), so that `Math` in a function body is Math.
  return !name.includes(".") && knownObject(name) !== undefined;
}

const formCache = new Map<string, { form: FunctionForm; arrow: boolean }>();

/** How to evaluate a function's source text again; cheap checks first, the parser if unsure. */
export function detectForm(source: string): { form: FunctionForm; arrow: boolean } {
  if (/^class[\s{]/.test(source)) return { form: "class", arrow: false };
  if (/^(async\s+)?function[\s*(]/.test(source)) return { form: "expression", arrow: false };
  if (source.startsWith("(") || /^(async\s+)?[A-Za-z_$][\w$]*\s*=>/.test(source)) return { form: "expression", arrow: true };
  const cached = formCache.get(source);
  if (cached) return cached;
  let r: { form: FunctionForm; arrow: boolean };
  if (!/^async\s*\(/.test(source) && /^(async\s+|get\s+|set\s+|static\s+)?\*?\s*([A-Za-z_$][\w$]*\s*\(|\[|"|'|\d)/.test(source)) {
    r = { form: "method", arrow: false };
  } else {
    const info = analyzeFunctionSource(source);
    r = { form: info.form, arrow: info.arrow };
  }
  formCache.set(source, r);
  return r;
}

// ---------------------------------------------------------------------------------------
// Rebuilding
// ---------------------------------------------------------------------------------------

class CycleSignal {
  constructor(readonly id: number) {}
}

type Factory = (
  fbFn: typeof __fb_fn,
  fbObj: typeof __fb_obj,
  fbMod: typeof __fb_mod,
  one: (o: object) => unknown,
) => [setters: Array<(v: unknown) => void>, getter: () => Record<string, unknown>, thunk: () => Function];

const factoryCache = new Map<string, Factory>();
const RESERVED = new Set(["this", "arguments", "eval", "yield", "await", "let", "static", "implements", "interface", "package", "private", "protected", "public"]);

function extractOne(o: object): unknown {
  const k = Reflect.ownKeys(o)[0]!;
  const d = Object.getOwnPropertyDescriptor(o, k)!;
  return d.get ?? d.set ?? d.value;
}

const dynamicImport = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;

function compileFactory(node: SerializedFunction, names: string[]): Factory {
  const filename = node.file ?? `flowbook-function:${node.name || "anonymous"}`;
  const strict = node.sloppy ? "" : '"use strict";';
  const decl = names.length ? `let ${names.join(", ")}; ` : "";
  const setters = `[${names.map((n) => `(__fb_v) => { ${n} = __fb_v; }`).join(", ")}]`;
  const getter = `() => ({${names.join(", ")}})`;
  const open = node.form === "method" ? "function () { return __fb_one(({" : "function () { return (";
  const close = node.form === "method" ? "\n})); }" : "\n); }";
  const prefix = `${strict}(function (__fb_fn, __fb_obj, __fb_mod, __fb_one) { ${decl}return [${setters}, ${getter}, ${open}`;
  const code = `${prefix}${node.source}${close}];})`;
  const line = node.line ?? 1;
  const column = node.column ?? 1;
  const key = `${filename}\0${line}\0${column}\0${code}`;
  let f = factoryCache.get(key);
  if (!f) {
    const options: vm.ScriptOptions = { filename, lineOffset: line - 1, columnOffset: column - 1 - prefix.length };
    if (dynamicImport !== undefined) (options as { importModuleDynamically?: unknown }).importModuleDynamically = dynamicImport;
    try {
      f = new vm.Script(code, options).runInThisContext() as Factory;
    } catch (e) {
      throw new Error(`cannot rebuild function ${node.name || "<anonymous>"}${node.file ? ` (${node.file}:${line})` : ""}: ${(e as Error).message}`);
    }
    factoryCache.set(key, f);
  }
  return f;
}

function decodeBase64(b64: string): Uint8Array {
  const b = Buffer.from(b64, "base64");
  const out = new Uint8Array(new ArrayBuffer(b.length));
  out.set(b);
  return out;
}

function isBareSpecifier(s: string): boolean {
  return !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z\d+.-]*:)/.test(s);
}

async function importModule(specifier: string, from: string | undefined): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (first) {
    const attempts: Array<() => string> = [];
    if (specifier.startsWith("file:")) attempts.push(() => fileURLToPath(specifier));
    if (from && isBareSpecifier(specifier)) {
      attempts.push(() => pathToFileURL(createRequire(from.startsWith("file:") ? fileURLToPath(from) : from).resolve(specifier)).href);
    }
    for (const a of attempts) {
      try {
        return await import(a());
      } catch {
        // next
      }
    }
    throw new Error(`cannot import module '${specifier}' needed by a serialized function: ${(first as Error).message}`);
  }
}

function moduleKey(specifier: string, from: string | undefined): string {
  return `${specifier}\0${from ?? ""}`;
}

function collectModules(x: unknown, out: Map<string, { specifier: string; from?: string }>): void {
  if (Array.isArray(x)) {
    for (const e of x) collectModules(e, out);
  } else if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    if (o.$ === "module" && typeof o.specifier === "string") {
      const from = typeof o.from === "string" ? o.from : undefined;
      out.set(moduleKey(o.specifier, from), from === undefined ? { specifier: o.specifier } : { specifier: o.specifier, from });
      return;
    }
    for (const k in o) {
      const v = o[k];
      if (v !== null && typeof v === "object") collectModules(v, out);
    }
  }
}

/** Rebuilds a serialized value: functions are evaluated again, modules imported again. */
export async function rebuildValue(sv: SerializedValue): Promise<unknown> {
  checkFormat(sv);
  const wanted = new Map<string, { specifier: string; from?: string }>();
  collectModules(sv.root, wanted);
  if (sv.objects) collectModules(sv.objects, wanted);
  const modules = new Map<string, unknown>();
  await Promise.all(
    [...wanted].map(async ([key, { specifier, from }]) => {
      modules.set(key, await importModule(specifier, from));
    }),
  );
  return new Rebuilder(sv, modules).run();
}

/**
 * Rebuilds a serialized value that references no modules but Node's built-in ones (throws if
 * it does): built-in modules are loaded synchronously.
 */
export function rebuildValueSync(sv: SerializedValue): unknown {
  checkFormat(sv);
  const wanted = new Map<string, { specifier: string; from?: string }>();
  collectModules(sv.root, wanted);
  if (sv.objects) collectModules(sv.objects, wanted);
  const modules = new Map<string, unknown>();
  for (const [key, { specifier }] of wanted) {
    if (!isBuiltin(specifier)) continue;
    try {
      // Shaped like the module's namespace: named exports and `default` (module.exports).
      const exports = syncRequire()(specifier) as Record<string, unknown>;
      modules.set(key, Object.freeze({ ...exports, default: exports }));
    } catch {
      // left out: reported when the value is needed
    }
  }
  return new Rebuilder(sv, modules).run();
}

let requireHere: NodeRequire | undefined;
function syncRequire(): NodeRequire {
  return (requireHere ??= createRequire(import.meta.url));
}

function checkFormat(sv: SerializedValue): void {
  if (!sv || typeof sv !== "object" || sv.format !== VALUE_FORMAT) {
    throw new Error(`not a serialized value (expected format '${VALUE_FORMAT}', got ${JSON.stringify((sv as { format?: unknown })?.format)})`);
  }
}

interface FunctionParts {
  setters: Array<(v: unknown) => void>;
  getter: () => Record<string, unknown>;
  names: string[];
  /** For each setter, the index of its capture in the serialized function. */
  indexes: number[];
  deferred: Set<number>;
  thisValue: unknown;
}

class Rebuilder {
  private readonly shells = new Map<number, unknown>();
  private readonly creating = new Set<number>();
  private readonly pending: Array<() => void> = [];
  private readonly integrity: Array<[object, Integrity]> = [];
  private readonly fnParts = new Map<number, FunctionParts>();
  private readonly objects: SerializedNode[];

  constructor(private readonly sv: SerializedValue, private readonly modules: Map<string, unknown>) {
    this.objects = sv.objects ?? [];
  }

  run(): unknown {
    let v: unknown;
    try {
      v = this.value(this.sv.root);
    } catch (e) {
      if (e instanceof CycleSignal) throw new Error(`cannot rebuild: object #${e.id} is needed to create itself (a cycle through a class definition)`);
      throw e;
    }
    while (this.pending.length) {
      const work = this.pending.splice(0);
      for (const w of work) w();
    }
    for (const [o, level] of this.integrity) {
      if (level === "frozen") Object.freeze(o);
      else if (level === "sealed") Object.seal(o);
      else Object.preventExtensions(o);
    }
    return v;
  }

  /** Runs a step now, or after the value it needs exists (a cycle through a class). */
  private later(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (e instanceof CycleSignal) this.pending.push(f);
      else throw e;
    }
  }

  value(e: Encoded): unknown {
    if (e === null || typeof e !== "object") return e;
    switch (e.$) {
      case "undefined":
        return undefined;
      case "number":
        return e.value === "NaN" ? NaN : e.value === "Infinity" ? Infinity : e.value === "-Infinity" ? -Infinity : -0;
      case "bigint":
        return BigInt(e.value);
      case "symbol":
        return Symbol.for(e.for);
      case "hole":
        return undefined;
      case "known": {
        const v = knownObject(e.name);
        if (v === undefined) {
          throw new Error(`cannot rebuild: no library object is registered as '${e.name}' (is the flowbook SDK loaded in this process?)`);
        }
        return v;
      }
      case "module": {
        const key = moduleKey(e.specifier, e.from);
        if (!this.modules.has(key)) {
          throw new Error(`cannot rebuild synchronously: module '${e.specifier}' must be imported (use rebuildValue)`);
        }
        const ns = this.modules.get(key) as Record<string, unknown>;
        return e.export === "*" ? ns : ns[e.export];
      }
      case "ref":
        return this.complete(e.id);
    }
    throw new Error(`cannot rebuild: unknown encoding ${JSON.stringify(e)}`);
  }

  private key(k: string | Encoded): string | symbol {
    return typeof k === "string" ? k : (this.value(k) as symbol);
  }

  private complete(id: number): unknown {
    if (this.shells.has(id)) return this.shells.get(id);
    if (this.creating.has(id)) throw new CycleSignal(id);
    const node = this.objects[id];
    if (!node) throw new Error(`cannot rebuild: missing object #${id}`);
    this.creating.add(id);
    let shell: unknown;
    try {
      shell = this.createShell(id, node);
    } finally {
      this.creating.delete(id);
    }
    this.shells.set(id, shell);
    this.fill(id, node, shell);
    return shell;
  }

  private protoOf(e: Encoded | undefined): object | null {
    if (e === undefined) return Object.prototype;
    return this.value(e) as object | null;
  }

  private createShell(id: number, node: SerializedNode): unknown {
    switch (node.type) {
      case "array": {
        const a: unknown[] = new Array(node.items.length);
        if (node.proto !== undefined) Object.setPrototypeOf(a, this.protoOf(node.proto));
        return a;
      }
      case "object":
        return Object.create(this.protoOf(node.proto));
      case "prototype": {
        const fn = this.value(node.of) as { prototype?: unknown };
        return fn.prototype;
      }
      case "map": {
        const m = new Map();
        if (node.proto !== undefined) Object.setPrototypeOf(m, this.protoOf(node.proto));
        return m;
      }
      case "set": {
        const s = new Set();
        if (node.proto !== undefined) Object.setPrototypeOf(s, this.protoOf(node.proto));
        return s;
      }
      case "date":
        return new Date(node.time ?? NaN);
      case "regexp": {
        const r = new RegExp(node.source, node.flags);
        if (node.lastIndex) r.lastIndex = node.lastIndex;
        return r;
      }
      case "bytes": {
        const bytes = decodeBase64(node.base64);
        switch (node.class) {
          case "ArrayBuffer":
            return bytes.buffer;
          case "Buffer":
            return Buffer.from(bytes.buffer, 0, bytes.length);
          case "DataView":
            return new DataView(bytes.buffer);
          default: {
            const C = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => unknown>)[node.class];
            if (typeof C !== "function") throw new Error(`cannot rebuild a ${node.class}`);
            return new C(bytes.buffer as ArrayBuffer);
          }
        }
      }
      case "error": {
        const e = new Error(node.message);
        if (node.proto !== undefined) Object.setPrototypeOf(e, this.protoOf(node.proto));
        if (node.stack !== undefined) Object.defineProperty(e, "stack", { value: node.stack, writable: true, configurable: true });
        return e;
      }
      case "boxed":
        return Object(this.value(node.value));
      case "symbol":
        return Symbol(node.description);
      case "construct": {
        const C = knownObject(node.class);
        if (typeof C !== "function") throw new Error(`cannot rebuild: '${node.class}' is not a known class`);
        return new (C as new (...a: unknown[]) => unknown)(...node.args.map((a) => this.value(a)));
      }
      case "function":
        return this.createFunction(id, node);
    }
  }

  private createFunction(id: number, node: SerializedFunction): Function {
    const names: string[] = [];
    const indexes: number[] = [];
    node.captures.forEach(([n], i) => {
      if (IDENT_RE.test(n) && !RESERVED.has(n) && !n.startsWith("__fb_")) {
        names.push(n);
        indexes.push(i);
      }
    });
    const factory = compileFactory(node, names);
    const [setters, getter, thunk] = factory(__fb_fn, __fb_obj, __fb_mod, extractOne);
    const parts: FunctionParts = { setters, getter, names, indexes, deferred: new Set(), thisValue: undefined };
    this.fnParts.set(id, parts);
    if (node.form === "class") {
      // `extends` clauses and static initializers run now: bind what they may use first.
      indexes.forEach((ci, si) => {
        try {
          setters[si]!(this.value(node.captures[ci]![1]));
        } catch (e) {
          if (!(e instanceof CycleSignal)) throw e;
          parts.deferred.add(si);
        }
      });
    } else {
      parts.deferred = new Set(indexes.map((_, si) => si));
    }
    if (node.this !== undefined) parts.thisValue = this.value(node.this);
    let fn: Function;
    try {
      fn = thunk.call(parts.thisValue);
    } catch (e) {
      throw new Error(`cannot rebuild ${node.name || "function"}${node.file ? ` (${node.file}:${node.line ?? 1})` : ""}: ${(e as Error).message}`);
    }
    return fn;
  }

  private defineProps(target: object, props: PropEntry[] | undefined, accessors?: AccessorEntry[]): void {
    for (const [k, v] of props ?? []) {
      this.later(() => {
        Object.defineProperty(target, this.key(k), { value: this.value(v), writable: true, enumerable: true, configurable: true });
      });
    }
    for (const [k, g, s] of accessors ?? []) {
      this.later(() => {
        Object.defineProperty(target, this.key(k), {
          get: this.value(g) as (() => unknown) | undefined,
          set: this.value(s) as ((v: unknown) => void) | undefined,
          enumerable: true,
          configurable: true,
        });
      });
    }
  }

  private fill(id: number, node: SerializedNode, shell: unknown): void {
    switch (node.type) {
      case "array": {
        const a = shell as unknown[];
        node.items.forEach((item, i) => {
          if (item !== null && typeof item === "object" && item.$ === "hole") return;
          this.later(() => {
            a[i] = this.value(item);
          });
        });
        this.defineProps(a, node.props);
        return;
      }
      case "object":
        this.defineProps(shell as object, node.props, node.accessors);
        if (node.integrity) this.integrity.push([shell as object, node.integrity]);
        return;
      case "map": {
        const m = shell as Map<unknown, unknown>;
        // Entries in order; a deferred entry keeps its place by being set in a second pass.
        const values: unknown[] = [];
        let ready = true;
        for (const [k, v] of node.entries) {
          try {
            values.push(this.value(k), this.value(v));
          } catch (e) {
            if (!(e instanceof CycleSignal)) throw e;
            ready = false;
            break;
          }
        }
        const apply = () => {
          for (const [k, v] of node.entries) m.set(this.value(k), this.value(v));
        };
        if (ready) for (let i = 0; i < values.length; i += 2) m.set(values[i], values[i + 1]);
        else this.later(apply);
        return;
      }
      case "set": {
        const s = shell as Set<unknown>;
        this.later(() => {
          for (const v of node.values) s.add(this.value(v));
        });
        return;
      }
      case "error":
        this.defineProps(shell as object, node.props);
        return;
      case "function":
        this.fillFunction(id, node, shell as Function);
        return;
      default:
        return;
    }
  }

  private fillFunction(id: number, node: SerializedFunction, fn: Function): void {
    const parts = this.fnParts.get(id)!;
    for (const si of parts.deferred) {
      const ci = parts.indexes[si]!;
      this.later(() => parts.setters[si]!(this.value(node.captures[ci]![1])));
    }
    const own = Object.getOwnPropertyDescriptor(fn, "name");
    if (node.name !== undefined && fn.name !== node.name && (!own || typeof own.value === "string")) {
      Object.defineProperty(fn, "name", { value: node.name, configurable: true });
    }
    this.defineProps(fn, node.props, node.accessors);
    const proto = Object.getOwnPropertyDescriptor(fn, "prototype")?.value as object | undefined;
    if (proto && typeof proto === "object") {
      this.defineProps(proto, node.protoProps);
      if (node.protoProto !== undefined) {
        this.later(() => {
          Object.setPrototypeOf(proto, this.protoOf(node.protoProto));
        });
      }
    }
    const meta: FunctionMeta = {};
    if (parts.names.length || node.this !== undefined) {
      const { getter, thisValue } = parts;
      const hasThis = node.this !== undefined;
      meta.captures = () => {
        const o = getter();
        if (hasThis) o.this = thisValue;
        return o;
      };
    }
    if (node.file !== undefined) meta.file = node.file;
    if (node.line !== undefined) meta.line = node.line;
    if (node.column !== undefined) meta.column = node.column;
    if (node.imports !== undefined) meta.imports = node.imports;
    (fn as unknown as Record<symbol, unknown>)[FN_META] = meta;
  }
}
