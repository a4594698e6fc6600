/**
 * What the notebook and front-end tests share: the repository's Python venv (made by
 * scripts/jupyter-setup.sh, which .ci/run calls), the flowbook kernelspec installed into a
 * temporary prefix (never the user's home), nbclient executing a notebook against it, and
 * readers for an executed notebook's outputs. A missing venv or build fails the test with
 * what to run: CI never skips the real Jupyter tests.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const CLI = path.join(ROOT, "dist/src/cli/main.js");
export const VENV = process.env.FLOWBOOK_VENV ?? path.join(ROOT, ".venv");
export const PYTHON = path.join(VENV, "bin", "python");
export const JUPYTER = path.join(VENV, "bin", "jupyter");
export const NOTEBOOKS = path.join(ROOT, "notebooks");
export const RESULTS = path.join(ROOT, "test-results");

export function assertVenv(): void {
  if (!existsSync(PYTHON) || !existsSync(JUPYTER)) throw new Error(`no Jupyter venv at ${VENV}: run 'bash scripts/jupyter-setup.sh'`);
}

/** The kernel runs from dist/: a missing or stale build would test old code, so fail and say so. */
export function assertBuilt(): void {
  const kernel = path.join(ROOT, "dist/kernel/main.js");
  if (!existsSync(CLI) || !existsSync(kernel)) throw new Error("flowbook is not built: run 'npm run build'");
  const builtAt = statSync(kernel).mtimeMs;
  for (const f of ["kernel/main.ts", "kernel/session_loop/session_loop.ts", "src/display/interactive/calls.ts"]) {
    const p = path.join(ROOT, f);
    if (existsSync(p) && statSync(p).mtimeMs > builtAt + 60_000) throw new Error(`dist/ is older than ${f}: run 'npm run build'`);
  }
}

export interface InstalledKernel {
  prefix: string;
  /** The environment Jupyter (nbclient, jupyter server, lab) needs to find the kernelspec. */
  env: NodeJS.ProcessEnv;
}

/** `flowbook kernel install --prefix <temp>`: the kernelspec a user installs, found through JUPYTER_PATH. */
export function installKernel(extraEnv: Record<string, string> = {}): InstalledKernel {
  assertBuilt();
  assertVenv();
  const prefix = mkdtempSync(path.join(os.tmpdir(), "flowbook-nb-kernelspec-"));
  execFileSync(process.execPath, [CLI, "kernel", "install", "--prefix", prefix], { encoding: "utf8" });
  const spec = JSON.parse(readFileSync(path.join(prefix, "share/jupyter/kernels/flowbook/kernel.json"), "utf8"));
  if (spec.display_name !== "flowbook (TypeScript)") throw new Error(`unexpected kernelspec ${JSON.stringify(spec)}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: path.join(prefix, "share", "jupyter"),
    JUPYTER_DATA_DIR: path.join(prefix, "data"),
    JUPYTER_CONFIG_DIR: path.join(prefix, "config"),
    JUPYTER_RUNTIME_DIR: path.join(prefix, "runtime"),
    FLOWBOOK_HISTORY_FILE: path.join(prefix, "history.jsonl"),
    IPYTHONDIR: path.join(prefix, "ipython"),
    PYTHONDONTWRITEBYTECODE: "1",
    ...extraEnv,
  };
  return { prefix, env };
}

// --- executing notebooks -------------------------------------------------------------------

export interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error" | "update_display_data";
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
  metadata?: Record<string, unknown>;
}
export interface Notebook {
  cells: Cell[];
  metadata: Record<string, any>;
  nbformat: number;
  nbformat_minor: number;
}

/**
 * Executes `source` with nbclient (the venv's python) against the installed kernel, the
 * kernel's cwd being the notebook's folder; writes the executed copy to `out` and returns it.
 * Throws with nbclient's error (the failing cell and its traceback) when a cell fails.
 */
export async function executeNotebook(source: string, out: string, env: NodeJS.ProcessEnv, timeoutMs: number, cellTimeoutS = 240): Promise<Notebook> {
  mkdirSync(path.dirname(out), { recursive: true });
  const script = path.join(ROOT, "test/notebooks/execute_notebook.py");
  const { status, output } = await run(PYTHON, [script, source, out, "--timeout", String(cellTimeoutS)], env, timeoutMs);
  if (status !== 0) throw new Error(`nbclient failed on ${path.relative(ROOT, source)} (status ${status}):\n${output.slice(-6000)}`);
  return JSON.parse(readFileSync(out, "utf8")) as Notebook;
}

/** Runs a command with a bound on its time (then killed); resolves with its status and output. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

// --- reading outputs ---------------------------------------------------------------------

export function text(x: unknown): string {
  if (Array.isArray(x)) return x.join("");
  return typeof x === "string" ? x : JSON.stringify(x);
}

export function sourceOf(c: Cell): string {
  return text(c.source);
}

/** The one code cell whose source contains `snippet` (fails when none or several do). */
export function cellWith(nb: Notebook, snippet: string): Cell {
  const found = nb.cells.filter((c) => c.cell_type === "code" && sourceOf(c).includes(snippet));
  if (found.length !== 1) throw new Error(`${found.length} code cells contain ${JSON.stringify(snippet)}`);
  return found[0]!;
}

/** The display_data outputs of a cell that carry `mime` (a cell's execute_result is read by resultText). */
export function displays(c: Cell, mime: string): Output[] {
  return (c.outputs ?? []).filter((o) => o.output_type === "display_data" && o.data && mime in o.data);
}

/** The data of the one output of `c` carrying `mime`. */
export function onlyData<T = unknown>(c: Cell, mime: string): T {
  const ds = displays(c, mime);
  if (ds.length !== 1) throw new Error(`expected one ${mime} output in cell ${JSON.stringify(sourceOf(c).slice(0, 60))}, found ${ds.length}: ${JSON.stringify((c.outputs ?? []).map((o) => [o.output_type, Object.keys(o.data ?? {})]))}`);
  const v = ds[0]!.data![mime];
  return (mime.startsWith("text/") || mime === "image/svg+xml" || mime === "image/png" ? text(v) : v) as T;
}

/** The cell's execute_result text/plain, if any. */
export function resultText(c: Cell): string | undefined {
  const r = (c.outputs ?? []).find((o) => o.output_type === "execute_result");
  return r ? text(r.data?.["text/plain"]) : undefined;
}

export interface DataResource {
  schema: { fields: { name: string; type: string }[] };
  data: Record<string, unknown>[];
  title?: string;
}

/** The table `show` drew in this cell (its application/vnd.dataresource+json). */
export function tableOf(c: Cell): DataResource {
  return onlyData<DataResource>(c, "application/vnd.dataresource+json");
}

/** Every error output and stderr stream of a notebook, for a failure message. */
export function problems(nb: Notebook): string[] {
  return nb.cells.flatMap((c) =>
    (c.outputs ?? []).flatMap((o) => (o.output_type === "error" ? [`${o.ename}: ${o.evalue}`] : o.output_type === "stream" && o.name === "stderr" ? [text(o.text)] : [])),
  );
}
