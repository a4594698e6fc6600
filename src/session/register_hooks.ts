/**
 * Module hooks for `node --import flowbook/register` (see register.ts): transpile `.ts`
 * files, instrument user modules (see src/graph/instrument/instrument.ts), and resolve `./x.js` to
 * `./x.ts` the way TypeScript's NodeNext resolution expects.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { instrumentCode } from "../graph/instrument/instrument.js";
import { typescript } from "../graph/instrument/free_variables.js";
import type { RegisterHooksData } from "./register.js";

let skipDirs: string[] = [];
let helperUrl: string | undefined;

export function initialize(data: RegisterHooksData | undefined): void {
  skipDirs = (data?.skipDirs ?? []).map((d) => path.resolve(d) + path.sep);
  helperUrl = data?.helperUrl;
}

interface ResolveContext {
  parentURL?: string;
  conditions?: string[];
  importAttributes?: Record<string, string>;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadContext {
  format?: string | null;
  conditions?: string[];
  importAttributes?: Record<string, string>;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

const TS_EXT = /\.(ts|mts|tsx)$/;

function candidates(p: string): string[] {
  const out: string[] = [];
  const m = /\.(js|mjs|jsx)$/.exec(p);
  if (m) {
    const stem = p.slice(0, -m[0].length);
    if (m[1] === "mjs") out.push(stem + ".mts");
    else out.push(stem + ".ts", stem + ".tsx");
  } else if (!path.extname(p)) {
    out.push(p + ".ts", p + ".mts", path.join(p, "index.ts"));
  }
  return out;
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  next: (s: string, c: ResolveContext) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  try {
    return await next(specifier, context);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const relative = specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier.startsWith("file:");
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "ERR_UNSUPPORTED_DIR_IMPORT") && relative && context.parentURL?.startsWith("file:")) {
      const target = fileURLToPath(new URL(specifier, context.parentURL));
      for (const c of candidates(target)) {
        if (fs.existsSync(c)) return { url: pathToFileURL(c).href, shortCircuit: true };
      }
    }
    throw e;
  }
}

function isUserFile(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const p = fileURLToPath(url);
  if (p.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
  if (skipDirs.some((d) => p.startsWith(d))) return undefined;
  return p;
}

function instrument(js: string, file: string, inputSourceMap?: string): string {
  try {
    const r = instrumentCode(js, {
      filename: file,
      imports: "keep",
      sourceMap: false,
      ...(helperUrl ? { helperImport: helperUrl } : {}),
      ...(inputSourceMap ? { inputSourceMap } : {}),
    });
    return r.code;
  } catch (e) {
    process.emitWarning(`flowbook: could not instrument ${file}: ${(e as Error).message}`);
    return js;
  }
}

export async function load(
  url: string,
  context: LoadContext,
  next: (u: string, c: LoadContext) => Promise<LoadResult>,
): Promise<LoadResult> {
  const file = isUserFile(url);
  if (!file) return next(url, context);
  if (TS_EXT.test(file)) {
    const ts = typescript();
    const source = fs.readFileSync(file, "utf8");
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        sourceMap: true,
        useDefineForClassFields: true,
        esModuleInterop: true,
        jsx: file.endsWith(".tsx") ? ts.JsxEmit.ReactJSX : ts.JsxEmit.Preserve,
      },
    });
    const js = out.outputText.replace(/\/\/# sourceMappingURL=\S*\s*$/, "");
    return { format: "module", source: instrument(js, file, out.sourceMapText), shortCircuit: true };
  }
  const r = await next(url, context);
  if (r.format !== "module" || r.source == null) return r;
  const text = typeof r.source === "string" ? r.source : Buffer.from(r.source as Uint8Array).toString("utf8");
  return { ...r, source: instrument(text, file) };
}
