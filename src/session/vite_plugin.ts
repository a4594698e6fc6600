/**
 * A Vite (and so Vitest) plugin that instruments test, benchmark and example files, so the
 * functions they define can be sent to a runner (see src/graph/instrument/instrument.ts).
 *
 * It runs after Vite's TypeScript transform (`enforce: "post"`). flowbook's own `src/` and
 * `node_modules` are never instrumented. Lines are realigned to the original file with
 * Vite's combined source map (blank lines where the transform dropped lines, joined lines
 * where it spread one over several), so recorded lines are the user's; the file is recorded as
 * a `file://` URL, which Vitest's stack-trace mapping leaves alone (it would otherwise map
 * the already-original positions of rebuilt functions a second time).
 *
 *   // vitest.config.ts
 *   plugins: [flowbookCaptures()]
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { instrumentCode } from "../graph/instrument/instrument.js";
import type { RawSourceMap } from "../graph/instrument/source_map.js";

export interface FlowbookCapturesOptions {
  /** Files to instrument (matched against the absolute path). Default: under test/, tests/, bench/, examples/. */
  include?: RegExp;
  /** Files never to instrument, in addition to node_modules and flowbook's own src/. */
  exclude?: RegExp;
}

/** The structural subset of Vite's Plugin type this plugin uses. */
export interface FlowbookVitePlugin {
  name: string;
  enforce: "post";
  transform(this: unknown, code: string, id: string): { code: string; map: RawSourceMap | null } | null;
}

const DEFAULT_INCLUDE = /[\\/](test|tests|__tests__|bench|benchmarks|examples?)[\\/].*\.[cm]?[jt]sx?$/;

const here = fileURLToPath(import.meta.url);
const ext = path.extname(here);
/** flowbook's own source directory (src/ or dist/src/), never instrumented. */
const ownSrc = path.resolve(path.dirname(here), "..");
const helperPath = path.resolve(ownSrc, "graph", "functions", `meta${ext}`);

export function flowbookCaptures(options: FlowbookCapturesOptions = {}): FlowbookVitePlugin {
  const include = options.include ?? DEFAULT_INCLUDE;
  return {
    name: "flowbook:captures",
    enforce: "post",
    transform(this: unknown, code: string, id: string) {
      if (id.startsWith("\0") || id.includes("/node_modules/") || id.includes("\\node_modules\\")) return null;
      const file = id.replace(/[?#].*$/, "");
      if (!path.isAbsolute(file)) return null;
      if (file.startsWith(ownSrc + path.sep)) return null;
      if (!include.test(file) || options.exclude?.test(file)) return null;
      let inputSourceMap: unknown;
      try {
        inputSourceMap = (this as { getCombinedSourcemap?: () => unknown } | undefined)?.getCombinedSourcemap?.();
      } catch {
        inputSourceMap = undefined;
      }
      const r = instrumentCode(code, {
        filename: pathToFileURL(file).href,
        helperImport: helperPath,
        imports: "rewrite",
        ...(inputSourceMap ? { inputSourceMap } : {}),
      });
      if (!r.changed) return null;
      return { code: r.code, map: r.map ?? null };
    },
  };
}

export default flowbookCaptures;
