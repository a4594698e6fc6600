/**
 * The converter: one cell of TypeScript → a script the executor runs. Pure text work, no
 * evaluation, so it is tested alone (test/session/cell_converter.test.ts).
 *
 * The steps, each keeping a map back to the one before (source_map.ts):
 *
 *  1. parse the cell (TypeScript's parser): syntax errors with line and column; the names
 *     it declares at the top level;
 *  2. mark the cell's value: the last statement, when an expression, becomes
 *     `__fb_out.value = (expr);` — drop `export` (a cell exports nothing), and
 *     `import.meta` becomes `__fb_meta` (a script has no import.meta);
 *  3. transpile TS → JS on its own (esbuild; TypeScript's transpileModule when esbuild is
 *     missing), imports kept as written;
 *  4. instrument (src/graph/instrument): capture metadata on every function and class,
 *     with the names of earlier cells as `outerNames`;
 *  5. make it persist: top-level declarations become assignments to the session's scope
 *     (a cell's: the sandbox's global object; a module's: its own scope object, which the
 *     body reaches through `with (scope)`), so a later cell sees them and may declare them
 *     again; `function` declarations are hoisted as assignments;
 *     imports become bindings of modules the executor loads before the cell runs;
 *     top-level `await` becomes `yield` in a generator the executor drives, so every piece
 *     of the cell's own code runs where an interrupt can stop it (executor.ts).
 *
 * The result is the text of a function expression:
 *
 *   (function (__fb_scope, __fb_m, __fb_out, __fb_ai) {
 *     return function* () { "use strict"; __fb_hoisted();
 *   <the cell, on its own lines>
 *   function __fb_hoisted() { f = function f() {...}; } } })
 *
 * (a module's body inside `with (__fb_scope) { … }`)
 *
 * compiled with `lineOffset: -1` (executor.ts), so V8 reports a cell's lines as they are
 * (wherever the instrumenter could keep them); `mapper` is exact either way.
 */
import { createRequire } from "node:module";
import type * as TS from "typescript";
import { topLevelDeclarations, bindingNames, type TopLevelDeclaration } from "./declarations.js";
import { chain, identityMapper, LineIndex, sourceMapMapper, type PositionMapper } from "./source_map.js";
import { TextEdits } from "./text_edits.js";
import { typescript } from "./typescript.js";
import { DYNAMIC_IMPORT } from "../graph/realm.js";

/** A problem in a cell's text, at 0-based line/column of the cell. */
export interface SourceDiagnostic {
  message: string;
  code: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface ConvertOptions {
  /** The name the cell goes by in tracebacks and in function metadata (`cell[3]`, a script's path). */
  filename: string;
  /** Names declared by earlier cells (and preloaded globals): references to them are captures. */
  outerNames?: ReadonlySet<string>;
  /** The file URL the cell's relative imports resolve from (default: `filename`). */
  importer?: string;
  /** "ts" (default) or "js". */
  language?: "ts" | "js";
  /** Run the instrumenter (default true). */
  instrument?: boolean;
  /**
   * Convert a module of the user's (a file a cell imports) rather than a cell: no value;
   * its exports are listed in {@link ConvertedCell.exports} (`export default` sets `__fb_out.default`).
   */
  module?: boolean;
}

/** One export of a module: `name` is the scope's `local`; `star` re-exports a whole namespace. */
export type ModuleExport = { name: string; local: string } | { star: string };

export interface ConvertedCell {
  /** The text of the cell's factory function (see the module doc). */
  code: string;
  /** Positions in `code` → positions in the cell's own text. */
  mapper: PositionMapper;
  /** Everything the cell declares at its top level, types too (for the type checker). */
  declarations: TopLevelDeclaration[];
  /** Names the cell assigns in the session's scope. */
  runtimeNames: string[];
  /** Module specifiers the cell imports, by index: the executor's `__fb_m.ns(i)` / `def(i)` / `named(i, name)`. */
  imports: string[];
  /** True when the last statement is an expression (the cell has a value). */
  hasValue: boolean;
  /** A module's exports (with `module: true`). */
  exports: ModuleExport[];
}

/** A cell that does not parse. */
export class CellSyntaxError extends Error {
  constructor(readonly diagnostics: SourceDiagnostic[]) {
    super(diagnostics[0]?.message ?? "syntax error");
    this.name = "SyntaxError";
  }
}

/** The parameters of the factory function, in order. */
export const FACTORY_PARAMS = ["__fb_scope", "__fb_m", "__fb_out", "__fb_ai"] as const;

export async function convertCell(source: string, options: ConvertOptions): Promise<ConvertedCell> {
  const ts = typescript();
  const language = options.language ?? "ts";
  // A script's `#!` line cannot stand inside a function.
  const text = source.startsWith("#!") ? "//" + source.slice(2) : source;

  // 1. parse
  const sf = ts.createSourceFile(language === "ts" ? "cell.ts" : "cell.js", text, ts.ScriptTarget.ES2022, true, language === "ts" ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const parseDiagnostics = (sf as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (parseDiagnostics.length) throw new CellSyntaxError(parseDiagnostics.map((d) => toSourceDiagnostic(ts, sf, d)));
  const declarations = topLevelDeclarations(ts, sf);

  // 2. the cell's value, no exports, no import.meta (on the cell's own AST)
  const pre = new TextEdits(text);
  const hasValue = !options.module && markValue(ts, sf, pre);
  const exports = options.module ? convertExports(ts, sf, pre) : (stripExports(ts, sf, pre), []);
  replaceImportMeta(ts, sf, pre);
  const { code: text2, map: preMap } = pre.apply();

  // 3. transpile
  const { code: js1v, map: tsMap } = await transpile(text2, language, options.filename, preMap);

  // 4. instrument
  let js2 = js1v;
  let instrumentMap: PositionMapper | undefined;
  if (options.instrument !== false) {
    const names = new Set(options.outerNames ?? []);
    for (const d of declarations) names.add(d.name);
    const r = instrument(js1v, { filename: options.filename, importer: options.importer, outerNames: names, helperImport: false, inputSourceMap: tsMap });
    if (r) {
      js2 = r.code;
      instrumentMap = r.map ? sourceMapMapper(r.map) : undefined;
    }
  }

  // 5. persist
  const persisted = persist(ts, js2, options.module === true);
  const mapper = chain(preMap, tsMap ? sourceMapMapper(tsMap) : identityMapper, instrumentMap, persisted.map);
  return {
    code: persisted.code,
    mapper,
    declarations,
    runtimeNames: persisted.names,
    imports: persisted.imports,
    hasValue,
    exports,
  };
}

export function toSourceDiagnostic(ts: typeof TS, sf: TS.SourceFile, d: TS.Diagnostic): SourceDiagnostic {
  const start = d.start ?? 0;
  const end = start + (d.length ?? 0);
  const a = sf.getLineAndCharacterOfPosition(Math.min(start, sf.text.length));
  const b = sf.getLineAndCharacterOfPosition(Math.min(end, sf.text.length));
  return {
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    code: d.code,
    line: a.line,
    column: a.character,
    endLine: b.line,
    endColumn: b.character,
  };
}

// --- 2. transpile ---------------------------------------------------------------------

interface EsbuildLike {
  transform(code: string, options: Record<string, unknown>): Promise<{ code: string; map: string }>;
}
let esbuild: EsbuildLike | null | undefined;

function loadEsbuild(): EsbuildLike | null {
  if (esbuild === undefined) {
    try {
      esbuild = createRequire(import.meta.url)("esbuild") as EsbuildLike;
    } catch {
      esbuild = null;
    }
  }
  return esbuild;
}

/**
 * Starts esbuild's service (a child process, ~60 ms to spawn) while the session loads
 * TypeScript and the API, so the first cell does not wait for it.
 */
export function warmUpConverter(): void {
  try {
    loadEsbuild()
      ?.transform("let x: number = 1", { loader: "ts" })
      .catch(() => undefined);
  } catch {
    // the first cell will say what is wrong
  }
}

async function transpile(text: string, language: "ts" | "js", filename: string, back: PositionMapper): Promise<{ code: string; map?: unknown }> {
  if (language === "js") return { code: text };
  const eb = loadEsbuild();
  if (eb) {
    try {
      const r = await eb.transform(text, {
        loader: "ts",
        sourcemap: "external",
        sourcefile: filename,
        target: "node20",
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
      });
      return { code: r.code, map: r.map };
    } catch (e) {
      const errors = (e as { errors?: Array<{ text: string; location?: { line: number; column: number; length: number } }> }).errors;
      if (errors?.length) {
        throw new CellSyntaxError(
          errors.map((x) => {
            const p = back.original((x.location?.line ?? 1) - 1, x.location?.column ?? 0) ?? { line: 0, column: 0 };
            return { message: x.text, code: 0, line: p.line, column: p.column, endLine: p.line, endColumn: p.column + (x.location?.length ?? 0) };
          }),
        );
      }
      throw e;
    }
  }
  const ts = typescript();
  const r = ts.transpileModule(text, {
    fileName: "cell.ts",
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      sourceMap: true,
      verbatimModuleSyntax: true,
      useDefineForClassFields: true,
    },
  });
  return { code: r.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"), map: r.sourceMapText };
}

// --- 3. value and exports --------------------------------------------------------------

function markValue(ts: typeof TS, sf: TS.SourceFile, edits: TextEdits): boolean {
  const last = sf.statements[sf.statements.length - 1];
  if (!last || !ts.isExpressionStatement(last)) return false;
  edits.insert(last.expression.getStart(sf), "__fb_out.value = (");
  edits.insert(last.expression.end, ")", 1);
  return true;
}

function stripExports(ts: typeof TS, js: TS.SourceFile, edits: TextEdits): void {
  for (const stmt of js.statements) {
    if (ts.isExportDeclaration(stmt)) {
      edits.remove(stmt.getStart(js), stmt.end);
      continue;
    }
    if (ts.isExportAssignment(stmt)) {
      // `export default expr;` → `expr;`
      edits.remove(stmt.getStart(js), stmt.expression.getStart(js));
      continue;
    }
    const mods = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined;
    if (!mods) continue;
    for (const m of mods) {
      if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) {
        edits.remove(m.getStart(js), skipSpaces(js.text, m.end));
      }
    }
  }
}

/**
 * A module's exports, as a script can have them: `export` modifiers go (the names stay in
 * the module's scope and are listed), `export default x` sets `__fb_out.default`, and
 * re-exports (`export { a } from "m"`, `export * from "m"`) become imports under private
 * names. Type-only exports have no runtime name.
 */
function convertExports(ts: typeof TS, sf: TS.SourceFile, edits: TextEdits): ModuleExport[] {
  const out: ModuleExport[] = [];
  let n = 0;
  const has = (mods: readonly TS.ModifierLike[] | undefined, kind: TS.SyntaxKind) => mods?.find((m) => m.kind === kind);
  for (const stmt of sf.statements) {
    const start = stmt.getStart(sf);
    if (ts.isExportDeclaration(stmt)) {
      const spec = stmt.moduleSpecifier && ts.isStringLiteral(stmt.moduleSpecifier) ? JSON.stringify(stmt.moduleSpecifier.text) : undefined;
      const clause = stmt.exportClause;
      let replacement = "";
      if (stmt.isTypeOnly) replacement = "";
      else if (!clause) {
        const local = `__fb_star_${n++}`;
        replacement = `import * as ${local} from ${spec};`;
        out.push({ star: local });
      } else if (ts.isNamespaceExport(clause)) {
        const local = `__fb_reexport_${n++}`;
        replacement = `import * as ${local} from ${spec};`;
        out.push({ name: clause.name.text, local });
      } else {
        const parts: string[] = [];
        for (const el of clause.elements) {
          if (el.isTypeOnly) continue;
          const local = (el.propertyName ?? el.name).text;
          if (spec) {
            const alias = `__fb_reexport_${n++}`;
            parts.push(`${local} as ${alias}`);
            out.push({ name: el.name.text, local: alias });
          } else out.push({ name: el.name.text, local });
        }
        if (spec && parts.length) replacement = `import { ${parts.join(", ")} } from ${spec};`;
      }
      edits.replace(start, stmt.end, replacement);
      continue;
    }
    if (ts.isExportAssignment(stmt)) {
      edits.replace(start, stmt.expression.getStart(sf), "__fb_out.default = (");
      edits.insert(stmt.expression.end, ")", 1);
      continue;
    }
    const mods = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined;
    const exportMod = has(mods, ts.SyntaxKind.ExportKeyword);
    if (!exportMod) continue;
    const defaultMod = has(mods, ts.SyntaxKind.DefaultKeyword);
    const typeOnly = has(mods, ts.SyntaxKind.DeclareKeyword) || ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt);
    const named = (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isEnumDeclaration(stmt) || ts.isModuleDeclaration(stmt)) && stmt.name && ts.isIdentifier(stmt.name) ? stmt.name.text : undefined;
    if (defaultMod && !named && !typeOnly) {
      // `export default function () {}` / `export default class {}`: an expression then.
      edits.replace(exportMod.getStart(sf), skipSpaces(sf.text, defaultMod.end), "__fb_out.default = ");
      continue;
    }
    edits.remove(exportMod.getStart(sf), skipSpaces(sf.text, exportMod.end));
    if (defaultMod) edits.remove(defaultMod.getStart(sf), skipSpaces(sf.text, defaultMod.end));
    if (typeOnly) continue;
    if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) for (const name of bindingNames(ts, d.name)) out.push({ name, local: name });
    } else if (named) out.push({ name: defaultMod ? "default" : named, local: named });
  }
  return out;
}

/**
 * `import.meta` cannot stand in a script: the executor provides `__fb_meta` instead. Nor
 * can `import()` in vm2's sandbox (it refuses dynamic imports): `__fb_import()` loads
 * the module through the executor's loader (the serializer writes it back as `import()`).
 */
function replaceImportMeta(ts: typeof TS, js: TS.SourceFile, edits: TextEdits): void {
  if (!js.text.includes("import")) return;
  const visit = (n: TS.Node): void => {
    if (ts.isMetaProperty(n) && n.keywordToken === ts.SyntaxKind.ImportKeyword) edits.replace(n.getStart(js), n.end, "__fb_meta");
    else {
      if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) edits.replace(n.expression.getStart(js), n.expression.end, DYNAMIC_IMPORT);
      ts.forEachChild(n, visit);
    }
  };
  ts.forEachChild(js, visit);
}

function skipSpaces(text: string, pos: number): number {
  while (pos < text.length && (text[pos] === " " || text[pos] === "\t")) pos++;
  return pos;
}

// --- 4. instrument ---------------------------------------------------------------------

interface InstrumentFn {
  (code: string, options: Record<string, unknown>): { code: string; map?: unknown; changed?: boolean };
}
let instrumentFn: InstrumentFn | null | undefined;

/** Sets the instrumenter (loaded by the session from src/graph/instrument before the first cell). */
export function setInstrumenter(fn: InstrumentFn | null): void {
  instrumentFn = fn;
}

function instrument(code: string, options: Record<string, unknown>): { code: string; map?: unknown } | undefined {
  if (!instrumentFn) return undefined;
  const r = instrumentFn(code, options);
  if (r.changed === false) return undefined;
  return r;
}

// --- 5. persist ------------------------------------------------------------------------

interface Persisted {
  code: string;
  map: PositionMapper;
  names: string[];
  imports: string[];
}

const FUNCTION_BOUNDARY = new Set<number>();

function isFunctionBoundary(ts: typeof TS, n: TS.Node): boolean {
  if (!FUNCTION_BOUNDARY.size) {
    const S = ts.SyntaxKind;
    for (const k of [
      S.FunctionDeclaration,
      S.FunctionExpression,
      S.ArrowFunction,
      S.MethodDeclaration,
      S.GetAccessor,
      S.SetAccessor,
      S.Constructor,
      S.ClassStaticBlockDeclaration,
      S.PropertyDeclaration,
    ]) FUNCTION_BOUNDARY.add(k);
  }
  return FUNCTION_BOUNDARY.has(n.kind);
}

function persist(ts: typeof TS, js: string, withScope: boolean): Persisted {
  const sf = ts.createSourceFile("cell.js", js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits = new TextEdits(js);
  const names = new Set<string>();
  const imports: string[] = [];
  let loops = 0;
  let hoisted = 0;
  const HOIST = 50;

  const moduleIndex = (spec: string) => {
    let i = imports.indexOf(spec);
    if (i < 0) i = imports.push(spec) - 1;
    return i;
  };

  for (const stmt of sf.statements) {
    const start = stmt.getStart(sf);
    if (ts.isImportDeclaration(stmt)) {
      const spec = (stmt.moduleSpecifier as TS.StringLiteral).text;
      const i = moduleIndex(spec);
      const parts: string[] = [];
      const clause = stmt.importClause;
      if (clause && !clause.isTypeOnly) {
        if (clause.name) {
          names.add(clause.name.text);
          parts.push(`${clause.name.text} = __fb_m.def(${i});`);
        }
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) {
          names.add(nb.name.text);
          parts.push(`${nb.name.text} = __fb_m.ns(${i});`);
        } else if (nb) {
          for (const el of nb.elements) {
            if (el.isTypeOnly) continue;
            const imported = (el.propertyName ?? el.name).text;
            names.add(el.name.text);
            parts.push(`${el.name.text} = __fb_m.named(${i}, ${JSON.stringify(imported)});`);
          }
        }
      }
      edits.replace(start, stmt.end, parts.join(" "));
    } else if (ts.isVariableStatement(stmt)) {
      persistVariables(ts, sf, stmt, edits, names);
    } else if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
      // Hoisted: assigned (by __fb_hoisted, after the cell's last line so no line moves)
      // before anything else of the cell runs.
      names.add(stmt.name.text);
      hoisted++;
      edits.insert(js.length, `${stmt.name.text} = `, HOIST);
      edits.move(start, stmt.end, js.length, HOIST);
      edits.insert(js.length, ";\n", HOIST);
      // Its lines stay, empty, so the lines after it do not move up.
      edits.insert(start, "\n".repeat(js.slice(start, stmt.end).split("\n").length - 1));
    } else if (ts.isClassDeclaration(stmt) && stmt.name) {
      names.add(stmt.name.text);
      edits.insert(start, `${stmt.name.text} = `);
      edits.insert(stmt.end, ";");
    }
  }

  // Top-level await → yield (the executor drives the generator); `for await` likewise.
  const visit = (n: TS.Node): void => {
    if (isFunctionBoundary(ts, n)) return;
    if (ts.isAwaitExpression(n)) {
      edits.replace(n.getStart(sf), n.expression.getStart(sf), "(yield ");
      edits.insert(n.end, ")", 1);
    } else if (ts.isForOfStatement(n) && n.awaitModifier) {
      const k = loops++;
      const init = n.initializer;
      edits.remove(n.getStart(sf), init.getStart(sf));
      edits.insert(n.getStart(sf), `for (let __fb_i${k} = __fb_ai(`);
      edits.remove(init.end, n.expression.getStart(sf));
      edits.remove(n.expression.end, n.statement.getStart(sf));
      edits.insert(n.statement.getStart(sf), `), __fb_r${k}; !(__fb_r${k} = (yield __fb_i${k}.next())).done; ) { `);
      edits.move(init.getStart(sf), init.end, n.statement.getStart(sf));
      edits.insert(n.statement.getStart(sf), ` = __fb_r${k}.value; `, 1);
      edits.insert(n.statement.end, " }", 1);
      ts.forEachChild(n.expression, visit);
      ts.forEachChild(n.statement, visit);
      return;
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(sf, visit);

  // The wrapper takes a line of its own before the cell: the executor compiles with
  // lineOffset -1, so V8's line numbers are the cell's (where the instrumenter kept them).
  // A cell's names live on the sandbox's global object (fast to look up); a module's in a
  // scope object of its own, through `with`.
  const prologue = hoisted ? "__fb_hoisted();" : "";
  const [open, close] = withScope ? ["with (__fb_scope) { ", " }"] : ["", ""];
  edits.insert(0, `(function (${FACTORY_PARAMS.join(", ")}) { ${open}return function* () { "use strict"; ${prologue}\n`, -100);
  if (hoisted) {
    edits.insert(js.length, "\nfunction __fb_hoisted() {\n", 40);
    edits.insert(js.length, "}", 60);
  }
  edits.insert(js.length, `\n}${close} })`, 100);
  const { code, map } = edits.apply();
  return { code, map, names: [...names], imports };
}

function persistVariables(ts: typeof TS, sf: TS.SourceFile, stmt: TS.VariableStatement, edits: TextEdits, names: Set<string>): void {
  const list = stmt.declarationList;
  const flags = list.flags;
  const blockKind = flags & ts.NodeFlags.BlockScoped;
  if (blockKind === ts.NodeFlags.Using || blockKind === ts.NodeFlags.AwaitUsing) return; // stays local to the cell
  const isLet = (flags & ts.NodeFlags.Let) !== 0;
  const decls = list.declarations;
  if (!decls.length) return;
  // `const ` / `let ` / `var `
  edits.remove(list.getStart(sf), decls[0]!.getStart(sf));
  decls.forEach((d, i) => {
    for (const n of bindingNames(ts, d.name)) names.add(n);
    const pattern = !ts.isIdentifier(d.name);
    if (pattern) {
      edits.insert(d.getStart(sf), i === 0 ? ";(" : "(");
      edits.insert(d.end, ")", 1);
    } else if (!d.initializer) {
      const n = (d.name as TS.Identifier).text;
      edits.insert(d.end, isLet ? " = void 0" : ` = ${n}`);
    }
  });
}

/** The line index of a converted cell's code (for tests and error mapping). */
export function lineIndexOf(code: string): LineIndex {
  return new LineIndex(code);
}
