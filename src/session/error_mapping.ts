/**
 * Errors as a person reads them: stack frames of cells mapped back to the cell's own lines
 * (through each cell's {@link PositionMapper}), the evaluator's own frames removed, and
 * syntax or type errors shown with their line, column and the line of code.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceDiagnostic } from "./cell_converter.js";
import { LineIndex, type PositionMapper } from "./source_map.js";

/** A cell as error mapping knows it. */
export interface MappedSource {
  /** The script name V8 reports in stack frames. */
  scriptName: string;
  /** The name people see (`cell[3]`, a script's path). */
  displayName: string;
  /** The cell's own text. */
  source: string;
  mapper: PositionMapper;
}

/** A stack frame after mapping (1-based line and column, as in V8's stacks). */
export interface StackFrame {
  functionName?: string;
  file: string;
  line?: number;
  column?: number;
  /** True for a frame in a cell or script the session ran. */
  inCell: boolean;
}

export interface FormattedError {
  ename: string;
  evalue: string;
  /** The lines to show: `Name: message`, then frames (`    at f (cell[2]:3:7)`), then the code. */
  traceback: string[];
  frames: StackFrame[];
}

const SESSION_DIR = path.dirname(fileURLToPath(import.meta.url));
const EVALUATOR_FRAME = /^(node:|internal[\\/]|flowbook:step$|evalmachine\.<anonymous>$)/;

/** The cells and scripts a session ran, by script name. */
export class SourceRegistry {
  private readonly byScript = new Map<string, MappedSource>();

  add(source: MappedSource): void {
    this.byScript.set(source.scriptName, source);
  }

  get(scriptName: string): MappedSource | undefined {
    return this.byScript.get(scriptName);
  }

  /** The source last run under a display name. */
  byDisplayName(displayName: string): MappedSource | undefined {
    let found: MappedSource | undefined;
    for (const s of this.byScript.values()) if (s.displayName === displayName) found = s;
    return found;
  }

  clear(): void {
    this.byScript.clear();
  }
}

/**
 * Every cell any session in this process ran, for {@link mapLocation}: code outside the
 * session (the SDK's "applied at" locations) can turn a V8 location of a cell into the
 * cell's own through `globalThis[Symbol.for("flowbook.mapLocation")]`, installed here.
 */
const allSources = new SourceRegistry();

/** Registers a cell for mapLocation (session.ts calls it for each cell it runs). */
export function registerSource(source: MappedSource): void {
  allSources.add(source);
}

/**
 * `"flowbook:cell[3]:9:7"` (a location V8 reports in a cell) → `"cell[3]:9:11"`; other
 * locations are returned as they are.
 */
export function mapLocation(location: string): string {
  const m = /^(.*):(\d+):(\d+)$/.exec(location);
  const src = m && allSources.get(m[1]!);
  if (!m || !src) return location;
  const p = src.mapper.original(Number(m[2]) - 1, Number(m[3]) - 1);
  return p ? `${src.displayName}:${p.line + 1}:${p.column + 1}` : `${src.displayName}:${m[2]}:${m[3]}`;
}

const LOCATION_HOOK = Symbol.for("flowbook.mapLocation");
if (!(LOCATION_HOOK in globalThis)) {
  Object.defineProperty(globalThis, LOCATION_HOOK, { value: mapLocation, configurable: true });
}

const FRAME_RE = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;
const FRAME_NO_POS_RE = /^\s*at (?:(.*?) \()?(.*?)\)?$/;

/** The frames of a V8 stack text, mapped. */
export function mapStack(stack: string, registry: SourceRegistry): { header: string; frames: StackFrame[] } {
  const lines = stack.split("\n");
  let first = lines.findIndex((l) => /^\s+at /.test(l));
  if (first < 0) first = lines.length;
  const header = lines.slice(0, first).join("\n");
  const frames: StackFrame[] = [];
  for (const l of lines.slice(first)) {
    const m = FRAME_RE.exec(l);
    if (!m) {
      const n = FRAME_NO_POS_RE.exec(l);
      if (n) frames.push({ functionName: n[1], file: n[2] ?? "", inCell: false });
      continue;
    }
    const [, fn, file = "", lineText, colText] = m;
    const src = registry.get(file);
    if (src) {
      const p = src.mapper.original(Number(lineText) - 1, Number(colText) - 1);
      frames.push({
        functionName: fn,
        file: src.displayName,
        line: p ? p.line + 1 : undefined,
        column: p ? p.column + 1 : undefined,
        inCell: true,
      });
    } else {
      // A function a runner rebuilt reports its cell's display name and own position.
      const inCell = registry.byDisplayName(file) !== undefined;
      frames.push({ functionName: fn, file, line: Number(lineText), column: Number(colText), inCell });
    }
  }
  return { header, frames };
}

/** True for frames of the evaluator itself (this folder, Node's internals, the step script). */
export function isEvaluatorFrame(f: StackFrame): boolean {
  if (f.inCell) return false;
  if (f.file === "<anonymous>" || f.file === "native") return true;
  let file = f.file;
  if (file.startsWith("file://")) {
    try {
      file = fileURLToPath(file);
    } catch {
      // keep it
    }
  }
  if (EVALUATOR_FRAME.test(file)) return true;
  return file.startsWith(SESSION_DIR + path.sep) && !file.includes(`${path.sep}instrument${path.sep}`);
}

function frameText(f: StackFrame): string {
  const where = f.line !== undefined ? `${f.file}:${f.line}:${f.column}` : f.file;
  let fn = f.functionName && !/^Generator\.(next|throw)$/.test(f.functionName) ? f.functionName : undefined;
  // A cell's function called by name is called on the session's scope object (seen through
  // vm2's proxy of it): V8 says `Proxy.f`.
  if (fn && f.inCell) fn = fn.replace(/^(Object|Proxy)\./, "");
  return fn ? `    at ${fn} (${where})` : `    at ${where}`;
}

/** The line of code at a 1-based position, with a caret under the column. */
export function codeExcerpt(source: string, line: number, column: number, width = 1): string[] {
  const idx = new LineIndex(source);
  if (line < 1 || line > idx.lineCount) return [];
  const text = idx.lineText(line - 1);
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  const lead = text.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, " ");
  return [`${gutter} | ${text}`, `${pad} | ${lead}${"^".repeat(Math.max(1, width))}`];
}

/** A runtime error thrown by a cell, as Jupyter's error reply and the REPL show it. */
export function formatRuntimeError(error: unknown, registry: SourceRegistry): FormattedError {
  if (!(error instanceof Error) && !(error !== null && typeof error === "object" && "stack" in error)) {
    const evalue = describeThrown(error);
    return { ename: "Error", evalue, traceback: [`Uncaught ${evalue}`], frames: [] };
  }
  const e = error as Error;
  const ename = String(e.name || "Error");
  const evalue = String(e.message ?? "");
  let stack = "";
  try {
    stack = typeof e.stack === "string" ? e.stack : "";
  } catch {
    stack = "";
  }
  const { header, frames } = mapStack(stack || `${ename}: ${evalue}`, registry);
  const shown = frames.filter((f) => !isEvaluatorFrame(f));
  const traceback = [header || `${ename}: ${evalue}`, ...shown.map(frameText)];
  const hint = sandboxBytesHint(e);
  if (hint) traceback.push(hint);
  const top = shown.find((f) => f.inCell && f.line !== undefined);
  if (top) {
    const src = registry.byDisplayName(top.file);
    if (src) traceback.push("", `${top.file}:${top.line}:${top.column}`, ...codeExcerpt(src.source, top.line!, top.column!));
  }
  return { ename, evalue, traceback, frames: shown };
}

/**
 * Node's functions refuse a cell's typed arrays: they are the vm2 sandbox's, which Node's
 * checks do not recognise. Say what to pass instead.
 */
function sandboxBytesHint(e: Error): string | undefined {
  let code: unknown;
  try {
    code = (e as { code?: unknown }).code;
  } catch {
    return undefined;
  }
  if (code !== "ERR_INVALID_ARG_TYPE" || !/Received an instance of (\w+Array|ArrayBuffer|DataView)\b/.test(String(e.message))) return undefined;
  return "hint: a cell's typed arrays belong to its sandbox, and Node's functions do not take them: pass Buffer.from(bytes) instead";
}

function describeThrown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** Syntax or type errors of a cell: `cell[3]:2:5 - error TS1005: ';' expected.` and the code. */
export function formatDiagnostics(
  kind: "SyntaxError" | "TypeError",
  diagnostics: readonly SourceDiagnostic[],
  displayName: string,
  source: string,
): FormattedError {
  const traceback: string[] = [];
  for (const d of diagnostics) traceback.push(...diagnosticLines(d, displayName, source, "error"));
  const first = diagnostics[0];
  return {
    ename: kind,
    evalue: first ? `${first.message} (${displayName}:${first.line + 1}:${first.column + 1})` : kind,
    traceback,
    frames: [],
  };
}

/** One diagnostic as lines of text (1-based positions). */
export function diagnosticLines(d: SourceDiagnostic, displayName: string, source: string, severity: "error" | "warning"): string[] {
  const code = d.code ? ` TS${d.code}` : "";
  const width = d.endLine === d.line ? Math.max(1, d.endColumn - d.column) : 1;
  return [`${displayName}:${d.line + 1}:${d.column + 1} - ${severity}${code}: ${d.message}`, ...codeExcerpt(source, d.line + 1, d.column + 1, width)];
}
