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
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { HostRunners } from "./forwarding_runner.js";
import { bundleFilename, loadApiBundle } from "./api_bundle.js";

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
  setDefaultPipelineOptions(options: Record<string, unknown>): void;
  setShowDisplay(hook: ((value: unknown) => void) | undefined): void;
  setTransformOwner(owner: string | undefined): void;
}

export interface Sandbox {
  readonly exports: SandboxApi;
  /** A fresh scope object of the sandbox's realm (null prototype). */
  newScope(): Record<string, unknown>;
  /** Compiles a converted cell in the sandbox; returns what its wrapper evaluates to. */
  compile(code: string, filename: string): unknown;
  /** `for await` over a value, in the sandbox (the converted cell's helper). */
  readonly asyncIterator: unknown;
}

/** Host built-ins a cell's code may use besides the JavaScript ones (vm2 adds Buffer). */
const HOST_GLOBALS = [
  "URL", "URLSearchParams", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate",
  "clearImmediate", "queueMicrotask", "structuredClone", "performance", "AbortController", "AbortSignal", "fetch",
  "atob", "btoa", "crypto", "Blob", "Event", "EventTarget", "Headers", "Request", "Response", "FormData",
  "MessageChannel", "BroadcastChannel",
];

const HELPERS = `(function () {
  "use strict";
  return {
    newScope: function () { return Object.create(null); },
    asyncIterator: function (x) {
      if (x != null && typeof x[Symbol.asyncIterator] === "function") return x[Symbol.asyncIterator]();
      const it = x[Symbol.iterator]();
      return { next: async function () { const r = it.next(); return r.done ? r : { done: false, value: await r.value }; } };
    },
  };
})()`;

export interface SandboxOptions {
  /** Globals of the sandbox besides HOST_GLOBALS (the session's console and process). */
  globals: Record<string, unknown>;
  /** The base of the bundle's `require` (Node's modules, avsc). */
  requireFrom?: string;
}

export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const code = await loadApiBundle();
  const g = globalThis as Record<string, unknown>;
  const sandboxGlobals: Record<string, unknown> = {};
  for (const name of HOST_GLOBALS) if (g[name] !== undefined) sandboxGlobals[name] = g[name];
  Object.assign(sandboxGlobals, options.globals);
  const vm = new vm2.VM({ sandbox: sandboxGlobals, eval: true, wasm: true, allowAsync: true });
  const wrapper = `(function (require, __fb_bundle_url) { var module = { exports: {} }, exports = module.exports;\n${code}\nreturn module.exports; })`;
  const factory = vm.run(new vm2.VMScript(wrapper, { filename: bundleFilename, lineOffset: -1 })) as (req: unknown, url: string) => SandboxApi;
  const bundleRequire = createRequire(options.requireFrom ?? bundleFilename);
  const exports = factory(bundleRequire, pathToFileURL(bundleFilename).href);
  const helpers = vm.run(HELPERS) as { newScope(): Record<string, unknown>; asyncIterator: unknown };
  return {
    exports,
    newScope: () => helpers.newScope(),
    compile: (cellCode, filename) => vm.run(new vm2.VMScript(cellCode, { filename, lineOffset: -1 })),
    asyncIterator: helpers.asyncIterator,
  };
}

/** The directory the bundle counts as flowbook's own code. */
export const sandboxBundleDir = path.dirname(bundleFilename);
