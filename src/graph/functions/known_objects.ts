/**
 * Library objects that travel by name: the serializer writes `{ $: "known", name }` and the
 * rebuilder looks the name up again in the worker. The SDK registers its classes and
 * public API; JavaScript and Node built-ins that a function may capture as a value are
 * registered here. Methods and prototypes of the built-ins are found by path on demand
 * (`Math.max`, `Array.prototype.push`, `Object.prototype`).
 *
 * The registry lives on `globalThis` (under a `Symbol.for` key) so that two copies of this
 * module (a bundler's and Node's) share it.
 */

interface KnownRegistry {
  byName: Map<string, unknown>;
  byValue: Map<unknown, string>;
  /** Built-ins whose members are indexed by path (`Math` → `Math.max`). */
  builtinRoots: string[];
  /** Path index of built-ins' members, built lazily; reset when a root is added. */
  memberIndex: Map<unknown, string> | undefined;
}

const KEY = Symbol.for("flowbook.known");

function reg(): KnownRegistry {
  const g = globalThis as unknown as Record<symbol, KnownRegistry | undefined>;
  let r = g[KEY];
  if (!r) {
    r = { byName: new Map(), byValue: new Map(), builtinRoots: [], memberIndex: undefined };
    Object.defineProperty(globalThis, KEY, { value: r, configurable: true });
    registerBuiltins(r);
  }
  return r;
}

/**
 * Registers a library object (class, function, namespace object, singleton) under a
 * stable name. Registering a new object under a taken name replaces it for lookups by
 * name; the old object keeps its name for serialization.
 */
export function registerKnown(name: string, obj: object | symbol): void {
  const r = reg();
  r.byName.set(name, obj);
  if (!r.byValue.has(obj)) r.byValue.set(obj, name);
}

/** Registers every object/function value of a record (a module namespace), by `prefix + key`. */
export function registerKnownAll(record: Record<string, unknown>, prefix = ""): void {
  for (const [k, v] of Object.entries(record)) {
    if ((typeof v === "function" || (typeof v === "object" && v !== null)) && !isModuleNamespaceLike(v)) {
      registerKnown(prefix + k, v as object);
    }
  }
}

function isModuleNamespaceLike(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[Symbol.toStringTag] === "Module";
}

/** The name a known object travels by, or undefined. */
export function knownName(obj: unknown): string | undefined {
  if (obj === null || (typeof obj !== "object" && typeof obj !== "function" && typeof obj !== "symbol")) return undefined;
  const r = reg();
  const direct = r.byValue.get(obj);
  if (direct !== undefined) return direct;
  if (!r.memberIndex) r.memberIndex = buildMemberIndex(r);
  return r.memberIndex.get(obj);
}

/** The object registered under a name (also `Root.member` paths of built-ins), or undefined. */
export function knownObject(name: string): unknown {
  const r = reg();
  if (r.byName.has(name)) return r.byName.get(name);
  // A member path of a registered object: the longest registered prefix, then properties.
  const parts = name.split(".");
  for (let i = parts.length - 1; i > 0; i--) {
    const base = parts.slice(0, i).join(".");
    if (!r.byName.has(base)) continue;
    let v: unknown = r.byName.get(base);
    for (const p of parts.slice(i)) {
      if (v === null || (typeof v !== "object" && typeof v !== "function")) return undefined;
      const d = Object.getOwnPropertyDescriptor(v, p);
      if (!d || !("value" in d)) return undefined;
      v = d.value;
    }
    return v;
  }
  return undefined;
}

/** True if the object is one of the JavaScript/Node built-ins registered here (`Map`, `URL`, ...). */
export function isBuiltinKnown(obj: unknown): boolean {
  const r = reg();
  const name = r.byValue.get(obj);
  return name !== undefined && r.builtinRoots.includes(name);
}

/** True if a name is registered (exactly, not as a member path). */
export function isKnownName(name: string): boolean {
  return reg().byName.has(name);
}

const BUILTIN_NAMES = [
  "Math", "JSON", "Reflect", "Atomics", "Intl", "Date", "Map", "Set", "WeakMap", "WeakSet",
  "WeakRef", "FinalizationRegistry", "Array", "Object", "Function", "Number", "String",
  "Boolean", "RegExp", "Symbol", "Promise", "Proxy", "BigInt", "Error", "TypeError",
  "RangeError", "SyntaxError", "EvalError", "URIError", "ReferenceError", "AggregateError",
  "ArrayBuffer", "SharedArrayBuffer", "DataView", "Int8Array", "Uint8Array",
  "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Buffer",
  "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "console", "globalThis", "process",
  "parseInt", "parseFloat", "isNaN", "isFinite", "encodeURI", "encodeURIComponent",
  "decodeURI", "decodeURIComponent", "escape", "unescape", "structuredClone", "setTimeout",
  "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate",
  "queueMicrotask", "atob", "btoa", "performance", "crypto", "fetch", "AbortController",
  "AbortSignal", "Blob", "Event", "EventTarget", "Headers", "Request", "Response", "FormData",
  "MessageChannel", "MessagePort", "BroadcastChannel", "Iterator",
];

const WELL_KNOWN_SYMBOLS = [
  "asyncIterator", "hasInstance", "isConcatSpreadable", "iterator", "match", "matchAll",
  "replace", "search", "species", "split", "toPrimitive", "toStringTag", "unscopables",
];

function registerBuiltins(r: KnownRegistry): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of BUILTIN_NAMES) {
    const v = g[name];
    if (v === undefined || v === null || (typeof v !== "object" && typeof v !== "function")) continue;
    r.byName.set(name, v);
    if (!r.byValue.has(v)) r.byValue.set(v, name);
    if (name !== "globalThis" && name !== "process") r.builtinRoots.push(name);
  }
  for (const s of WELL_KNOWN_SYMBOLS) {
    const sym = (Symbol as unknown as Record<string, unknown>)[s];
    if (typeof sym === "symbol") {
      r.byName.set(`Symbol.${s}`, sym);
      r.byValue.set(sym, `Symbol.${s}`);
    }
  }
  // Prototypes that are not reachable as `X.prototype` of a global.
  const extra: Array<[string, unknown]> = [
    ["%TypedArray%", Object.getPrototypeOf(Int8Array)],
    ["%GeneratorFunction%", Object.getPrototypeOf(function* () {}).constructor],
    ["%AsyncFunction%", Object.getPrototypeOf(async function () {}).constructor],
    ["%AsyncGeneratorFunction%", Object.getPrototypeOf(async function* () {}).constructor],
  ];
  for (const [name, v] of extra) {
    if (typeof v !== "function" && (typeof v !== "object" || v === null)) continue;
    r.byName.set(name, v);
    if (!r.byValue.has(v)) r.byValue.set(v, name);
    r.builtinRoots.push(name);
  }
}

function buildMemberIndex(r: KnownRegistry): Map<unknown, string> {
  const index = new Map<unknown, string>();
  const add = (v: unknown, name: string) => {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return;
    if (!r.byValue.has(v) && !index.has(v)) index.set(v, name);
  };
  const members = (obj: object, prefix: string, depth: number) => {
    for (const key of Reflect.ownKeys(obj)) {
      if (typeof key !== "string" || key === "constructor") continue;
      const d = Object.getOwnPropertyDescriptor(obj, key);
      if (!d) continue;
      if ("value" in d) {
        add(d.value, `${prefix}.${key}`);
        // Namespaces one level down (Intl.NumberFormat.prototype.format is not needed).
        if (depth > 0 && typeof d.value === "function" && d.value.prototype && typeof d.value.prototype === "object") {
          add(d.value.prototype, `${prefix}.${key}.prototype`);
        }
      }
    }
  };
  for (const name of r.builtinRoots) {
    const root = r.byName.get(name);
    if (root === null || (typeof root !== "object" && typeof root !== "function")) continue;
    members(root as object, name, 1);
    if (typeof root === "function") {
      const proto = (root as { prototype?: unknown }).prototype;
      if (proto && typeof proto === "object") {
        add(proto, `${name}.prototype`);
        members(proto, `${name}.prototype`, 0);
      }
    }
  }
  return index;
}

// Make sure built-ins are registered as soon as this module loads.
reg();
