/**
 * The vm2 sandbox a session's cells run in: a vm2 `VM` (its own context and intrinsics,
 * host objects reached only through vm2's proxies) holding the session's own copy of the
 * API (api_bundle.ts), so that everything a cell builds — pipelines, DoFns, its classes
 * that extend the SDK's — belongs to one realm. Runs go to the host's runners as JSON
 * (forwarding_runner.ts). The session's internals (a kernel's key and sockets, the REPL's
 * state, this module) are not globals of the sandbox; what a cell can reach of the host is
 * what the session hands it: the API, `require`, `process`, `console`, `display`.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import type { HostRunners } from "./forwarding_runner.js";
import type { InteractiveServices } from "../../display/interactive/services.js";
import { bundleFilename, loadApiBundle } from "./api_bundle.js";
import { cachedVMScript } from "./vm2_script_cache.js";

type VM2 = typeof import("vm2");
const vm2 = createRequire(import.meta.url)("vm2") as VM2;

/** The bundle's exports (sandbox_entry.ts), as the host sees them through vm2. */
export interface SandboxApi {
  api: Record<string, unknown>;
  connectHostRunners(host: HostRunners): void;
  installInstrumentationGlobals(target: object): void;
  onPipelineRun(listener: (result: unknown, graph: unknown) => void): () => void;
  onPipelineCreated(listener: (pipeline: object) => void): () => void;
  graphJson(pipeline: object): string;
  registerSandboxModule(url: string): void;
  setHostJsonParse(parse: (text: string) => unknown): void;
  setDefaultPipelineOptions(options: Record<string, unknown>): void;
  connectInteractiveServices(services: InteractiveServices): void;
  bundleJson(value: unknown): Promise<string>;
  setTransformOwner(owner: string | undefined): void;
}

export interface Sandbox {
  readonly exports: SandboxApi;
  /** The sandbox's global object: the scope of a session's cells. */
  readonly global: Record<string, unknown>;
  /**
   * Declares names of cells as the sandbox's global `let` bindings (once each): a cell's
   * code then reaches them as fast as its own locals, where a property of a vm context's
   * global object costs a call into Node (3 million updates in a loop: 48 ms against 2.2 s).
   */
  declare(names: readonly string[]): void;
  /** Every name declared so far, in the order of first declaration. */
  readonly declared: ReadonlySet<string>;
  /** A fresh scope object of the sandbox's realm (null prototype). */
  newScope(): Record<string, unknown>;
  /** Compiles a converted cell in the sandbox; returns what its wrapper evaluates to. */
  compile(code: string, filename: string): unknown;
  /** `for await` over a value, in the sandbox (the converted cell's helper). */
  readonly asyncIterator: unknown;
  /** A value as util.inspect should see it: the sandbox's objects copied into the host's (to `depth`). */
  hostView(value: unknown, depth?: number): unknown;
}

/** Host built-ins a cell's code may use besides the JavaScript ones (vm2 adds Buffer). */
const HOST_GLOBALS = [
  "URL", "URLSearchParams", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate",
  "clearImmediate", "queueMicrotask", "performance", "AbortController", "AbortSignal", "fetch",
  "atob", "btoa", "crypto", "Blob", "Event", "EventTarget", "Headers", "Request", "Response", "FormData",
  "MessageChannel", "BroadcastChannel",
];

/** Globals that cannot be rebound with `var` (or need not be). */
const UNBINDABLE = new Set(["undefined", "NaN", "Infinity", "eval", "arguments", "globalThis"]);

const HELPERS = `(function () {
  "use strict";
  return {
    newScope: function () { return Object.create(null); },
    asyncIterator: function (x) {
      if (x != null && typeof x[Symbol.asyncIterator] === "function") return x[Symbol.asyncIterator]();
      const it = x[Symbol.iterator]();
      return { next: async function () { const r = it.next(); return r.done ? r : { done: false, value: await r.value }; } };
    },
    // A copy of a value made of the host's objects, for util.inspect (which sees the
    // sandbox's Maps, Sets and Dates through vm2's proxies as empty, and its class
    // instances without their class names). Functions, errors and promises stay as they
    // are; an object with its own inspect method shows what that returns.
    hostView: function (value, host, maxDepth) {
      const seen = new Map();
      const custom = Symbol.for("nodejs.util.inspect.custom");
      function view(v, depth) {
        if (v === null || typeof v !== "object" || depth > maxDepth) return v;
        if (seen.has(v)) return seen.get(v);
        if (v instanceof Error || v instanceof Promise) return v;
        // Its own inspect method, called here: the host cannot see symbol-keyed methods.
        if (typeof v[custom] === "function") {
          const shown = v[custom](maxDepth - depth, {}, undefined);
          return typeof shown === "string" ? host.inspected(shown) : view(shown, depth);
        }
        let out;
        if (v instanceof Map) {
          out = host.map();
          seen.set(v, out);
          for (const [k, x] of v) out.set(view(k, depth + 1), view(x, depth + 1));
        } else if (v instanceof Set) {
          out = host.set();
          seen.set(v, out);
          for (const x of v) out.add(view(x, depth + 1));
        } else if (v instanceof Date) out = host.date(v.getTime());
        else if (v instanceof RegExp) out = host.regexp(v.source, v.flags);
        else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) out = host.typed(Object.getPrototypeOf(v).constructor.name, Array.from(v));
        else if (Array.isArray(v)) {
          out = host.array();
          seen.set(v, out);
          for (let i = 0; i < v.length; i++) out.push(view(v[i], depth + 1));
        } else {
          const proto = Object.getPrototypeOf(v);
          const ctor = proto && Object.getOwnPropertyDescriptor(proto, "constructor");
          const name = ctor && typeof ctor.value === "function" && ctor.value !== Object ? String(ctor.value.name) : "";
          out = host.object(name, proto === null);
          seen.set(v, out);
          for (const k of Object.keys(v)) out[k] = view(v[k], depth + 1);
        }
        return out;
      }
      return view(value, 0);
    },
  };
})()`;

/**
 * What an object's own inspect method returned. The method is on the class: vm2 strips an
 * inspect method from the objects themselves as they cross into the sandbox.
 */
const shownTexts = new WeakMap<object, string>();
class Shown {
  [inspect.custom](): string {
    return shownTexts.get(this) ?? "";
  }
}

/**
 * What the sandbox's hostView builds with: objects made here (vm2 maps the host's
 * built-in constructors to the sandbox's own, so `new host.Map()` would not do).
 */
const namedClasses = new Map<string, new () => object>();
const HOST_BUILDERS = {
  map: () => new Map<unknown, unknown>(),
  set: () => new Set<unknown>(),
  date: (time: number) => new Date(time),
  regexp: (source: string, flags: string) => new RegExp(source, flags),
  array: () => [] as unknown[],
  inspected: (text: string) => {
    const shown = new Shown();
    shownTexts.set(shown, text);
    return shown;
  },
  typed: (name: string, values: number[]) => {
    const C = (globalThis as Record<string, unknown>)[name] as { from(v: number[]): unknown } | undefined;
    return typeof C?.from === "function" ? C.from(values) : values;
  },
  object: (name: string, nullProto: boolean): object => {
    if (nullProto) return Object.create(null) as object;
    if (!name) return {};
    let C = namedClasses.get(name);
    if (!C) namedClasses.set(name, (C = { [name]: class {} }[name]!));
    return new C();
  },
};

export interface SandboxOptions {
  /** Globals of the sandbox besides HOST_GLOBALS (the session's console and process). */
  globals: Record<string, unknown>;
}

export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const code = await loadApiBundle();
  const g = globalThis as Record<string, unknown>;
  const sandboxGlobals: Record<string, unknown> = {};
  for (const name of HOST_GLOBALS) if (g[name] !== undefined) sandboxGlobals[name] = g[name];
  Object.assign(sandboxGlobals, options.globals);
  const vm = new vm2.VM({ sandbox: sandboxGlobals, eval: true, wasm: true, allowAsync: true });
  // Cells declare their names on the global object, and may redeclare `URL` or `Map`: the
  // bundle and the helpers bind every global they could use as it is now.
  const names = vm.run("Object.getOwnPropertyNames(globalThis)") as string[];
  const bindable = [...names].filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !UNBINDABLE.has(n));
  const prelude = `var ${bindable.map((n) => `${n} = globalThis.${n}`).join(", ")};`;
  const wrapper = `(function (require, __fb_bundle_url) { ${prelude} var module = { exports: {} }, exports = module.exports;\n${code}\nreturn module.exports; })`;
  const factory = vm.run(cachedVMScript(vm2, wrapper, { filename: bundleFilename, lineOffset: -1 })) as (req: unknown, url: string) => SandboxApi;
  // The bundle's require: Node's modules and the packages it leaves out (avsc, typescript).
  const bundleRequire = createRequire(bundleFilename);
  const exports = factory(bundleRequire, pathToFileURL(bundleFilename).href);
  exports.setHostJsonParse(JSON.parse);
  const helpers = vm.run(cachedVMScript(vm2, `(function () { ${prelude} return ${HELPERS}; })()`, { filename: "flowbook-sandbox-helpers.js" })) as {
    newScope(): Record<string, unknown>;
    asyncIterator: unknown;
    hostView(value: unknown, host: typeof HOST_BUILDERS, depth: number): unknown;
  };
  const global = vm.run("globalThis") as Record<string, unknown>;
  const lexical = new Set<string>();
  return {
    exports,
    global,
    declared: lexical,
    declare(names) {
      const fresh = names.filter((n) => !lexical.has(n));
      if (!fresh.length) return;
      try {
        vm.run(`let ${fresh.join(", ")};`);
      } catch {
        // One of them cannot be (a global such as \`undefined\`): it stays a global property.
        for (const n of fresh) {
          try {
            vm.run(`let ${n};`);
          } catch {
            if (!(n in global)) global[n] = undefined;
          }
        }
      }
      for (const n of fresh) lexical.add(n);
    },
    newScope: () => helpers.newScope(),
    compile: (cellCode, filename) => vm.run(new vm2.VMScript(cellCode, { filename, lineOffset: -1 })),
    asyncIterator: helpers.asyncIterator,
    hostView: (value, depth = 8) => helpers.hostView(value, HOST_BUILDERS, depth),
  };
}
