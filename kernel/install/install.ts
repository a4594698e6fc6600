/**
 * `flowbook kernel install` / `uninstall`: the kernelspec Jupyter finds (kernel.json, the
 * logos). Its argv starts the kernel through the absolute paths of this node and of the
 * built CLI, so it works from any environment Jupyter runs in.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { svgToPng } from "../../src/display/png.js";
import { LOGO_SVG } from "./logo.js";
import { kernelsDir, type SpecLocation } from "./paths.js";

export const DEFAULT_NAME = "flowbook";
export const DISPLAY_NAME = "flowbook (TypeScript)";

export interface InstallOptions {
  where?: SpecLocation;
  name?: string;
  displayName?: string;
  /** Environment variables for the kernel (kernel.json's `env`), e.g. a heap limit. */
  env?: Record<string, string>;
}

/** The built CLI (dist/src/cli/main.js), wherever this module runs from (dist or source). */
export function builtCli(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // dist/kernel/install → dist/src/cli/main.js; kernel/install (sources) → dist/src/cli/main.js.
  const candidates = [path.resolve(here, "../../src/cli/main.js"), path.resolve(here, "../../dist/src/cli/main.js")];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`the built CLI is missing (looked for ${candidates.join(", ")}): run 'npm run build' first`);
  return found;
}

export function kernelSpec(o: InstallOptions = {}): Record<string, unknown> {
  return {
    argv: [process.execPath, builtCli(), "kernel", "run", "--connection-file", "{connection_file}"],
    display_name: o.displayName ?? DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "message",
    env: o.env ?? {},
    metadata: { debugger: false },
  };
}

/** Writes the kernelspec; returns its directory. */
export function installKernelSpec(o: InstallOptions = {}): string {
  const name = o.name ?? DEFAULT_NAME;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) throw new Error(`kernel name '${name}': use letters, digits, '.', '_' and '-' only (Jupyter's rule)`);
  const dir = path.join(kernelsDir(o.where ?? { kind: "user" }), name.toLowerCase());
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelSpec(o), null, 2) + "\n");
  writeFileSync(path.join(dir, "logo-svg.svg"), LOGO_SVG);
  for (const size of [32, 64]) writeFileSync(path.join(dir, `logo-${size}x${size}.png`), svgToPng(LOGO_SVG, { scale: size / 64, background: "transparent" }));
  return dir;
}

/** Removes the kernelspec; returns its directory, or undefined when there was none. */
export function uninstallKernelSpec(o: { where?: SpecLocation; name?: string } = {}): string | undefined {
  const dir = path.join(kernelsDir(o.where ?? { kind: "user" }), (o.name ?? DEFAULT_NAME).toLowerCase());
  if (!existsSync(path.join(dir, "kernel.json"))) return undefined;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}
