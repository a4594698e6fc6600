/**
 * `node --import flowbook/register script.ts`: instruments the user's modules as Node loads
 * them (and transpiles TypeScript), so the functions a script defines can be sent to a
 * runner by value. node_modules and flowbook's own files are left alone.
 *
 * The hooks live in register_hooks.ts and run on Node's loader thread.
 */
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = import.meta.url;
const ext = path.extname(fileURLToPath(here));
/** flowbook's own source directory (src/, or dist/src/ once built). */
const ownSrc = path.resolve(path.dirname(fileURLToPath(here)), "..");

export interface RegisterHooksData {
  /** Directories whose files are never instrumented (flowbook's own sources). */
  skipDirs: string[];
  /** The module instrumented code imports its helpers from. */
  helperUrl: string;
}

const data: RegisterHooksData = {
  skipDirs: [ownSrc],
  helperUrl: pathToFileURL(path.join(ownSrc, "graph", "functions", `meta${ext}`)).href,
};

register(new URL(`./register_hooks${ext}`, here), { parentURL: here, data });
