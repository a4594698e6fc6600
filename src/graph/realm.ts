/**
 * What the serializer asks of values, answered the same in Node's own realm and in the vm2
 * sandbox notebook cells run in (src/session/sandbox). There, `node:util` and `Buffer` are
 * the host's: vm2 hands them the sandbox's objects as proxies, so `util.types.isMap` says
 * false of a cell's Map (and vm2 hides `isProxy`). In the sandbox, this realm's own
 * objects are recognised by brand checks on its intrinsics, and the host's (a Buffer from
 * `fs.readFileSync`) by `util.types`, which vm2 gives the unwrapped host object.
 */
import util from "node:util";

type Types = Pick<
  typeof util.types,
  | "isPromise" | "isProxy" | "isWeakMap" | "isWeakSet" | "isGeneratorObject" | "isMapIterator" | "isSetIterator"
  | "isExternal" | "isSharedArrayBuffer" | "isKeyObject" | "isCryptoKey" | "isModuleNamespaceObject" | "isMap"
  | "isSet" | "isDate" | "isRegExp" | "isArrayBuffer" | "isArrayBufferView" | "isDataView" | "isNativeError"
  | "isBoxedPrimitive"
>;

const host = util.types;

/** True when this code runs in a vm2 sandbox: the host does not recognise a local Map. */
export const IN_SANDBOX = !host.isMap(new Map());

/** Calls a brand-checking getter or method; true if `v` has the internal slot it needs. */
function brand(fn: ((this: unknown, ...a: never[]) => unknown) | undefined, v: unknown): boolean {
  if (!fn) return false;
  try {
    fn.call(v);
    return true;
  } catch {
    return false;
  }
}

const getter = (proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)?.get as (() => unknown) | undefined;
const tag = (v: unknown) => Object.prototype.toString.call(v);

function sandboxTypes(): Types {
  const local: Record<keyof Types, (v: unknown) => boolean> = {
    isPromise: (v) => v instanceof Promise,
    isProxy: () => false, // every local object looks like one to the host; none is told apart
    isWeakMap: (v) => brand(WeakMap.prototype.has as never, v),
    isWeakSet: (v) => brand(WeakSet.prototype.has as never, v),
    isGeneratorObject: (v) => tag(v) === "[object Generator]",
    isMapIterator: (v) => tag(v) === "[object Map Iterator]",
    isSetIterator: (v) => tag(v) === "[object Set Iterator]",
    isExternal: () => false,
    isSharedArrayBuffer: (v) => typeof SharedArrayBuffer === "function" && brand(getter(SharedArrayBuffer.prototype, "byteLength"), v),
    isKeyObject: () => false,
    isCryptoKey: () => false,
    isModuleNamespaceObject: () => false,
    isMap: (v) => brand(getter(Map.prototype, "size"), v),
    isSet: (v) => brand(getter(Set.prototype, "size"), v),
    isDate: (v) => brand(Date.prototype.getTime as never, v),
    isRegExp: (v) => v !== RegExp.prototype && brand(getter(RegExp.prototype, "source"), v),
    isArrayBuffer: (v) => brand(getter(ArrayBuffer.prototype, "byteLength"), v),
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isDataView: (v) => brand(getter(DataView.prototype, "byteLength"), v),
    isNativeError: (v) => v instanceof Error && tag(v) === "[object Error]",
    isBoxedPrimitive: (v) =>
      [Number.prototype.valueOf, String.prototype.valueOf, Boolean.prototype.valueOf, Symbol.prototype.valueOf, BigInt.prototype.valueOf].some(
        (f) => brand(f as never, v),
      ),
  };
  const out = {} as Record<string, (v: unknown) => boolean>;
  for (const [name, check] of Object.entries(local)) {
    const hostCheck = (host as unknown as Record<string, (v: unknown) => boolean>)[name]!;
    // vm2 hides the host's isProxy from sandboxes.
    out[name] = name === "isProxy" || typeof hostCheck !== "function" ? check : (v) => check(v) || hostCheck(v);
  }
  return out as unknown as Types;
}

/** `util.types`, for values of this realm and (in the sandbox) of the host's. */
export const types: Types = IN_SANDBOX ? sandboxTypes() : host;

/** Base64 of a view's bytes, whichever realm the view belongs to. */
export function bytesToBase64(view: ArrayBufferView | ArrayBuffer): string {
  // Brand checks: a host object (a proxy here) has no slots and goes to the host's Buffer.
  const local = IN_SANDBOX && (ArrayBuffer.isView(view) || brand(getter(ArrayBuffer.prototype, "byteLength"), view));
  if (!local) {
    const b = view instanceof ArrayBuffer || host.isArrayBuffer(view) ? Buffer.from(view as ArrayBuffer) : Buffer.from((view as ArrayBufferView).buffer, (view as ArrayBufferView).byteOffset, (view as ArrayBufferView).byteLength);
    return b.toString("base64");
  }
  // A local view: the host's Buffer cannot read it (and each call into the host costs
  // microseconds), so encoded here.
  const bytes = ArrayBuffer.isView(view) ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : new Uint8Array(view);
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + (i + 1 < bytes.length ? B64[(n >> 6) & 63]! : "=") + "=";
  }
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** What a cell's `import(x)` is compiled to (src/session/cell_converter.ts). */
export const DYNAMIC_IMPORT = "__fb_import";
const DYNAMIC_IMPORT_CALL = new RegExp(`\\b${DYNAMIC_IMPORT}\\(`, "g");

const VM2_STATE = "VM2_INTERNAL_STATE_DO_NOT_USE_OR_PROGRAM_WILL_FAIL";
const VM2_CATCH = new RegExp(`([\\w$]+)=${VM2_STATE}\\.handleException\\(\\1\\);`, "g");
const VM2_CALL = new RegExp(`${VM2_STATE}\\.(?:handleException|wrapWith)\\(`, "g");

/**
 * A function's source as its author wrote it. vm2 compiles sandbox code with a call into
 * its own state at the top of each `catch` block (and around `with` objects); that state
 * exists only in a sandbox, so the calls are taken out (or made plain parentheses) before
 * the source travels to a worker; a cell's dynamic imports become `import()` again.
 */
export function functionSource(fn: Function): string {
  let s = Function.prototype.toString.call(fn);
  if (s.includes(VM2_STATE)) s = s.replace(VM2_CATCH, "").replace(VM2_CALL, "(");
  if (s.includes(DYNAMIC_IMPORT)) s = s.replace(DYNAMIC_IMPORT_CALL, "import(");
  return s;
}

const sandboxModules = new Set<string>();

/** Records that the session evaluated the user's module at this URL in the sandbox (as a cell). */
export function registerSandboxModule(url: string): void {
  sandboxModules.add(url);
}

/** True for a module whose exports travel by value (see {@link registerSandboxModule}). */
export function isSandboxModule(specifier: string): boolean {
  return sandboxModules.has(specifier);
}

let hostJsonParse: ((text: string) => unknown) | undefined;

/** In the sandbox: the host's JSON.parse (the session hands it over), for {@link hostData}. */
export function setHostJsonParse(parse: (text: string) => unknown): void {
  hostJsonParse = parse;
}

/**
 * Plain JSON data (an Avro schema) as a copy made of the host's objects, for a host library
 * that inspects it by reflection (avsc), which vm2's proxies of the sandbox's objects refuse.
 * Outside the sandbox, the value itself.
 */
/**
 * Bytes as a Buffer a host library (avsc) can read: in the sandbox, Buffer is the host's
 * behind vm2's proxy and refuses the sandbox's ArrayBuffers, so the bytes cross as a
 * latin1 string (strings cross as they are).
 */
export function hostBuffer(bytes: Uint8Array): Buffer {
  if (!IN_SANDBOX) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let latin1 = "";
  for (let i = 0; i < bytes.length; i += 8192) latin1 += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return Buffer.from(latin1, "latin1");
}

export function hostData<T>(value: T): T {
  return IN_SANDBOX && hostJsonParse ? (hostJsonParse(JSON.stringify(value)) as T) : value;
}
