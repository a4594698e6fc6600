/** Where Jupyter looks for kernelspecs and keeps its data (jupyter_core's rules). */
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";

/** The user's Jupyter data directory (`jupyter --data-dir`). */
export function jupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  const home = os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (process.platform === "win32") return path.join(process.env.APPDATA ?? path.join(home, "AppData", "Roaming"), "jupyter");
  return path.join(process.env.XDG_DATA_HOME || path.join(home, ".local", "share"), "jupyter");
}

/**
 * The prefix of the Python environment Jupyter runs from, for `--sys-prefix`: the active
 * virtualenv or conda environment, else the prefix of the `python3` on PATH.
 */
export function pythonSysPrefix(): string {
  if (process.env.VIRTUAL_ENV) return process.env.VIRTUAL_ENV;
  if (process.env.CONDA_PREFIX) return process.env.CONDA_PREFIX;
  for (const py of ["python3", "python"]) {
    try {
      return execFileSync(py, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
    } catch {
      /* try the next */
    }
  }
  throw new Error("--sys-prefix: no Python found (activate the environment Jupyter runs from, or use --prefix)");
}

export type SpecLocation = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };

/** The `kernels` directory a kernelspec goes into. */
export function kernelsDir(where: SpecLocation): string {
  if (where.kind === "user") return path.join(jupyterDataDir(), "kernels");
  const prefix = where.kind === "prefix" ? path.resolve(where.prefix) : pythonSysPrefix();
  return path.join(prefix, "share", "jupyter", "kernels");
}
