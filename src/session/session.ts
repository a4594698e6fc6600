/**
 * The session: one evaluator for notebook cells (kernel/), REPL inputs (repl/) and scripts
 * (`flowbook run FILE.ts`, run_file.ts). The interface comes first; `createSession` below
 * builds it from the converter (cell_converter.ts), the executor (executor.ts), the type
 * checker and language service (type_checker.ts, language_service.ts) and error mapping
 * (error_mapping.ts), in a vm2 sandbox (sandbox/). README.md says how state persists and how
 * interrupts work.
 */
import { createHash } from "node:crypto";
import { Console } from "node:console";
import { createRequire } from "node:module";
import path from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import util from "node:util";
import { CellSyntaxError, convertCell, setInstrumenter, warmUpConverter, type ConvertedCell, type SourceDiagnostic } from "./cell_converter.js";
import { InterruptedError, createExecutor, type Executor } from "./executor.js";
import type { PipelineResult } from "../sdk/runner.js";
import type { CellOutput, CellRef } from "../display/outputs.js";
import type { MimeBundle } from "../display/mime.js";
import type { InteractiveServices } from "../display/interactive/services.js";
import { hostServices } from "../display/interactive/host_services.js";
import { SampleService } from "../display/samples/sample_service.js";
import { flinkJobGraphOf, flinkJobGraphOfJob, flinkPlanOf, translationTraceOf } from "../runners/flink/explain/index.js";
import type { TranslationTrace } from "../runners/flink/translation_trace.js";
import { resolveRunner } from "../sdk/runner.js";
import { CellOutputs, cancelWithin, type CellScope } from "./cell_outputs.js";
import type { PipelineGraph } from "../graph/types.js";
import { hostRunners } from "./sandbox/host_runners.js";
import { createSandbox, type Sandbox } from "./sandbox/sandbox.js";
import { vm2ColumnMapper } from "./sandbox/vm2_positions.js";
import { diagnosticLines, formatDiagnostics, formatRuntimeError, registerSource, SourceRegistry, type FormattedError } from "./error_mapping.js";
import { isComplete as isCompleteCode, type IsCompleteResult } from "./is_complete.js";
import { SESSION_GLOBALS_DTS, defaultApiEntry } from "./language_service.js";
import { createTypeChecker, type TypeChecker } from "./type_checker.js";

// --- the interface -----------------------------------------------------------------------

export interface Session {
  /**
   * Runs one cell. Resolves when the cell has finished (its top-level awaits included), with
   * its value or its error; never rejects for the cell's own errors. Cells run one at a time.
   */
  execute(code: string, options?: ExecuteOptions): Promise<CellResult>;
  /**
   * Completions at an offset of `code` (Jupyter's complete_request): members after `p.`,
   * names elsewhere. Offsets are JavaScript string indices (UTF-16); Jupyter counts code points.
   */
  complete(code: string, cursor: number): Promise<CompleteResult>;
  /** What is under the cursor (Jupyter's inspect_request): its type or signature and doc comment. */
  inspect(code: string, cursor: number): Promise<InspectResult>;
  /** complete / incomplete / invalid: whether the REPL should run `code` or read another line. */
  isComplete(code: string): IsCompleteResult;
  /**
   * Interrupts the running cell: a cell waiting on a promise stops at once with an
   * `Interrupted` error thrown at its await; a cell busy in its own code stops when the
   * process gets SIGINT (which the session handles while a cell runs). State is kept.
   */
  interrupt(): void;
  /** Forgets every name cells declared and starts the numbering again; the API stays loaded. */
  reset(): Promise<void>;
  /** Cancels the pipelines cells left running (waiting at most 5 s) and stops the type checker; the session is unusable afterwards. */
  dispose(): Promise<void>;
  /** Resolves when the API and the converter are loaded (execute awaits it too). */
  ready(): Promise<void>;
  /**
   * The graphs (src/graph/types.ts) of the pipelines cells created, as they are now, oldest
   * first: what a front end shows or explains. Empty until ready() resolved.
   */
  pipelineGraphs(): PipelineGraph[];
  /**
   * A value as text, as util.inspect shows it (a cell's result for text/plain). Use this
   * rather than util.inspect: the sandbox's Maps, Sets, Dates and class instances reach
   * the host through vm2's proxies, which util.inspect cannot look into.
   */
  formatValue(value: unknown, options?: util.InspectOptions): string;
  /**
   * The Flink plan of a pipeline graph (one of pipelineGraphs()), drawn as `explain(p)` in a
   * cell draws it: a text tree fitted to `width`, SVG, PNG. Throws naming what Flink cannot run.
   */
  explainGraph(graph: PipelineGraph, options?: Record<string, unknown>, width?: number): Promise<MimeBundle>;
  /**
   * The recorded Flink translation of a pipeline graph (one of pipelineGraphs()): every step
   * the translator took, what it made and why — what the REPL's `.plan --step` walks. A
   * refused pipeline's trace ends at the refusal (`trace.error`).
   */
  translationTrace(graph: PipelineGraph, options?: Record<string, unknown>): TranslationTrace;
  /**
   * Defaults for pipelines cells create from now on (the REPL's `.runner flink host:port`):
   * merged over the session's `pipelineOptions`; `{ runner: "direct" }` goes back to local.
   */
  setPipelineOptions(options: Record<string, unknown>): void;
  /**
   * Jupyter's user_expressions: each expression evaluated in the cells' scope after the
   * cell, without counting as an execution or entering history; its value as a mime bundle,
   * or its error. Queued behind running cells like one.
   */
  evaluateExpressions(expressions: Record<string, string>): Promise<Record<string, ExpressionResult>>;
  /** Number of cells executed so far (Jupyter's execution_count). */
  readonly executionCount: number;
}

/** One user expression's value (Jupyter's shape: a mime bundle) or its error. */
export type ExpressionResult =
  | { status: "ok"; data: MimeBundle; metadata: Record<string, unknown> }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

export type TypeCheckMode = "warn" | "error" | "off";

export interface SessionOptions {
  /** `warn` (default): type errors are reported, the cell runs; `error`: they stop it; `off`. */
  typeCheck?: TypeCheckMode;
  /**
   * Base of `require` and relative imports (default process.cwd()). File names in pipelines
   * resolve from the process's working directory, where the runners' workers run.
   */
  cwd?: string;
  /** Script arguments: `args` in cells, and `process.argv.slice(2)`. */
  args?: readonly string[];
  /** The script being run (`process.argv[1]` in cells), for run_file. */
  script?: string;
  /**
   * Every output of every execution that gave no `onOutput` of its own (the front-end
   * contract, src/display/outputs.ts). Without either, streams go to `stdout`/`stderr`
   * and displays are printed as their text/plain.
   */
  onOutput?: (output: CellOutput) => void;
  /** Where a cell's console and process.stdout writes go when nobody takes outputs (default: this process's stdout). */
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Columns of text/plain displays: a terminal's width (default 100, a notebook's). */
  displayWidth?: number | (() => number);
  /** A live progress display for each cell's runs, updated in place (the kernel and the REPL; default off). */
  progress?: boolean;
  /** How prompt() reads a line when the execution gave no `input` of its own. */
  input?: (prompt: string, options: { password: boolean }) => Promise<string>;
  /**
   * Defaults for Pipeline.create() (e.g. `{ runner: "flink", flinkMaster }` from the CLI).
   * They are the SDK's, for the whole process: the last session given some sets them.
   */
  pipelineOptions?: Record<string, unknown>;
  /** Interrupt the running cell on SIGINT (default true). */
  handleSigint?: boolean;
  /** Colors in console output of cells (default false). */
  colors?: boolean;
  /** Run the type checker in this thread rather than a worker (for tests). */
  checkerInProcess?: boolean;
  /** Build pipelines but run none (`flowbook explain`): run() returns a result that did nothing. */
  dryRun?: boolean;
}

export interface ExecuteOptions {
  /**
   * A stable identity of the cell (Jupyter's `metadata.cellId`). Transforms a cell applies are
   * owned by it, so running it again replaces them. Without it the identity is the code's
   * hash: running the same code again is idempotent, edited code is a new cell.
   */
  cellId?: string;
  /** Aborting interrupts the cell. */
  signal?: AbortSignal;
  /** The name the cell goes by in errors (default `cell[N]`); a script's path for run_file. */
  filename?: string;
  /** "ts" (default) or "js". */
  language?: "ts" | "js";
  /** Where this cell's streams go when nobody takes its outputs (also after the cell ended). */
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /**
   * Every output of this execution, in order (src/display/outputs.ts): stream, display,
   * update, result, error — including what arrives after execute() resolved (a timer, a
   * pipeline still running, a worker's console.log), until the session is disposed.
   * Given, it replaces the stdout/stderr hooks above for this cell.
   */
  onOutput?: (output: CellOutput) => void;
  /**
   * How `await prompt("Name? ")` (and `prompt(q, { password: true })`) in the cell reads a
   * line: Jupyter's input_request, the REPL's own prompt. Without it, prompt() throws saying
   * this front end takes no input.
   */
  input?: (prompt: string, options: { password: boolean }) => Promise<string>;
}

/** A pipeline run a cell started (its own p.run(), or a sample run of show/collect/chart). */
export interface CellRun {
  readonly result: PipelineResult;
  readonly runner: string;
  /** "run": the cell's p.run(); "sample": computing a sample for show/collect/chart. */
  readonly purpose: "run" | "sample";
  /** The cell waited for the run (waitUntilFinish, or cancel): its failure was the cell's to handle. */
  readonly awaited: boolean;
}

export interface CellResult {
  status: "ok" | "error";
  executionCount: number;
  /** True when the cell ended with an expression; `value` is its value. */
  hasValue: boolean;
  value?: unknown;
  error?: CellError;
  /**
   * The cell's type errors in `warn` mode, checked once the cell has run (in a worker, so
   * the next cell need not wait); front ends show them as warnings when they come. Empty
   * when off; in `error` mode they are the cell's error instead.
   */
  typeErrors: Promise<readonly CellDiagnostic[]>;
  durationMs: number;
  /** This execution, as its outputs name it. */
  cell: CellRef;
  /** The runs the cell started, in order (some may still be running). */
  runs: readonly CellRun[];
}

export interface CellError extends FormattedError {
  kind: "syntax" | "type" | "runtime" | "interrupted";
  /** The thrown value, for runtime errors. */
  thrown?: unknown;
  /** Syntax and type errors, with 0-based positions in the cell. */
  diagnostics?: readonly CellDiagnostic[];
}

export interface CellDiagnostic extends SourceDiagnostic {
  /** As shown: `cell[3]:2:5 - warning TS2322: ...`, the line of code, a caret. */
  text: string[];
}

export interface CompleteResult {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  /** Jupyter's `metadata._jupyter_types_experimental`. */
  items: Array<{ text: string; type: string; start: number; end: number }>;
}

export interface InspectResult {
  found: boolean;
  /** Jupyter's inspect_reply data: text/plain and text/markdown. */
  data: Record<string, string>;
}

// --- the implementation ----------------------------------------------------------------

/**
 * A converted cell or module for error mapping: V8's lines are one less than the converted
 * code's (compiled with lineOffset -1), and its columns count vm2's insertions.
 */
function mappedSource(scriptName: string, displayName: string, source: string, converted: ConvertedCell) {
  const vm2Column = vm2ColumnMapper(converted.code);
  const original = (line: number, column: number) => converted.mapper.original(line + 1, vm2Column(line + 1, column));
  return { scriptName, displayName, source, mapper: { original } };
}

const SESSION_GLOBALS = ["args", "prompt", "console", "process", "require"];

/**
 * A promise as `Promise { <pending> }` or `Promise { value }`: a promise made in a cell
 * carries async_hooks' own symbols (the cell's output scope among them), which util.inspect
 * would print and which are nobody's business.
 */
function inspectPromise(p: unknown, opts: util.InspectOptions): string {
  const text = util.inspect(p, { ...opts, depth: 0 }).replace(/,?\s*\[Symbol\((?:async_id_symbol|trigger_async_id_symbol|kResourceStore)\)\]: [^,\n]*(?=,|\n|\s*\})/g, "");
  // The sandbox's promises reach the host through vm2 as `localPromise [Promise]`.
  const inner = /^\S*Promise(?: \[Promise\])? \{\s*([^]*?)\s*\}$/.exec(text)?.[1];
  // vm2's proxy hides a sandbox promise's state: "…" says so (a cell's value says more: calls.ts).
  return inner === undefined ? text : `Promise { ${inner.replace(/\s*\n\s*/g, " ") || "…"} }`;
}

export function createSession(options: SessionOptions = {}): Session {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const args = [...(options.args ?? [])];
  const typeCheck = options.typeCheck ?? "warn";
  const outputs = new CellOutputs({
    onOutput: options.onOutput,
    stdout: options.stdout ?? ((t: string) => void process.stdout.write(t)),
    stderr: options.stderr ?? ((t: string) => void process.stderr.write(t)),
    progress: options.progress ?? false,
    width: () => width(),
  });
  const width = () => (typeof options.displayWidth === "function" ? options.displayWidth() : options.displayWidth ?? 100);
  const write = {
    out: (t: string) => outputs.stream("stdout", t),
    err: (t: string) => outputs.stream("stderr", t),
  };
  const registry = new SourceRegistry();
  // Started on first use (the first cell's check, a completion): its start-up (TypeScript,
  // the standard library, the API's declarations: 1–2 s) then does not compete with the
  // session's own for the first cell.
  let lazyChecker: TypeChecker | undefined;
  const getChecker = () =>
    (lazyChecker ??= createTypeChecker({
      cwd,
      apiEntry: defaultApiEntry(),
      globalsDts: SESSION_GLOBALS_DTS,
      inProcess: options.checkerInProcess,
    }));

  let count = 0;
  let disposed = false;
  let executor: Executor | undefined;
  let sandbox: Sandbox | undefined;
  /** The sandbox's pipelines that cells created (since the last reset). */
  let created: object[] = [];
  let api: Record<string, unknown> = {};
  let queue: Promise<unknown> = Promise.resolve();
  let pipelineDefaults: Record<string, unknown> = { ...(options.pipelineOptions ?? {}) };

  const stream = (w: (t: string) => void) => {
    const s = new Writable({
      decodeStrings: false,
      write(chunk: unknown, _encoding, callback) {
        w(typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk));
        callback();
      },
    });
    return Object.assign(s, { isTTY: false, columns: 100 });
  };

  /** The cells' console and process (whose stdout and stderr are the session's hooks). */
  function makeStdio(): { console: Console; process: NodeJS.Process } {
    const stdout = stream(write.out);
    const stderr = stream(write.err);
    const cellConsole = new Console({ stdout: stdout as never, stderr: stderr as never, colorMode: options.colors ?? false });
    const processOverrides: Record<PropertyKey, unknown> = {
      argv: [process.execPath, options.script ?? "flowbook", ...args],
      stdout,
      stderr,
    };
    const cellProcess = new Proxy(process, {
      get: (target, key) => (key in processOverrides ? processOverrides[key] : Reflect.get(target, key)),
    });
    // What a cell logs is formatted as formatValue shows it (util.inspect cannot look into
    // the sandbox's Maps, Sets and Dates through vm2's proxies).
    const view = (a: unknown) => (a !== null && typeof a === "object" && sandbox ? sandbox.hostView(a, 6) : a);
    const loggingConsole = new Proxy(cellConsole, {
      get: (target, key) => {
        const v = Reflect.get(target, key) as unknown;
        return typeof v === "function" ? (...a: unknown[]) => (v as (...x: unknown[]) => unknown).apply(target, a.map(view)) : v;
      },
    });
    return { console: loggingConsole, process: cellProcess };
  }
  const stdio = makeStdio();

  /** `await prompt("Name? ")`: a line from the front end (Jupyter's input_request, the REPL's prompt). */
  function prompt(question: unknown = "", opts: { password?: boolean } = {}): Promise<string> {
    const input = outputs.scope?.input ?? options.input;
    if (!input) return Promise.reject(new Error("prompt(): this front end takes no input (a script run by `flowbook run` has no stdin prompt)"));
    return input(String(question), { password: opts?.password === true });
  }

  function makeGlobals(): Record<string, unknown> {
    const req = createRequire(path.join(cwd, "__flowbook__.js"));
    const cellRequire = Object.assign((id: string) => (id === "flowbook" ? api : req(id)), { resolve: req.resolve, cache: req.cache });
    return { ...api, args, prompt, console: stdio.console, process: stdio.process, require: cellRequire };
  }

  /** The host's side of the sandbox's show/collect/chart/graph/explain/display (src/display/interactive). */
  function interactive(): InteractiveServices {
    const samples = new SampleService({
      start: (request, runner) => {
        const result = resolveRunner(runner).run(request);
        outputs.attachRun(result, runner, "sample");
        return result;
      },
    });
    return hostServices({
      samples,
      planOf: (graph, o) => flinkPlanOf(graph, o),
      traceOf: (graph, o) => translationTraceOf(graph, o),
      jobGraphOf: (graph, o) => flinkJobGraphOf(graph, o),
      jobGraphOfJob: (jobId, plan, o) => flinkJobGraphOfJob(jobId, plan, o),
      inspect: (value, columns) => formatValue(value, { colors: false, depth: 4, breakLength: columns }),
      emit: (kind, displayId, bundle) => outputs.emit({ type: kind, displayId, bundle }),
      clear: (wait) => outputs.emit({ type: "clear", wait }),
      width,
    });
  }

  warmUpConverter();
  /** A fresh sandbox with the API loaded, and an executor over it (at start, and on reset). */
  async function startSandbox(): Promise<void> {
    const sb = await createSandbox({ globals: { ...stdio } });
    sb.exports.connectHostRunners(hostRunners({ dryRun: options.dryRun, onRun: (result, runner) => outputs.attachRun(result, runner, "run", () => result.awaited) }));
    sb.exports.connectInteractiveServices(interactive());
    sb.exports.onPipelineCreated((p) => void created.push(p));
    api = { ...sb.exports.api };
    delete api.default;
    sb.exports.setDefaultPipelineOptions(pipelineDefaults);
    sandbox = sb;
    executor = newExecutor(sb);
  }

  async function loadInstrumenter(): Promise<void> {
    try {
      const ins = await import("../graph/instrument/instrument.js");
      setInstrumenter(ins.instrumentCode as never);
    } catch (e) {
      write.err(`flowbook: functions will not carry their captured variables (the instrumenter failed to load: ${(e as Error).message})\n`);
      setInstrumenter(null);
    }
  }

  const init = Promise.all([loadInstrumenter(), startSandbox()]).then(() => undefined);
  init.catch(() => undefined);

  /** A module of the user's that a cell imports, converted to run in the sandbox like a cell. */
  async function convertModule(code: string, file: string): Promise<{ cell: ConvertedCell; scriptName: string }> {
    const rel = path.relative(cwd, file);
    const displayName = rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
    const language = /\.(ts|mts|tsx)$/.test(file) ? "ts" : "js";
    let cell: ConvertedCell;
    try {
      // The absolute path: the instrumenter resolves the module's relative imports from it.
      cell = await convertCell(code, { filename: file, language, module: true });
    } catch (e) {
      if (!(e instanceof CellSyntaxError)) throw e;
      const d = e.diagnostics[0]!;
      throw new SyntaxError(`${d.message} (${displayName}:${d.line + 1}:${d.column + 1})`);
    }
    const scriptName = `flowbook:${displayName}`;
    const source = mappedSource(scriptName, displayName, code, cell);
    registry.add(source);
    registerSource(source);
    return { cell, scriptName };
  }

  function newExecutor(sb: Sandbox): Executor {
    const ex = createExecutor({
      sandbox: sb,
      cwd,
      globals: makeGlobals(),
      builtinModules: { flowbook: api },
      handleSigint: options.handleSigint,
      convertModule,
      moduleGlobals: { ...stdio },
    });
    sb.exports.installInstrumentationGlobals(ex.scope);
    return ex;
  }

  function formatValue(value: unknown, opts: util.InspectOptions = {}): string {
    const depth = opts.depth ?? 2;
    const view = sandbox ? sandbox.hostView(value, depth === null || depth === Infinity ? 64 : depth + 1) : value;
    const text = util.inspect(view, opts);
    return /^\S*Promise\b/.test(text) && text.includes("[Symbol(async_id_symbol)]") ? inspectPromise(view, opts) : text;
  }

  const ownerFor = (code: string, cellId?: string) => cellId ?? "code:" + createHash("sha1").update(code).digest("hex").slice(0, 16);
  const setOwner = (owner: string | undefined) => (api.setTransformOwner as ((o: string | undefined) => void) | undefined)?.(owner);

  /** Names whose values functions capture: the API, `args`, and what cells declared. */
  function outerNames(): Set<string> {
    const names = new Set<string>();
    for (const k of executor!.names()) if (!SESSION_GLOBALS.includes(k) || k === "args") names.add(k);
    return names;
  }

  function diagnosticsOf(list: readonly SourceDiagnostic[], displayName: string, code: string, severity: "error" | "warning"): CellDiagnostic[] {
    return list.map((d) => ({ ...d, text: diagnosticLines(d, displayName, code, severity) }));
  }

  let executions = 0;
  /** Runs a cell as one execution: everything it sets off is its output, ending with its result or error. */
  async function executeNow(code: string, opts: ExecuteOptions): Promise<CellResult> {
    await init;
    if (disposed) throw new Error("the session was disposed");
    const executionCount = ++count;
    const ref: CellRef = { execution: `${process.pid}-${++executions}`, executionCount, cellId: opts.cellId };
    const scope: CellScope = { ref, onOutput: opts.onOutput, stdout: opts.stdout, stderr: opts.stderr, input: opts.input, runs: [] };
    const result = await outputs.run(scope, () => evaluate(code, opts, scope));
    if (result.status === "error") {
      const { ename, evalue, traceback } = result.error!;
      outputs.emit({ type: "error", ename, evalue, traceback }, scope);
    } else if (result.hasValue && result.value !== undefined) {
      const bundle = await resultBundle(result.value);
      if (Object.keys(bundle).length) outputs.emit({ type: "result", bundle }, scope);
    }
    return result;
  }

  /** A cell's value as a bundle, made in the sandbox by the same function display() uses. */
  async function resultBundle(value: unknown): Promise<MimeBundle> {
    try {
      return JSON.parse(await sandbox!.exports.bundleJson(value)) as MimeBundle;
    } catch (e) {
      return { "text/plain": formatValue(value), "text/x-flowbook-error": `the value's display failed: ${(e as Error).message}` };
    }
  }

  async function evaluate(code: string, opts: ExecuteOptions, scope: CellScope): Promise<CellResult> {
    const started = performance.now();
    const executionCount = scope.ref.executionCount;
    const displayName = opts.filename ?? `cell[${executionCount}]`;
    const language = opts.language ?? "ts";
    const none: Promise<readonly CellDiagnostic[]> = Promise.resolve([]);
    const done = (r: Omit<CellResult, "executionCount" | "durationMs" | "typeErrors" | "cell" | "runs">, typeErrors = none): CellResult => ({
      ...r,
      cell: scope.ref,
      runs: scope.runs,
      executionCount,
      typeErrors,
      durationMs: performance.now() - started,
    });

    // The cell's URL: import.meta.url in it, and where its relative imports resolve from.
    const scriptUrl = opts.filename ? pathToFileURL(path.resolve(cwd, opts.filename)).href : pathToFileURL(path.join(cwd, displayName)).href;
    let converted;
    try {
      converted = await convertCell(code, { filename: displayName, importer: scriptUrl, outerNames: outerNames(), language });
    } catch (e) {
      if (!(e instanceof CellSyntaxError)) {
        // The converter's own failure: shown like a runtime error, with its stack.
        return done({ status: "error", hasValue: false, error: { ...formatRuntimeError(e, registry), kind: "runtime", thrown: e } });
      }
      const diagnostics = diagnosticsOf(e.diagnostics, displayName, code, "error");
      return done({ status: "error", hasValue: false, error: { ...formatDiagnostics("SyntaxError", e.diagnostics, displayName, code), kind: "syntax", diagnostics } });
    }

    const dir = opts.filename ? path.dirname(path.resolve(cwd, opts.filename)) : cwd;
    let typeErrors = none;
    /** Warn mode: checked once the cell has run, so checking never takes CPU from running it. */
    let checkAfterRun: (() => void) | undefined;
    if (typeCheck !== "off" && language === "ts") {
      const check = (commit: "always" | "if-clean") => getChecker().check(code, { commit, dir: opts.filename ? dir : undefined });
      if (typeCheck === "error") {
        let found: SourceDiagnostic[] = [];
        try {
          found = await check("if-clean");
        } catch (e) {
          write.err(`flowbook: the type checker failed: ${(e as Error).message}\n`);
        }
        if (found.length) {
          const diagnostics = diagnosticsOf(found, displayName, code, "error");
          return done({ status: "error", hasValue: false, error: { ...formatDiagnostics("TypeError", found, displayName, code), kind: "type", diagnostics } });
        }
      } else {
        let startCheck!: () => void;
        typeErrors = new Promise<void>((resolve) => (startCheck = resolve)).then(() =>
          check("always").then(
            (found) => diagnosticsOf(found, displayName, code, "warning"),
            () => [],
          ),
        );
        checkAfterRun = startCheck;
      }
    }

    // V8's name for the script: `flowbook:` and the display name (made unique if a cell ran
    // under it before). Not the display name itself: functions rebuilt by runners report
    // the display name with the cell's own positions already, which must not be mapped again.
    let scriptName = `flowbook:${displayName}`;
    if (registry.get(scriptName)) scriptName += `#${executionCount}`;
    const source = mappedSource(scriptName, displayName, code, converted);
    registry.add(source);
    registerSource(source);
    executor!.scope.__fb_meta = { url: scriptUrl, filename: opts.filename ? path.resolve(cwd, opts.filename) : undefined, dirname: dir };
    setOwner(ownerFor(code, opts.cellId));
    // Pipelines this cell starts (its own runs, and those of runners it made itself): an interrupt cancels those still running.
    const cellRuns: PipelineResult[] = [];
    // The sandbox's own listeners: this session's runs only, whatever runner they went to.
    const stopListening = sandbox!.exports.onPipelineRun((r) => void cellRuns.push(r as PipelineResult));
    try {
      const r = await executor!.run(converted, { scriptName, baseDir: dir, signal: opts.signal });
      return done({ status: "ok", hasValue: r.hasValue, value: r.value }, typeErrors);
    } catch (e) {
      if (e instanceof InterruptedError) {
        // The cancel requests go out now; the cell answers within a quarter second even when a
        // cluster takes longer to confirm (the job's state follows in the run's events).
        await cancelWithin([...cellRuns, ...scope.runs.map((r) => r.result)], 250);
        return done(
          { status: "error", hasValue: false, error: { ename: "Interrupted", evalue: "the cell was interrupted", traceback: ["Interrupted: the cell was interrupted"], frames: [], kind: "interrupted" } },
          typeErrors,
        );
      }
      return done({ status: "error", hasValue: false, error: { ...formatRuntimeError(e, registry), kind: "runtime", thrown: e } }, typeErrors);
    } finally {
      stopListening();
      setOwner(undefined);
      checkAfterRun?.();
    }
  }

  /** One expression in the cells' scope: converted as a cell of its own, never a declaration. */
  async function evaluateExpression(name: string, code: string): Promise<ExpressionResult> {
    const displayName = `user_expressions[${JSON.stringify(name)}]`;
    const fail = (e: { ename: string; evalue: string; traceback: string[] }): ExpressionResult => ({ status: "error", ename: e.ename, evalue: e.evalue, traceback: e.traceback });
    try {
      // Parenthesized, so the text is one expression: a statement or a declaration is a syntax error.
      const converted = await convertCell(`(${code}\n)`, { filename: displayName, importer: pathToFileURL(path.join(cwd, "user_expressions")).href, outerNames: outerNames(), language: "ts" });
      const scriptName = `flowbook:${displayName}#${++expressionRuns}`;
      const source = mappedSource(scriptName, displayName, code, converted);
      registry.add(source);
      registerSource(source);
      const r = await executor!.run(converted, { scriptName, baseDir: cwd });
      return { status: "ok", data: r.hasValue ? await resultBundle(r.value) : { "text/plain": "undefined" }, metadata: {} };
    } catch (e) {
      if (e instanceof CellSyntaxError) return fail(formatDiagnostics("SyntaxError", e.diagnostics, displayName, code));
      return fail(formatRuntimeError(e, registry));
    }
  }
  let expressionRuns = 0;

  const session: Session = {
    evaluateExpressions(expressions) {
      const run = queue.then(async () => {
        await init;
        const out: Record<string, ExpressionResult> = {};
        for (const [name, code] of Object.entries(expressions)) out[name] = await evaluateExpression(name, String(code));
        return out;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    execute(code, opts = {}) {
      const run = queue.then(() => executeNow(code, opts));
      queue = run.catch(() => undefined);
      return run;
    },
    async complete(code, cursor) {
      const c = await getChecker().complete(code, cursor);
      return {
        matches: c.matches,
        cursorStart: c.cursorStart,
        cursorEnd: c.cursorEnd,
        items: c.matches.map((text, i) => ({ text, type: c.kinds[i] ?? "", start: c.cursorStart, end: c.cursorEnd })),
      };
    },
    async inspect(code, cursor): Promise<InspectResult> {
      const r = await getChecker().inspect(code, cursor);
      if (!r.found) return { found: false, data: {} };
      const plain = r.documentation ? `${r.signature}\n\n${r.documentation}` : r.signature;
      const markdown = "```ts\n" + r.signature + "\n```" + (r.documentation ? "\n\n" + r.documentation : "");
      return { found: true, data: { "text/plain": plain, "text/markdown": markdown } };
    },
    isComplete: (code) => isCompleteCode(code),
    formatValue,
    interrupt() {
      executor?.interrupt();
    },
    async reset() {
      await init;
      created = [];
      await startSandbox();
      registry.clear();
      count = 0;
      await lazyChecker?.reset();
    },
    async dispose() {
      disposed = true;
      executor?.interrupt();
      // Pipelines cells left running (a Flink job above all) do not outlive the session.
      await Promise.all([outputs.cancelRuns(5_000), lazyChecker?.dispose()]);
    },
    ready: () => init,
    async explainGraph(graph, o = {}, columns) {
      const { renderPlan } = await import("../display/plan/index.js");
      return renderPlan(flinkPlanOf(graph, { ...(graph.options ?? {}), ...pipelineDefaults, ...o }), { width: columns ?? width() });
    },
    translationTrace(graph, o = {}) {
      return translationTraceOf(graph, { ...(graph.options ?? {}), ...pipelineDefaults, ...o });
    },
    setPipelineOptions(o) {
      pipelineDefaults = { ...pipelineDefaults, ...o };
      sandbox?.exports.setDefaultPipelineOptions(pipelineDefaults);
    },
    pipelineGraphs: () => created.map((p) => JSON.parse(sandbox!.exports.graphJson(p)) as PipelineGraph),
    get executionCount() {
      return count;
    },
  };
  return session;
}
