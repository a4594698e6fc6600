/**
 * Capture metadata on function objects, and the helpers instrumented code calls to attach it.
 *
 * The instrumenter (src/graph/instrument) rewrites user code so that every function or
 * class that captures variables gets, under `Symbol.for("flowbook.fn")`, a
 * {@link FunctionMeta}: a lazy `captures()` returning the captured values, and where the
 * function was written (for stack traces of the rebuilt function). Instrumented modules
 * import `__fb_fn`, `__fb_obj` and `__fb_mod` from this module; code evaluated as a script
 * (notebook cells) gets them as globals through {@link installInstrumentationGlobals}.
 *
 * This module must stay tiny and import nothing: it is loaded into every user module.
 */

/** The property under which a function carries its {@link FunctionMeta}. */
export const FN_META: unique symbol = Symbol.for("flowbook.fn") as never;

export interface FunctionMeta {
  /** The captured variables' current values, by name (`this` for an arrow's lexical this). */
  captures?: () => Record<string, unknown>;
  /** Where the function's source text starts: file (path or URL), 1-based line and column. */
  file?: string;
  line?: number;
  column?: number;
  /** The name the function had by its definition when the wrapper hid it (`const f = ...`). */
  name?: string;
  /**
   * Captured names bound by `import` declarations, as JSON:
   * `{ "<local name>": [specifier, exportName, importerUrl?] }`. Relative specifiers are
   * already absolute `file://` URLs; `exportName` is `"default"`, `"*"` or the export's name.
   */
  imports?: string;
}

/** A function's own capture metadata (never one inherited from a base class). */
export function functionMeta(fn: unknown): FunctionMeta | undefined {
  if (typeof fn !== "function") return undefined;
  if (!Object.prototype.hasOwnProperty.call(fn, FN_META)) return undefined;
  const m = (fn as unknown as Record<symbol, unknown>)[FN_META];
  return m !== null && typeof m === "object" ? (m as FunctionMeta) : undefined;
}

/** Attaches metadata to a function; returns the function (so it can wrap an expression). */
export function __fb_fn<T>(fn: T, meta: FunctionMeta): T {
  if (typeof fn === "function") {
    // Not enumerable: util.inspect and Object.assign need not see it.
    Object.defineProperty(fn, FN_META, { value: meta, configurable: true, writable: true });
    if (meta.name !== undefined && (fn as { name?: unknown }).name === "") {
      Object.defineProperty(fn, "name", { value: meta.name, configurable: true });
    }
  }
  return fn;
}

/**
 * Attaches metadata to the methods (and function-valued properties) of an object literal.
 * `entries`: `[key, meta]`, `[key, meta, 1]` for a getter, `[key, meta, 2]` for a setter.
 */
export function __fb_obj<T>(obj: T, entries: ReadonlyArray<readonly [string, FunctionMeta, number?]>): T {
  if (obj === null || typeof obj !== "object") return obj;
  for (const [key, meta, accessor] of entries) {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    if (!d) continue;
    const fn = accessor === 1 ? d.get : accessor === 2 ? d.set : d.value;
    if (typeof fn === "function") Object.defineProperty(fn, FN_META, { value: meta, configurable: true, writable: true });
  }
  return obj;
}

/**
 * A short key for a function's source text (length and a 32-bit FNV-1a hash), the same in
 * the instrumenter and at run time.
 */
export function sourceKey(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${text.length.toString(36)}.${(h >>> 0).toString(36)}`;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

interface LocationRegistry {
  pending: Array<[file: string, entries: string]>;
  byKey: Map<string, SourceLocation>;
}

const LOCATIONS_KEY = Symbol.for("flowbook.locations");

function locations(): LocationRegistry {
  const g = globalThis as unknown as Record<symbol, LocationRegistry | undefined>;
  let r = g[LOCATIONS_KEY];
  if (!r) {
    r = { pending: [], byKey: new Map() };
    Object.defineProperty(globalThis, LOCATIONS_KEY, { value: r, configurable: true });
  }
  return r;
}

/**
 * Records where the functions of one file are, by source text (`"key:line:column;..."`).
 * Instrumented code calls it once per module for functions that carry no metadata (nested
 * functions without captures), so their rebuilt versions still point at the user's file
 * without costing anything each time such a function is created.
 */
export function __fb_loc(file: string, entries: string): void {
  locations().pending.push([file, entries]);
}

/** Where a function whose `toString()` is `source` was written, if instrumented code said so. */
export function locationOf(source: string): SourceLocation | undefined {
  const r = locations();
  if (r.pending.length) {
    for (const [file, entries] of r.pending.splice(0)) {
      for (const e of entries.split(";")) {
        const [key, line, column] = e.split(":");
        if (key && !r.byKey.has(key)) r.byKey.set(key, { file, line: Number(line), column: Number(column) });
      }
    }
  }
  return r.byKey.size ? r.byKey.get(sourceKey(source)) : undefined;
}

interface ModuleRegistry {
  namespaces: Array<{ ns: object; specifier: string; from?: string }>;
  index: Map<unknown, ModuleRef> | undefined;
  indexedCount: number;
}

export interface ModuleRef {
  specifier: string;
  exportName: string;
  from?: string;
}

const REGISTRY_KEY = Symbol.for("flowbook.modules");

function registry(): ModuleRegistry {
  const g = globalThis as unknown as Record<symbol, ModuleRegistry | undefined>;
  let r = g[REGISTRY_KEY];
  if (!r) {
    r = { namespaces: [], index: undefined, indexedCount: 0 };
    Object.defineProperty(globalThis, REGISTRY_KEY, { value: r, configurable: true });
  }
  return r;
}

/**
 * Records a module namespace imported by instrumented code, so that values exported by
 * it (classes, functions) travel as module references (`await import(specifier)`)
 * wherever the serializer meets them, not only as directly captured imports.
 */
export function __fb_mod(ns: unknown, specifier: string, from?: string): void {
  if (ns === null || (typeof ns !== "object" && typeof ns !== "function")) return;
  const r = registry();
  if (r.namespaces.some((e) => e.ns === ns)) return;
  r.namespaces.push(from === undefined ? { ns: ns as object, specifier } : { ns: ns as object, specifier, from });
}

/** The module export a value is, if some instrumented code imported its module. */
export function moduleRefOf(value: unknown): ModuleRef | undefined {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const r = registry();
  if (!r.index) r.index = new Map();
  if (r.indexedCount < r.namespaces.length) {
    for (let i = r.indexedCount; i < r.namespaces.length; i++) {
      const { ns, specifier, from } = r.namespaces[i]!;
      const ref = (exportName: string): ModuleRef => (from === undefined ? { specifier, exportName } : { specifier, exportName, from });
      if (!r.index.has(ns)) r.index.set(ns, ref("*"));
      let keys: string[] = [];
      try {
        keys = Object.keys(ns);
      } catch {
        continue;
      }
      for (const k of keys) {
        let v: unknown;
        try {
          v = (ns as Record<string, unknown>)[k];
        } catch {
          continue; // an export still in its temporal dead zone
        }
        if (typeof v === "function" && !r.index.has(v)) r.index.set(v, ref(k));
      }
    }
    r.indexedCount = r.namespaces.length;
  }
  return r.index.get(value);
}

/**
 * Defines `__fb_fn`, `__fb_obj`, `__fb_mod` and `__fb_loc` on a global object (a vm context's global, a
 * vm2 sandbox), for code instrumented with `helperImport: false`.
 */
export function installInstrumentationGlobals(target: object = globalThis): void {
  for (const [k, v] of Object.entries({ __fb_fn, __fb_obj, __fb_mod, __fb_loc })) {
    Object.defineProperty(target, k, { value: v, configurable: true, writable: true, enumerable: false });
  }
}
