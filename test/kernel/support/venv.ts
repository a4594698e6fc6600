/**
 * The repository's Python venv (scripts/jupyter-setup.sh, run by .ci/run) and a kernelspec
 * installed for a test. A missing venv fails the test, saying how to make it: CI never
 * skips the real Jupyter tests.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, ROOT, assertBuilt } from "./kernel_client.js";

export const VENV = process.env.FLOWBOOK_VENV ?? path.join(ROOT, ".venv");
export const PYTHON = path.join(VENV, "bin", "python");

export function assertVenv(): void {
  if (!existsSync(PYTHON)) throw new Error(`no Python venv at ${VENV}: run 'bash scripts/jupyter-setup.sh'`);
}

/** `flowbook kernel install --prefix` into a fresh directory; the env that makes Jupyter find it. */
export function installedKernel(args: string[] = []): { prefix: string; env: NodeJS.ProcessEnv } {
  assertBuilt();
  assertVenv();
  const prefix = mkdtempSync(path.join(os.tmpdir(), "flowbook-kernelspec-"));
  execFileSync(process.execPath, [CLI, "kernel", "install", "--prefix", prefix, ...args], { encoding: "utf8" });
  const env = {
    ...process.env,
    JUPYTER_PATH: path.join(prefix, "share", "jupyter"),
    JUPYTER_RUNTIME_DIR: path.join(prefix, "runtime"),
    FLOWBOOK_HISTORY_FILE: path.join(prefix, "history.jsonl"),
    PYTHONDONTWRITEBYTECODE: "1",
  };
  return { prefix, env };
}

/** Runs the venv's python; returns status and output. */
export function python(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): { status: number | null; output: string } {
  const r = spawnSync(PYTHON, args, { cwd: ROOT, env, encoding: "utf8", timeout: timeoutMs });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}
