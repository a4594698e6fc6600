/**
 * The TypeScript language service over a session's cells: an in-memory project where every
 * cell that ran is a module, and a new cell (or the code being completed) sees the names
 * earlier cells declared, the flowbook API and the session's globals, without imports.
 *
 * How a cell sees earlier cells. Cell N is checked as the module `__flowbook_cell_N__.ts`:
 * its own text, then (after its last line, so positions in the cell do not move) a suffix
 *
 *   export { <every name the cell declares> };
 *   import { Pipeline, Count, ... } from "flowbook";       // API names the cell does not redeclare
 *   import { f, C, T } from "./__flowbook_cell_2__";         // functions, classes, types, imports
 *   declare let x: typeof import("./__flowbook_cell_3__").x; // `let`/`var`: assignable later
 *   declare const y: typeof import("./__flowbook_cell_3__").y;
 *
 * naming, for each visible name, the cell that declared it last. A name the cell declares
 * again is left out, so redeclaring is no error. Types come from the earlier cell's source
 * itself, doc comments included (hover shows them).
 *
 * This module runs in the checker worker (checker_worker.ts) or, when no worker can be
 * started, in the session's own thread.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as TS from "typescript";
import { toSourceDiagnostic, type SourceDiagnostic } from "./cell_converter.js";
import { topLevelDeclarations, type DeclarationKind, type TopLevelDeclaration } from "./declarations.js";
import { typescript } from "./typescript.js";

export interface ProjectOptions {
  /** Directory of the virtual cell files: relative imports and `node_modules` resolve from it. */
  cwd: string;
  /** Declaration or source file of the flowbook API (default: this package's src/index). */
  apiEntry?: string;
  /** Extra ambient declarations every cell sees (the session's globals). */
  globalsDts?: string;
}

export interface CheckOptions {
  /** Keep the cell's declarations for later cells: always, only without errors, or never. */
  commit: "always" | "if-clean" | "never";
  /** Directory the cell lives in (a script's own directory), if not the project's. */
  dir?: string;
}

export interface Completion {
  matches: string[];
  /** The span of the code the matches replace (offsets into the code). */
  cursorStart: number;
  cursorEnd: number;
  /** Each match's kind (`method`, `property`, `class`, ...), for Jupyter's `_jupyter_types_experimental`. */
  kinds: string[];
}

export interface Inspection {
  found: boolean;
  /** The signature or type, as TypeScript shows it on hover (`const words: PCollection<string>`). */
  signature: string;
  /** The doc comment, with its tags (`@param`, `@example`). */
  documentation: string;
}

interface VirtualFile {
  text: string;
  version: number;
}

interface Visible {
  file: string;
  kind: DeclarationKind;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** This package's API entry: src/index.ts when running from source, dist/src/index.d.ts when built. */
export function defaultApiEntry(): string {
  const ts = path.resolve(HERE, "../index.ts");
  if (fs.existsSync(ts)) return ts;
  return path.resolve(HERE, "../index.d.ts");
}

export const SESSION_GLOBALS_DTS = `
/** The script's arguments (\`flowbook run FILE.ts -- a b\`); empty in a notebook. */
declare const args: string[];
/** Reads a line from the person at the notebook or the REPL (Jupyter's input box; \`password\` hides it). */
declare function prompt(question?: string, options?: { password?: boolean }): Promise<string>;
`;

export class CellProject {
  private readonly ts = typescript();
  private readonly files = new Map<string, VirtualFile>();
  private readonly visible = new Map<string, Visible>();
  private readonly diskCache = new Map<string, TS.IScriptSnapshot | null>();
  private readonly existsCache = new Map<string, boolean>();
  private readonly cwd: string;
  private readonly apiEntry: string;
  private readonly globalsFile: string;
  private readonly scratchFile: string;
  private readonly options: TS.CompilerOptions;
  private readonly service: TS.LanguageService;
  private readonly resolutionCache: TS.ModuleResolutionCache;
  private roots: string[];
  private cellCount = 0;
  private apiNames: string[] | undefined;

  constructor(options: ProjectOptions) {
    const ts = this.ts;
    this.cwd = path.resolve(options.cwd);
    this.apiEntry = options.apiEntry ?? defaultApiEntry();
    this.globalsFile = path.join(this.cwd, "__flowbook_globals__.d.ts");
    this.scratchFile = path.join(this.cwd, "__flowbook_input__.ts");
    this.setFile(this.globalsFile, options.globalsDts ?? SESSION_GLOBALS_DTS);
    const typeRoots = [path.resolve(HERE, "../../node_modules/@types"), path.resolve(HERE, "../../../node_modules/@types")].filter((d) =>
      fs.existsSync(d),
    );
    for (let d = this.cwd; ; d = path.dirname(d)) {
      const t = path.join(d, "node_modules", "@types");
      if (fs.existsSync(t) && !typeRoots.includes(t)) typeRoots.unshift(t);
      if (path.dirname(d) === d) break;
    }
    this.options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2023.d.ts"],
      types: ["node"],
      typeRoots,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      esModuleInterop: true,
      allowImportingTsExtensions: true,
      resolveJsonModule: true,
      useDefineForClassFields: true,
      paths: { flowbook: [this.apiEntry] },
    };
    this.resolutionCache = ts.createModuleResolutionCache(this.cwd, (x) => x, this.options);
    this.roots = [this.globalsFile];
    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => this.roots,
      getScriptVersion: (f) => String(this.files.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const v = this.files.get(f);
        if (v) return ts.ScriptSnapshot.fromString(v.text);
        let s = this.diskCache.get(f);
        if (s === undefined) {
          const text = ts.sys.readFile(f);
          s = text === undefined ? null : ts.ScriptSnapshot.fromString(text);
          this.diskCache.set(f, s);
        }
        return s ?? undefined;
      },
      getCurrentDirectory: () => this.cwd,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.fileExists(f),
      readFile: (f) => this.files.get(f)?.text ?? ts.sys.readFile(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: ts.sys.getDirectories,
      resolveModuleNameLiterals: (literals, containingFile, redirected, options) =>
        literals.map((l) => ts.resolveModuleName(l.text, containingFile, options, host, this.resolutionCache, redirected)),
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  private fileExists(f: string): boolean {
    if (this.files.has(f)) return true;
    let e = this.existsCache.get(f);
    if (e === undefined) {
      e = this.ts.sys.fileExists(f);
      this.existsCache.set(f, e);
    }
    return e;
  }

  private setFile(file: string, text: string): void {
    const old = this.files.get(file);
    if (old && old.text === text) return;
    this.files.set(file, { text, version: (old?.version ?? 0) + 1 });
  }

  /** Loads the API's declarations and the standard library, so the first cell is checked sooner. */
  warmUp(): void {
    this.check("", { commit: "never" });
  }

  /** The names the flowbook API exports (values and types). */
  private api(): string[] {
    if (this.apiNames) return this.apiNames;
    const probe = path.join(this.cwd, "__flowbook_api_probe__.ts");
    this.setFile(probe, `import * as api from "flowbook";\nexport { api };\n`);
    this.roots = [this.globalsFile, probe];
    const program = this.service.getProgram();
    const names: string[] = [];
    const sf = program?.getSourceFile(this.apiEntry);
    const checker = program?.getTypeChecker();
    const sym = sf && checker?.getSymbolAtLocation(sf);
    if (sym && checker) for (const e of checker.getExportsOfModule(sym)) names.push(e.name);
    this.files.delete(probe);
    this.apiNames = names.filter((n) => n !== "default");
    return this.apiNames;
  }

  /** The suffix that lets `text` see earlier cells, the API, and export its own names. */
  private suffix(declared: readonly TopLevelDeclaration[], fromDir: string): string {
    const own = new Set(declared.map((d) => d.name));
    const lines: string[] = [""];
    lines.push(own.size ? `export { ${[...own].join(", ")} };` : "export {};");
    const api = this.api().filter((n) => !own.has(n) && !this.visible.has(n));
    if (api.length) lines.push(`import { ${api.join(", ")} } from "flowbook";`);
    const byFile = new Map<string, string[]>();
    for (const [name, v] of this.visible) {
      if (own.has(name)) continue;
      const spec = moduleSpecifier(fromDir, v.file);
      if (v.kind === "let" || v.kind === "var") lines.push(`declare let ${name}: typeof import(${JSON.stringify(spec)}).${name};`);
      else if (v.kind === "const") lines.push(`declare const ${name}: typeof import(${JSON.stringify(spec)}).${name};`);
      else {
        let list = byFile.get(spec);
        if (!list) byFile.set(spec, (list = []));
        list.push(name);
      }
    }
    for (const [spec, names] of byFile) lines.push(`import { ${names.join(", ")} } from ${JSON.stringify(spec)};`);
    return lines.join("\n");
  }

  /**
   * Type-checks a cell against the earlier ones; returns its errors (positions in `code`).
   * With `commit`, the cell's declarations become visible to later cells.
   */
  check(code: string, options: CheckOptions): SourceDiagnostic[] {
    const ts = this.ts;
    const dir = options.dir ? path.resolve(options.dir) : this.cwd;
    const file = path.join(dir, `__flowbook_cell_${++this.cellCount}__.ts`);
    const parsed = ts.createSourceFile(file, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const declared = topLevelDeclarations(ts, parsed);
    this.setFile(file, code + this.suffix(declared, dir));
    this.roots = [this.globalsFile, file];
    const raw = [...this.service.getSyntacticDiagnostics(file), ...this.service.getSemanticDiagnostics(file)];
    const sf = this.service.getProgram()!.getSourceFile(file)!;
    const diagnostics = raw
      .filter((d) => d.start === undefined || d.start < code.length || (code.length === 0 && d.start === 0))
      .filter((d) => d.category === ts.DiagnosticCategory.Error)
      .map((d) => toSourceDiagnostic(ts, sf, d));
    const keep = options.commit === "always" || (options.commit === "if-clean" && diagnostics.length === 0);
    if (keep && code.trim()) {
      for (const d of declared) this.visible.set(d.name, { file, kind: d.kind });
    } else {
      this.files.delete(file);
    }
    return diagnostics;
  }

  private scratch(code: string): string {
    const ts = this.ts;
    const parsed = ts.createSourceFile(this.scratchFile, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    this.setFile(this.scratchFile, code + this.suffix(topLevelDeclarations(ts, parsed), this.cwd));
    this.roots = [this.globalsFile, this.scratchFile];
    return this.scratchFile;
  }

  /** Completions at `cursor` (an offset into `code`): members after `p.`, names elsewhere. */
  complete(code: string, cursor: number): Completion {
    const file = this.scratch(code);
    let start = cursor;
    while (start > 0 && /[\w$]/.test(code[start - 1]!)) start--;
    let end = cursor;
    while (end < code.length && /[\w$]/.test(code[end]!)) end++;
    const prefix = code.slice(start, cursor);
    const info = this.service.getCompletionsAtPosition(file, cursor, {
      includeCompletionsForModuleExports: false,
      includeCompletionsWithInsertText: true,
    });
    const entries = (info?.entries ?? []).filter((e) => !e.name.startsWith("__fb") && !e.name.startsWith("__flowbook"));
    const lower = prefix.toLowerCase();
    const rank = (name: string) => (name.startsWith(prefix) ? 0 : name.toLowerCase().startsWith(lower) ? 1 : name.toLowerCase().includes(lower) ? 2 : 3);
    const picked = entries
      .map((e, i) => ({ e, i, r: rank(e.name) }))
      .filter((x) => x.r < 3)
      .sort((a, b) => a.r - b.r || a.e.sortText.localeCompare(b.e.sortText) || a.e.name.localeCompare(b.e.name) || a.i - b.i);
    return { matches: picked.map((x) => x.e.name), kinds: picked.map((x) => String(x.e.kind)), cursorStart: start, cursorEnd: end };
  }

  /** What TypeScript shows on hover at `cursor`: the type or signature and the doc comment. */
  inspect(code: string, cursor: number): Inspection {
    const ts = this.ts;
    const file = this.scratch(code);
    let at = cursor;
    let info = this.service.getQuickInfoAtPosition(file, at);
    if (!info && cursor > 0) info = this.service.getQuickInfoAtPosition(file, (at = cursor - 1));
    if (!info) return { found: false, signature: "", documentation: "" };
    if (info.kind === ts.ScriptElementKind.alias) {
      // A name of an earlier cell or of the API: show it as declared there.
      const def = this.service.getDefinitionAtPosition(file, at)?.[0];
      const there = def && this.service.getQuickInfoAtPosition(def.fileName, def.textSpan.start);
      if (there) info = there;
    }
    const signature = ts.displayPartsToString(info.displayParts);
    const doc = ts.displayPartsToString(info.documentation);
    const tags = (info.tags ?? []).map((t) => `@${t.name}${t.text ? " " + ts.displayPartsToString(t.text) : ""}`);
    return { found: true, signature, documentation: [doc, ...tags].filter(Boolean).join("\n") };
  }

  /** Forgets every cell. */
  reset(): void {
    for (const f of [...this.files.keys()]) if (f !== this.globalsFile) this.files.delete(f);
    this.visible.clear();
    this.roots = [this.globalsFile];
  }

  dispose(): void {
    this.service.dispose();
  }
}

function moduleSpecifier(fromDir: string, file: string): string {
  let rel = path.relative(fromDir, file).replace(/\\/g, "/").replace(/\.ts$/, "");
  if (!rel.startsWith(".")) rel = "./" + rel;
  return rel;
}
