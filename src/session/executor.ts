/**
 * The executor: runs converted cells (cell_converter.ts) in the session's scope, and stops
 * them when asked.
 *
 * Where cells run. In the session's vm2 sandbox (sandbox/sandbox.ts), whose globals are
 * the session's scope: the sandbox's flowbook API and the session's globals (`args`,
 * `display`, `console`, `process`, `require`) are properties of its global object, next to
 * `Math`, `Promise`, `Buffer`, `setTimeout`; every name a cell declares is a global `let`
 * binding (Sandbox.declare). A sandbox per session: no other session shares it. The
 * user's modules run in scope objects of their own.
 *
 * How a cell runs. The converted cell is a generator whose `yield`s are the cell's top-level
 * `await`s. The executor drives it: each stretch of the cell's own code between two awaits
 * runs inside `vm.Script#runInContext(..., { breakOnSigint: true })`, so a SIGINT stops a
 * busy loop there; while the cell waits on a promise, an interrupt (SIGINT, `interrupt()`,
 * an AbortSignal) throws an `Interrupted` error into the cell at that `await` — its
 * `finally` blocks run, and the session keeps its state.
 */
import fs from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import { DYNAMIC_IMPORT } from "../graph/realm.js";
import type { ConvertedCell } from "./cell_converter.js";
import type { Sandbox } from "./sandbox/sandbox.js";

/** The error an interrupted cell ends with. */
export class InterruptedError extends Error {
  constructor(message = "Interrupted") {
    super(message);
    this.name = "Interrupted";
  }
}

export interface ExecutorOptions {
  /** Where cells run. */
  sandbox: Sandbox;
  /** Base directory of `require` and of relative imports when a run gives none. */
  cwd: string;
  /** The names every cell sees before it declares any (the API, `args`, `display`, ...). */
  globals: Record<string, unknown>;
  /** Modules served by the session instead of Node (`"flowbook"` → the preloaded API). */
  builtinModules?: Record<string, unknown>;
  /** Stop running cells on SIGINT while one runs (default true). */
  handleSigint?: boolean;
  /**
   * Converts a module of the user's (a `.ts`/`.js` file outside node_modules that a cell
   * imports) to run in the sandbox too, and names its script for error mapping.
   */
  convertModule?: (code: string, file: string) => Promise<{ cell: ConvertedCell; scriptName: string }>;
  /** The globals of such a module besides its own `require` (`console`, `process`). */
  moduleGlobals?: Record<string, unknown>;
}

export interface RunOptions {
  /** The name V8 gives the script (stack frames); error_mapping.ts maps it back. */
  scriptName: string;
  /** Directory that relative imports of this cell resolve from. */
  baseDir?: string;
  signal?: AbortSignal;
}

export interface RunResult {
  value: unknown;
  hasValue: boolean;
}

export interface Executor {
  /** The session's scope (the sandbox's global object): globals and every name cells declared. */
  readonly scope: Record<string, unknown>;
  /** The names this executor put in the scope: the globals it was given and what cells declared. */
  names(): string[];
  /** Runs a converted cell to its end (its last top-level await included). */
  run(cell: ConvertedCell, options: RunOptions): Promise<RunResult>;
  /** Interrupts the running cell, if any (a waiting one at once; a busy one needs SIGINT). */
  interrupt(): void;
  /** Loads the modules a cell imports (before it runs). */
  loadModules(specifiers: readonly string[], baseDir: string): Promise<unknown[]>;
  readonly running: boolean;
}

const stepContext = vm.createContext({ step: undefined as undefined | (() => unknown) });
const stepScript = new vm.Script("step()", { filename: "flowbook:step" });

/** Runs fn where SIGINT terminates it (Node's watchdog), as vm2 does for its timeouts. */
function runInterruptibly<T>(fn: () => T): T {
  stepContext.step = fn;
  try {
    return stepScript.runInContext(stepContext, { breakOnSigint: true, displayErrors: false }) as T;
  } finally {
    stepContext.step = undefined;
  }
}

function isSigintTermination(e: unknown): boolean {
  // Thrown in the watchdog's own context: not an instance of this realm's Error.
  return e !== null && typeof e === "object" && (e as { code?: unknown }).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}

/** A module namespace as the converted code asks for it. */
interface ModuleTable {
  ns(i: number): unknown;
  def(i: number): unknown;
  named(i: number, name: string): unknown;
}

function moduleTable(modules: unknown[]): ModuleTable {
  const get = (i: number) => modules[i] as Record<string, unknown>;
  return {
    ns: get,
    def(i) {
      const m = get(i);
      return m && "default" in m ? m.default : m;
    },
    named(i, name) {
      const m = get(i);
      if (m && name in m) return m[name];
      const d = m?.default as Record<string, unknown> | undefined;
      return d !== null && (typeof d === "object" || typeof d === "function") ? d[name] : undefined;
    },
  };
}

/** `./util.js` written for a `util.ts` beside it (TypeScript's convention) → `util.ts`. */
function localModuleFile(file: string): string {
  if (fs.existsSync(file)) return file;
  const stem = file.replace(/\.(js|mjs|cjs|jsx)$/, "");
  for (const ext of [".ts", ".mts", ".tsx", ".js", ".mjs"]) if (fs.existsSync(stem + ext)) return stem + ext;
  return file;
}

let loaderRegistered = false;
/**
 * Lets Node import the user's own TypeScript modules (transpiled and instrumented by
 * register.ts), unless something already does (tsx, vitest).
 */
async function ensureTypeScriptLoader(): Promise<void> {
  if (loaderRegistered) return;
  loaderRegistered = true;
  if (import.meta.url.endsWith(".ts") || process.env.VITEST) return;
  await import("./register.js");
  // The local runner's worker threads load the same hooks, to import the user's modules too.
  (globalThis as Record<symbol, unknown>)[Symbol.for("flowbook.moduleHooks")] = new URL("./register.js", import.meta.url).href;
}

export function createExecutor(options: ExecutorOptions): Executor {
  const { sandbox } = options;
  const scope = sandbox.global;
  for (const [k, v] of Object.entries(options.globals)) scope[k] = v;
  /** The base directory of the running cell's dynamic imports. */
  let importBase = options.cwd;
  Object.defineProperty(scope, DYNAMIC_IMPORT, { value: (spec: string) => loadModule(String(spec), importBase), enumerable: false });
  const builtinModules = options.builtinModules ?? {};

  let running = false;
  /** Rejects the pending await of the running cell. */
  let interruptWaiting: ((e: Error) => void) | undefined;
  let interruptRequested = false;

  function interrupt(): void {
    if (!running) return;
    interruptRequested = true;
    interruptWaiting?.(new InterruptedError());
  }

  /** The user's modules evaluated in the sandbox, by file: re-evaluated when the file changed. */
  const userModules = new Map<string, { mtimeMs: number; ns: Record<string, unknown> }>();

  /**
   * Evaluates a module of the user's in the sandbox, in a scope of its own, as a cell is:
   * its classes extend the sandbox's DoFn, and its functions travel by value with what
   * they capture (so a Flink worker needs no access to the file).
   */
  async function loadUserModule(file: string): Promise<Record<string, unknown>> {
    const mtimeMs = fs.statSync(file).mtimeMs;
    const cached = userModules.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.ns;
    const code = fs.readFileSync(file, "utf8");
    const { cell, scriptName } = await options.convertModule!(code, file);
    const ns = sandbox.newScope();
    // Registered before it runs, so an import cycle gets the namespace being filled.
    userModules.set(file, { mtimeMs, ns });
    sandbox.exports.registerSandboxModule(pathToFileURL(file).href);
    try {
      const dir = path.dirname(file);
      const modules = cell.imports.length ? await loadModules(cell.imports, dir) : [];
      const moduleScope = sandbox.newScope();
      for (const [k, v] of Object.entries(options.moduleGlobals ?? {})) moduleScope[k] = v;
      moduleScope.require = createRequire(file);
      moduleScope.__fb_meta = { url: pathToFileURL(file).href, filename: file, dirname: dir };
      Object.defineProperty(moduleScope, DYNAMIC_IMPORT, { value: (spec: string) => loadModule(String(spec), dir), enumerable: false });
      sandbox.exports.installInstrumentationGlobals(moduleScope);
      for (const n of cell.runtimeNames) moduleScope[n] = undefined;
      const out: { default?: unknown } = {};
      const factory = sandbox.compile(cell.code, scriptName) as (...a: unknown[]) => () => Generator<unknown, unknown, unknown>;
      await drive(factory(moduleScope, moduleTable(modules), out, sandbox.asyncIterator)());
      for (const e of cell.exports) {
        if ("star" in e) {
          const from = moduleScope[e.star] as Record<string, unknown>;
          for (const k of Object.keys(from ?? {})) if (k !== "default" && !(k in ns)) Object.defineProperty(ns, k, { get: () => from[k], enumerable: true });
        } else Object.defineProperty(ns, e.name, { get: () => moduleScope[e.local], enumerable: true });
      }
      if ("default" in out) Object.defineProperty(ns, "default", { value: out.default, enumerable: true });
      return ns;
    } catch (e) {
      userModules.delete(file);
      throw e;
    }
  }

  /** A file a cell imports that is the user's own module, not a package's or CommonJS. */
  function isUserModule(file: string): boolean {
    if (!options.convertModule || !/\.(ts|mts|tsx|js|mjs)$/.test(file) || file.split(path.sep).includes("node_modules")) return false;
    if (!/\.(js|mjs)$/.test(file)) return true;
    const text = fs.readFileSync(file, "utf8");
    return !/\bmodule\.exports\b|\bexports\.[A-Za-z_$]/.test(text) || /^\s*(import|export)\s/m.test(text);
  }

  async function loadModule(spec: string, baseDir: string): Promise<unknown> {
    if (Object.prototype.hasOwnProperty.call(builtinModules, spec)) return builtinModules[spec];
    if (isBuiltin(spec)) return import(spec.startsWith("node:") ? spec : `node:${spec}`);
    if (spec.startsWith("./") || spec.startsWith("../") || path.isAbsolute(spec) || spec.startsWith("file:")) {
      const file = localModuleFile(spec.startsWith("file:") ? fileURLToPath(spec) : path.resolve(baseDir, spec));
      if (fs.existsSync(file) && isUserModule(file)) return loadUserModule(file);
      if (/\.(ts|mts|cts|tsx)$/.test(file)) await ensureTypeScriptLoader();
      return import(pathToFileURL(file).href);
    }
    if (/^[a-zA-Z][a-zA-Z\d+.-]+:/.test(spec)) return import(spec);
    let resolved: string | undefined;
    try {
      resolved = createRequire(path.join(baseDir, "__flowbook__.js")).resolve(spec);
    } catch {
      resolved = undefined;
    }
    return import(resolved ? pathToFileURL(resolved).href : spec);
  }

  async function loadModules(specifiers: readonly string[], baseDir: string): Promise<unknown[]> {
    return Promise.all(specifiers.map((s) => loadModule(s, baseDir)));
  }

  async function run(cell: ConvertedCell, runOptions: RunOptions): Promise<RunResult> {
    if (running) throw new Error("a cell is already running in this session");
    running = true;
    interruptRequested = false;
    const onSigint = () => interrupt();
    const onAbort = () => interrupt();
    if (options.handleSigint !== false) process.on("SIGINT", onSigint);
    runOptions.signal?.addEventListener("abort", onAbort);
    try {
      if (runOptions.signal?.aborted) throw new InterruptedError();
      importBase = runOptions.baseDir ?? options.cwd;
      const modules = cell.imports.length ? await loadModules(cell.imports, importBase) : [];
      sandbox.declare(cell.runtimeNames);
      const out: { value?: unknown } = {};
      const factory = sandbox.compile(cell.code, runOptions.scriptName) as (...a: unknown[]) => () => Generator<unknown, unknown, unknown>;
      const gen = factory(scope, moduleTable(modules), out, sandbox.asyncIterator)();
      await drive(gen);
      return { value: out.value, hasValue: "value" in out };
    } catch (e) {
      if (isSigintTermination(e)) throw new InterruptedError();
      throw e;
    } finally {
      running = false;
      interruptWaiting = undefined;
      if (options.handleSigint !== false) process.off("SIGINT", onSigint);
      runOptions.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Steps the cell's generator: its code under the SIGINT watchdog, its awaits interruptible. */
  async function drive(gen: Generator<unknown, unknown, unknown>): Promise<void> {
    let input: unknown;
    let throwing = false;
    let interruptsDelivered = 0;
    for (;;) {
      const r = runInterruptibly(() => (throwing ? gen.throw(input) : gen.next(input)));
      if (r.done) return;
      if (interruptsDelivered > 0) {
        // The cell caught the interrupt and went on waiting: stop it for good.
        runInterruptibly(() => gen.return(undefined));
        throw new InterruptedError();
      }
      const interrupted = new Promise<never>((_, reject) => {
        interruptWaiting = reject;
        if (interruptRequested) reject(new InterruptedError());
      });
      try {
        input = await Promise.race([r.value, interrupted]);
        throwing = false;
      } catch (e) {
        input = e;
        throwing = true;
        if (e instanceof InterruptedError) interruptsDelivered++;
      } finally {
        interruptWaiting = undefined;
      }
    }
  }

  return {
    scope,
    names: () => [...new Set([...Object.keys(options.globals), ...sandbox.declared])],
    run,
    interrupt,
    loadModules,
    get running() {
      return running;
    },
  };
}
