/**
 * The instrumenter: rewrites JavaScript so that functions record what they capture.
 *
 * Every function or class that captures variables from an enclosing scope of the same code
 * (or, for notebook cells, names declared by earlier cells: `outerNames`) gets capture
 * metadata under `Symbol.for("flowbook.fn")` (see src/graph/functions/meta.ts):
 *
 *   { captures: () => ({ a, b }), file, line, column }
 *
 * `captures` is lazy: values are read when the pipeline is run, not when the function is
 * defined. Top-level functions without captures still get `{ file, line, column }` for
 * stack traces. How each kind is registered:
 *
 *   function f() {}            `__fb_fn(f, META);` at the top of the enclosing block (hoisting)
 *   class C {}                 `__fb_fn(C, META);` right after the declaration
 *   const f = () => ...;       `__fb_fn(f, META);` right after the statement (keeps `f.name`)
 *   other expressions          `__fb_fn(<expr>, META)` (the inferred name goes in META.name)
 *   { m() {}, k: () => {} }    `__fb_obj({ ... }, [["m", META], ["k", META]])`
 *
 * Class members travel with their class and are not registered one by one.
 *
 * Import declarations whose bindings are captured are rewritten so that the bindings are
 * ordinary constants (which a bundler's import rewriting leaves alone, and which the
 * serializer can see): `import { KV } from "x"` → `import * as __fb_ns0 from "x"; const { KV } =
 * __fb_ns0; __fb_mod(__fb_ns0, "x");`, and `import * as ns from "x"` → `import * as __fb_ns1
 * from "x"; const ns = __fb_ns1; ...`. With `imports: "keep"` the declaration stays and only the
 * namespace import and `__fb_mod` are added. Either way, each captured import binding is
 * recorded in META.imports with its module (relative specifiers resolved to absolute
 * `file://` URLs) and export name, so it travels as a module reference (primitives too: the
 * rebuilt function sees the module's value in its own process).
 *
 * Line numbers are kept: everything is inserted on existing lines. With `inputSourceMap`
 * (the map of a TS → JS transpile) lines are even moved back to where they were in the
 * original file: by inserting blank lines where the transpiler removed lines (types,
 * comments, blank lines), and by joining lines where it spread one line over several (a
 * one-line object literal or argument list printed one entry per line), at line breaks
 * between tokens that no semicolon insertion depends on.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as TS from "typescript";
import { analyzeScopes, parseErrors, parseJs, typescript, type OwnerInfo, type ScopeAnalysis } from "./free_variables.js";
import { encodeMappings, originalLinePerLine, readSourceMap, type RawSourceMap, type Segment } from "./source_map.js";
import { sourceKey } from "../functions/meta.js";

export const INSTRUMENTED_MARKER = "/*@flowbook-instrumented*/";

export interface InstrumentOptions {
  /** The user's file (path or file URL): recorded for stack traces, base of relative imports. */
  filename: string;
  /** Where relative imports resolve from instead (a notebook cell's URL in the session's directory). */
  importer?: string;
  /** Names declared by earlier notebook cells: references to them are captures. */
  outerNames?: ReadonlySet<string>;
  /** Added to recorded line numbers (a cell that starts at line lineOffset + 1 of its file). */
  lineOffset?: number;
  /**
   * Where instrumented code gets `__fb_fn`, `__fb_obj` and `__fb_mod`: an import specifier
   * (default: the absolute URL of flowbook's src/graph/functions/meta module), or `false`
   * when the code runs as a script with those names installed as globals
   * (`installInstrumentationGlobals(context)` from src/graph/functions/meta.ts).
   */
  helperImport?: string | false;
  /** `rewrite` (default): captured imports become constants; `keep`: declarations stay as written. */
  imports?: "rewrite" | "keep";
  /**
   * The source map of the transform that produced `code` (e.g. TypeScript → JavaScript).
   * Lines are then realigned to the original file by inserting blank lines.
   */
  inputSourceMap?: unknown;
  /** Produce a source map from the output to `code` (default true). */
  sourceMap?: boolean;
}

export interface InstrumentResult {
  code: string;
  /** Maps the output to the input `code`; absent when nothing changed or `sourceMap: false`. */
  map?: RawSourceMap;
  /** False when the code was returned unchanged (nothing to do, already instrumented, syntax error). */
  changed: boolean;
}

function defaultHelperImport(): string {
  const here = import.meta.url;
  const ext = /\.ts$/.test(new URL(here).pathname) ? ".ts" : ".js";
  return new URL(`../functions/meta${ext}`, here).href;
}

/** The file URL of a filename (path, relative path or URL), or undefined. */
function fileUrlOf(filename: string): string | undefined {
  if (filename.startsWith("file:")) return filename;
  if (/^[a-zA-Z][a-zA-Z\d+.-]+:/.test(filename)) return undefined;
  try {
    return pathToFileURL(path.resolve(filename)).href;
  } catch {
    return undefined;
  }
}

const PROBE_EXTS = [".ts", ".tsx", ".mts", ".js", ".mjs"];

/** A relative specifier as an absolute file URL, preferring a file that exists (`./a.js` → `a.ts`). */
export function resolveSpecifier(specifier: string, filename: string): { specifier: string; from?: string } {
  if (specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === "..") {
    const base = fileUrlOf(filename);
    if (!base) return { specifier };
    const url = new URL(specifier, base);
    try {
      const p = fileURLToPath(url);
      if (!fs.existsSync(p)) {
        const stem = p.replace(/\.(js|mjs|cjs|jsx)$/, "");
        for (const ext of PROBE_EXTS) {
          if (fs.existsSync(stem + ext)) return { specifier: pathToFileURL(stem + ext).href };
        }
      }
    } catch {
      // keep the URL as is
    }
    return { specifier: url.href };
  }
  if (specifier.startsWith("/")) return { specifier: pathToFileURL(specifier).href };
  if (/^[a-zA-Z][a-zA-Z\d+.-]+:/.test(specifier)) return { specifier };
  const from = fileUrlOf(filename);
  return from ? { specifier, from } : { specifier };
}

// ---------------------------------------------------------------------------------------

const IDENT_RE = /^[A-Za-z_$][\w$]*$/;
const NOT_CAPTURABLE = new Set(["arguments", "eval", "this", "undefined"]);

/** The first position at or after `pos` that is not whitespace or a comment. */
function skipTrivia(code: string, pos: number): number {
  let i = pos;
  while (i < code.length) {
    const c = code.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff) {
      i++;
    } else if (c === 47 && code.charCodeAt(i + 1) === 47) {
      const nl = code.indexOf("\n", i);
      i = nl < 0 ? code.length : nl + 1;
    } else if (c === 47 && code.charCodeAt(i + 1) === 42) {
      const end = code.indexOf("*/", i + 2);
      i = end < 0 ? code.length : end + 2;
    } else break;
  }
  return i;
}

interface Insertion {
  pos: number;
  /** At one position: 0 closings, 1 blank lines, 2 statements, 3 openings. */
  order: number;
  /** Tie-break within an order (lower first). */
  tie: number;
  text: string | (() => string);
  /** Not text: records where the function starting at this input offset ends in the output. */
  endOf?: number;
}

interface Tokens {
  starts: number[];
  ends: number[];
  kinds: TS.SyntaxKind[];
}

/** Tokens after which, and before which, a line break can be removed (see Planner.joinLine). */
let JOIN_AFTER: Set<TS.SyntaxKind> | undefined;
let JOIN_BEFORE: Set<TS.SyntaxKind> | undefined;

interface Replacement {
  start: number;
  end: number;
  text: string;
}

interface OutPos {
  line: number; // 0-based
  col: number; // 0-based
  offset: number;
}

/** Instruments one module or cell of JavaScript. */
export function instrumentCode(code: string, options: InstrumentOptions): InstrumentResult {
  if (code.includes(INSTRUMENTED_MARKER)) return { code, changed: false };
  const ts = typescript();
  const sf = parseJs(code, "input.js");
  if (parseErrors(sf).length) return { code, changed: false };
  const analysis = analyzeScopes(sf);
  const plan = new Planner(ts, sf, analysis, code, options);
  plan.run();
  if (!plan.insertions.length && !plan.replacements.length) return { code, changed: false };
  return plan.generate();
}

class Planner {
  readonly insertions: Insertion[] = [];
  readonly replacements: Replacement[] = [];
  /** Output positions of anchors (input offsets), from the previous generation pass. */
  private anchors = new Map<number, OutPos>();
  private readonly wantedAnchors = new Set<number>();
  private readonly outer: ReadonlySet<string>;
  private readonly fileLit: string;
  private readonly lineOffset: number;
  private readonly inputLineStarts: number[];
  private nsCounter = 0;
  private readonly resolved = new Map<string, { specifier: string; from?: string }>();
  /** Import bindings captured by a registered function: local name → [specifier, export, from?]. */
  private readonly capturedImports = new Set<string>();
  private usesHelpers = false;
  /** Functions without metadata whose location is recorded by source text: start offsets. */
  private readonly located: number[] = [];
  /** Output offsets where located functions end, from the previous generation pass. */
  private ends = new Map<number, number>();
  /** The `__fb_loc` table computed from the previous pass's output. */
  private locTable = "";
  /**
   * Line breaks between two tokens removed by the realignment (the gap `start..end` becomes
   * `text`), pulling lines a transpiler spread out back up to their original line.
   */
  private joins: Array<Replacement & { removed: number }> = [];
  /** Object literals to wrap with __fb_obj, with their entries. */
  private readonly objectEntries = new Map<TS.ObjectLiteralExpression, Array<() => string>>();

  constructor(
    private readonly ts: typeof TS,
    private readonly sf: TS.SourceFile,
    private readonly analysis: ScopeAnalysis,
    private readonly code: string,
    private readonly options: InstrumentOptions,
  ) {
    this.outer = options.outerNames ?? new Set();
    this.fileLit = JSON.stringify(options.filename);
    this.lineOffset = options.lineOffset ?? 0;
    this.inputLineStarts = [0];
    for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) this.inputLineStarts.push(i + 1);
  }

  run(): void {
    for (const o of this.analysis.owners.values()) {
      if (!this.planOwner(o)) this.planLocation(o);
    }
    for (const [lit, entries] of this.objectEntries) {
      this.insert(lit.getStart(this.sf), 3, 0, "__fb_obj(");
      this.insert(lit.end, 0, -lit.getStart(this.sf), () => `, [${entries.map((e) => e()).join(", ")}])`);
    }
    if (this.options.inputSourceMap !== undefined) this.planRealignment();
    this.planImports();
    for (const j of this.joins) this.replacements.push(j);
    if (this.insertions.length || this.replacements.length) this.planHeader();
  }

  private insert(pos: number, order: number, tie: number, text: string | (() => string)): void {
    this.insertions.push({ pos, order, tie, text });
    if (order !== 1) this.usesHelpers = true;
  }

  // --- what each owner gets ---------------------------------------------------------

  private capturesOf(o: OwnerInfo): string[] {
    const names = new Set<string>();
    for (const n of o.captured.keys()) if (this.capturable(n)) names.add(n);
    for (const n of o.unresolved) if (this.outer.has(n) && this.capturable(n)) names.add(n);
    return [...names].sort();
  }

  private capturable(n: string): boolean {
    return IDENT_RE.test(n) && !n.startsWith("__fb_") && !NOT_CAPTURABLE.has(n);
  }

  /** An arrow's `this` is worth capturing when some enclosing function or class binds it. */
  private capturesThis(o: OwnerInfo): boolean {
    if (o.kind !== "arrow" || !o.usesThis) return false;
    for (let p = o.parent; p; p = p.parent) if (p.kind !== "arrow") return true;
    return false;
  }

  /**
   * A function that gets no metadata (nested, captures nothing): its location goes in the
   * module's `__fb_loc` table, keyed by its source text, at no cost per function created.
   */
  private planLocation(o: OwnerInfo): void {
    const ts = this.ts;
    const node = o.node;
    if (o.kind === "constructor" || o.kind === "static-block") return;
    if ((o.kind === "method" || o.kind === "accessor") && !ts.isObjectLiteralExpression(node.parent)) return;
    if (this.isIife(node) || this.isAlreadyWrapped(node)) return;
    const start = this.functionTextStart(node);
    this.wantedAnchors.add(start);
    this.located.push(start);
    this.insertions.push({ pos: node.end, order: 0, tie: -node.getStart(this.sf) - 0.5, text: "", endOf: start });
  }

  /** Plans the registration of a function or class; false if it gets none. */
  private planOwner(o: OwnerInfo): boolean {
    const ts = this.ts;
    const node = o.node;
    if (o.kind === "constructor" || o.kind === "static-block") return false;
    if ((o.kind === "method" || o.kind === "accessor") && !ts.isObjectLiteralExpression(node.parent)) return false;
    const caps = this.capturesOf(o);
    const thisCap = this.capturesThis(o);
    const topLevel = o.parent === undefined;
    if (!caps.length && !thisCap && !topLevel) return false;
    if (this.isIife(node) || this.isAlreadyWrapped(node)) return true;
    for (const c of caps) {
      const s = o.captured.get(c);
      if (s === this.analysis.moduleScope && this.analysis.imports.has(c)) this.capturedImports.add(c);
    }
    const textStart = this.functionTextStart(node);
    this.wantedAnchors.add(textStart);
    const meta = (name?: string) => () => this.metaText(o, caps, thisCap, textStart, name);

    // Object literal members: registered by key on the literal.
    if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
      const key = this.staticKey(node.name);
      if (key === undefined) return false;
      const lit = node.parent as TS.ObjectLiteralExpression;
      const accessor = ts.isGetAccessorDeclaration(node) ? ", 1" : ts.isSetAccessorDeclaration(node) ? ", 2" : "";
      const m = meta();
      this.entriesOf(lit).push(() => `[${JSON.stringify(key)}, ${m()}${accessor}]`);
      return true;
    }

    if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) {
      const container = node.parent;
      if (node.name && this.isStatementContainer(container)) {
        const name = node.name.text;
        const m = meta();
        if (ts.isFunctionDeclaration(node)) {
          const at = this.blockStart(container);
          if (at !== undefined) this.insert(at, 2, node.getStart(this.sf), () => `__fb_fn(${name}, ${m()});`);
        } else {
          this.insert(node.end, 0, -node.getStart(this.sf), () => ` __fb_fn(${name}, ${m()});`);
        }
        return true;
      }
      if (!node.name && this.hasDefaultModifier(node)) {
        const m = meta("default");
        this.insert(textStart, 3, 0, "__fb_fn(");
        this.insert(node.end, 0, -node.getStart(this.sf), () => `, ${m()});`);
        return true;
      }
      return false;
    }

    if (!ts.isFunctionExpression(node) && !ts.isArrowFunction(node) && !ts.isClassExpression(node)) return false;
    // `const f = <function>;` in a statement list: register after the statement.
    const decl = this.declarationOf(node);
    if (decl) {
      const m = meta();
      const stmt = decl.parent.parent as TS.VariableStatement;
      const name = (decl.name as TS.Identifier).text;
      const semi = this.code.charCodeAt(stmt.end - 1) === 59 ? "" : ";";
      this.insert(stmt.end, 0, -stmt.getStart(this.sf) + this.declIndex(decl) * 1e-3, () => `${semi} __fb_fn(${name}, ${m()});`);
      return true;
    }
    // `{ key: <function> }`: register on the literal (keeps the inferred name).
    const prop = this.propertyOf(node);
    if (prop) {
      const key = this.staticKey(prop.name)!;
      const m = meta();
      this.entriesOf(prop.parent).push(() => `[${JSON.stringify(key)}, ${m()}]`);
      return true;
    }
    const name = (node as { name?: TS.Node }).name ? undefined : this.inferredName(node);
    const m = meta(name);
    const needsParens = ts.isNewExpression(node.parent) && node.parent.expression === node;
    this.insert(textStart, 3, 0, needsParens ? "(__fb_fn(" : "__fb_fn(");
    this.insert(node.end, 0, -node.getStart(this.sf), () => `, ${m()})${needsParens ? ")" : ""}`);
    return true;
  }

  private entriesOf(lit: TS.ObjectLiteralExpression): Array<() => string> {
    let e = this.objectEntries.get(lit);
    if (!e) this.objectEntries.set(lit, (e = []));
    return e;
  }

  private metaText(o: OwnerInfo, caps: string[], thisCap: boolean, textStart: number, name: string | undefined): string {
    const parts: string[] = [];
    if (caps.length || thisCap) {
      const fields = thisCap ? [...caps, "this: this"] : caps;
      parts.push(`captures: () => ({${fields.join(", ")}})`);
    }
    const pos = this.anchors.get(textStart) ?? this.inputPos(textStart);
    parts.push(`file: ${this.fileLit}`, `line: ${pos.line + 1 + this.lineOffset}`, `column: ${pos.col + 1}`);
    if (name !== undefined) parts.push(`name: ${JSON.stringify(name)}`);
    const imports: Record<string, [string, string] | [string, string, string]> = {};
    let any = false;
    for (const c of caps) {
      const b = o.captured.get(c) === this.analysis.moduleScope ? this.analysis.imports.get(c) : undefined;
      if (!b) continue;
      let r = this.resolved.get(b.specifier);
      if (!r) this.resolved.set(b.specifier, (r = resolveSpecifier(b.specifier, this.options.importer ?? this.options.filename)));
      imports[c] = r.from !== undefined ? [r.specifier, b.exportName, r.from] : [r.specifier, b.exportName];
      any = true;
    }
    if (any) parts.push(`imports: ${JSON.stringify(JSON.stringify(imports))}`);
    return `{${parts.join(", ")}}`;
  }

  private inputPos(offset: number): OutPos {
    const starts = this.inputLineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, col: offset - starts[lo]!, offset };
  }

  /** Where `toString()` of the function starts: after `export`/`default`, at `async`/`function`/`class`. */
  private functionTextStart(node: TS.Node): number {
    const ts = this.ts;
    const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
    let start = node.getStart(this.sf);
    if (mods) {
      for (const m of mods) {
        if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) {
          start = skipTrivia(this.code, m.end);
        }
      }
    }
    // Decorators are not part of a class's text.
    if (ts.isClassLike(node)) {
      const decs = ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined;
      if (decs?.length) start = Math.max(start, skipTrivia(this.code, decs[decs.length - 1]!.end));
    }
    return start;
  }

  private hasDefaultModifier(node: TS.Node): boolean {
    const ts = this.ts;
    const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
    return !!mods?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  }

  private isStatementContainer(n: TS.Node): n is TS.SourceFile | TS.Block | TS.ModuleBlock | TS.CaseClause | TS.DefaultClause {
    const ts = this.ts;
    return ts.isSourceFile(n) || ts.isBlock(n) || ts.isModuleBlock(n) || ts.isCaseClause(n) || ts.isDefaultClause(n);
  }

  /** Where statements run first in a block: after `{` (and a directive prologue). */
  private blockStart(c: TS.SourceFile | TS.Block | TS.ModuleBlock | TS.CaseClause | TS.DefaultClause): number | undefined {
    const ts = this.ts;
    const stmts = c.statements;
    let i = 0;
    const hasPrologue = ts.isSourceFile(c) || (ts.isBlock(c) && ts.isFunctionLike(c.parent));
    if (hasPrologue) {
      while (i < stmts.length && ts.isExpressionStatement(stmts[i]!) && ts.isStringLiteral((stmts[i] as TS.ExpressionStatement).expression)) i++;
    }
    if (i > 0) return stmts[i - 1]!.end;
    if (ts.isBlock(c) || ts.isModuleBlock(c)) return c.getStart(this.sf) + 1;
    if (!stmts.length) return undefined;
    return stmts[0]!.getStart(this.sf);
  }

  private isIife(node: TS.Node): boolean {
    const ts = this.ts;
    if (!ts.isFunctionExpression(node) && !ts.isArrowFunction(node)) return false;
    let p: TS.Node = node;
    while (ts.isParenthesizedExpression(p.parent)) p = p.parent;
    return (ts.isCallExpression(p.parent) || ts.isNewExpression(p.parent)) && p.parent.expression === p;
  }

  private isAlreadyWrapped(node: TS.Node): boolean {
    const ts = this.ts;
    const p = node.parent;
    return ts.isCallExpression(p) && ts.isIdentifier(p.expression) && p.expression.text.startsWith("__fb_");
  }

  private unparen(node: TS.Node): TS.Node {
    let p: TS.Node = node;
    while (this.ts.isParenthesizedExpression(p.parent)) p = p.parent;
    return p;
  }

  private declarationOf(node: TS.Node): TS.VariableDeclaration | undefined {
    const ts = this.ts;
    const child = this.unparen(node);
    const d = child.parent;
    if (!ts.isVariableDeclaration(d) || d.initializer !== child || !ts.isIdentifier(d.name)) return undefined;
    const list = d.parent;
    if (!ts.isVariableDeclarationList(list) || !ts.isVariableStatement(list.parent)) return undefined;
    if (!this.isStatementContainer(list.parent.parent)) return undefined;
    return d;
  }

  private declIndex(d: TS.VariableDeclaration): number {
    return (d.parent as TS.VariableDeclarationList).declarations.indexOf(d);
  }

  private propertyOf(node: TS.Node): (TS.PropertyAssignment & { parent: TS.ObjectLiteralExpression }) | undefined {
    const ts = this.ts;
    const child = this.unparen(node);
    const p = child.parent;
    if (!ts.isPropertyAssignment(p) || p.initializer !== child || !ts.isObjectLiteralExpression(p.parent)) return undefined;
    const key = this.staticKey(p.name);
    if (key === undefined || key === "__proto__") return undefined;
    return p as TS.PropertyAssignment & { parent: TS.ObjectLiteralExpression };
  }

  private staticKey(name: TS.PropertyName): string | undefined {
    const ts = this.ts;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
    if (ts.isNumericLiteral(name)) return String(Number(name.text));
    if (ts.isPrivateIdentifier(name)) return name.text;
    return undefined;
  }

  /** The name a definition gives an anonymous function (ECMAScript NamedEvaluation). */
  private inferredName(node: TS.Node): string | undefined {
    const ts = this.ts;
    const child = this.unparen(node);
    const p = child.parent;
    if (ts.isVariableDeclaration(p) && p.initializer === child && ts.isIdentifier(p.name)) return p.name.text;
    if (ts.isBinaryExpression(p) && p.right === child && ts.isIdentifier(p.left)) {
      const k = p.operatorToken.kind;
      const S = ts.SyntaxKind;
      if (k === S.EqualsToken || k === S.BarBarEqualsToken || k === S.AmpersandAmpersandEqualsToken || k === S.QuestionQuestionEqualsToken) {
        return p.left.text;
      }
    }
    if ((ts.isParameter(p) || ts.isBindingElement(p)) && p.initializer === child && ts.isIdentifier(p.name)) return p.name.text;
    if (ts.isPropertyAssignment(p) && p.initializer === child) return this.staticKey(p.name);
    if (ts.isPropertyDeclaration(p) && p.initializer === child) return this.staticKey(p.name);
    if (ts.isShorthandPropertyAssignment(p) && p.objectAssignmentInitializer === child) return p.name.text;
    if (ts.isExportAssignment(p)) return "default";
    return undefined;
  }

  // --- imports ----------------------------------------------------------------------

  private planImports(): void {
    const ts = this.ts;
    const mode = this.options.imports ?? "rewrite";
    for (const st of this.sf.statements) {
      if (!ts.isImportDeclaration(st) || !st.importClause || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const clause = st.importClause;
      if (clause.isTypeOnly) continue;
      const specText = st.moduleSpecifier.getText(this.sf);
      const attrsNode = (st as { attributes?: TS.Node }).attributes;
      const attrs = attrsNode ? ` ${attrsNode.getText(this.sf)}` : "";
      const r = resolveSpecifier(st.moduleSpecifier.text, this.options.importer ?? this.options.filename);
      const modCall = (ns: string) => `__fb_mod(${ns}, ${JSON.stringify(r.specifier)}${r.from !== undefined ? `, ${JSON.stringify(r.from)}` : ""});`;
      const nb = clause.namedBindings;
      const existingNs = nb && ts.isNamespaceImport(nb) ? nb.name.text : undefined;
      const named = nb && ts.isNamedImports(nb) ? nb.elements.filter((e) => !e.isTypeOnly) : [];
      const locals = [...(clause.name ? [clause.name.text] : []), ...(existingNs ? [existingNs] : []), ...named.map((e) => e.name.text)];
      const rewrite = mode === "rewrite" && locals.some((l) => this.capturedImports.has(l));
      this.usesHelpers = true;
      if (!rewrite) {
        if (existingNs) this.insert(st.end, 0, 1e9, ` ${modCall(existingNs)}`);
        else {
          const ns = `__fb_ns${this.nsCounter++}`;
          this.insert(st.end, 0, 1e9, ` import * as ${ns} from ${specText}${attrs}; ${modCall(ns)}`);
        }
        continue;
      }
      // A namespace import becomes a constant too: left an import binding, the bundler would
      // rewrite its uses inside function bodies (`__vite_ssr_import_0__.basename`), which a
      // rebuilt function could not resolve.
      const ns = `__fb_ns${this.nsCounter++}`;
      const decls: string[] = [];
      if (existingNs) decls.push(`${existingNs} = ${ns}`);
      if (clause.name) decls.push(`${clause.name.text} = ${ns}.default`);
      if (named.length) {
        const fields = named.map((e) => {
          const imported = e.propertyName ? e.propertyName : e.name;
          const key = ts.isStringLiteral(imported) ? JSON.stringify(imported.text) : imported.text;
          return key === e.name.text ? key : `${key}: ${e.name.text}`;
        });
        decls.push(`{ ${fields.join(", ")} } = ${ns}`);
      }
      const start = st.getStart(this.sf);
      const original = this.code.slice(start, st.end);
      let newlines = original.split("\n").length - 1;
      // Line breaks the realignment removes inside the declaration are not given back.
      this.joins = this.joins.filter((j) => {
        if (j.start < start || j.end > st.end) return true;
        newlines -= j.removed;
        return false;
      });
      const text = `import * as ${ns} from ${specText}${attrs};${decls.length ? ` const ${decls.join(", ")};` : ""} ${modCall(ns)}` + "\n".repeat(newlines);
      this.replacements.push({ start, end: st.end, text });
    }
  }

  // --- lines --------------------------------------------------------------------------

  private planRealignment(): void {
    const map = readSourceMap(this.options.inputSourceMap);
    if (!map) return;
    const ts = this.ts;
    const starts = this.inputLineStarts;
    let orig: Int32Array;
    try {
      orig = originalLinePerLine(map, starts.length);
    } catch {
      return;
    }
    // Lines that begin inside a string or template literal cannot get blank lines before them.
    const noPad = new Uint8Array(starts.length);
    const mark = (n: TS.Node) => {
      const a = this.inputPos(n.getStart(this.sf)).line;
      const b = this.inputPos(n.end).line;
      for (let l = a + 1; l <= b; l++) noPad[l] = 1;
    };
    const walk = (n: TS.Node): void => {
      const k = n.kind;
      const S = ts.SyntaxKind;
      if (k === S.TemplateExpression || k === S.NoSubstitutionTemplateLiteral || k === S.StringLiteral || k === S.JsxText) {
        mark(n);
        return;
      }
      ts.forEachChild(n, walk);
    };
    walk(this.sf);
    // A line above its original line gets blank lines before it; a line below it (the
    // transpiler spread one line over several: an object literal, a call's arguments) is
    // joined to the line before it, where the line break between the two tokens is safe to
    // remove.
    let shift = 0;
    let lastPad = -1;
    let tokens: Tokens | undefined;
    for (let l = 1; l < starts.length; l++) {
      const o = orig[l]!;
      if (o < 0) continue;
      const cur = l + shift;
      if (o > cur && !noPad[l]) {
        this.insert(starts[l]!, 1, 0, "\n".repeat(o - cur));
        shift += o - cur;
        lastPad = starts[l]!;
      } else if (o < cur) {
        tokens ??= this.tokens();
        shift -= this.joinLine(l, cur - o, tokens, lastPad);
      }
    }
  }

  /** The input's tokens in order (leaves of the syntax tree; comments are not tokens). */
  private tokens(): Tokens {
    const ts = this.ts;
    const S = ts.SyntaxKind;
    const out: Tokens = { starts: [], ends: [], kinds: [] };
    const visit = (n: TS.Node): void => {
      if (n.kind >= S.FirstJSDocNode && n.kind <= S.LastJSDocNode) return;
      const children = n.getChildren(this.sf);
      if (children.length) {
        for (const c of children) visit(c);
        return;
      }
      if (n.kind === S.SyntaxList || n.kind === S.EndOfFileToken) return;
      const start = n.getStart(this.sf);
      if (n.end <= start) return;
      out.starts.push(start);
      out.ends.push(n.end);
      out.kinds.push(n.kind);
    };
    visit(this.sf);
    return out;
  }

  /**
   * Joins input line `l` to the line before it by removing up to `want` line breaks between
   * its first token and the token before; returns how many were removed. Only where no
   * comment is in between and the tokens make the break meaningless: after a token that
   * needs a continuation (`{ ( [ , ; : = =>` and operators), or before one that cannot start
   * a statement (`} ) ] , . ?. ;`), so no semicolon can be inserted there either way.
   */
  private joinLine(l: number, want: number, t: Tokens, lastPad: number): number {
    const lineStart = this.inputLineStarts[l]!;
    const nextLine = this.inputLineStarts[l + 1] ?? this.code.length + 1;
    // The first token at or after the line's start.
    let lo = 0;
    let hi = t.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t.starts[mid]! < lineStart) lo = mid + 1;
      else hi = mid;
    }
    const i = lo;
    if (i === 0 || i >= t.starts.length || t.starts[i]! >= nextLine) return 0;
    const gapStart = t.ends[i - 1]!;
    const gapEnd = t.starts[i]!;
    // The line break belongs to a token (a string, a template, JSX text), or padding is inside.
    if (gapStart > lineStart - 1 || lastPad > gapStart) return 0;
    const gap = this.code.slice(gapStart, gapEnd);
    if (/\S/.test(gap)) return 0; // a comment
    if (!this.joinable(t.kinds[i - 1]!, t.kinds[i]!)) return 0;
    let breaks = 0;
    for (let k = gap.indexOf("\n"); k >= 0; k = gap.indexOf("\n", k + 1)) breaks++;
    const removed = Math.min(want, breaks);
    if (!removed) return 0;
    const text = removed === breaks ? " " : "\n".repeat(breaks - removed) + gap.slice(gap.lastIndexOf("\n") + 1);
    this.joins.push({ start: gapStart, end: gapEnd, text, removed });
    return removed;
  }

  private joinable(before: TS.SyntaxKind, after: TS.SyntaxKind): boolean {
    const S = this.ts.SyntaxKind;
    if (!JOIN_AFTER) {
      JOIN_AFTER = new Set([
        S.OpenBraceToken, S.OpenParenToken, S.OpenBracketToken, S.CommaToken, S.SemicolonToken, S.ColonToken,
        S.QuestionToken, S.QuestionDotToken, S.DotToken, S.DotDotDotToken, S.EqualsGreaterThanToken,
        S.TemplateHead, S.TemplateMiddle,
        S.PlusToken, S.MinusToken, S.AsteriskToken, S.AsteriskAsteriskToken, S.SlashToken, S.PercentToken,
        S.LessThanToken, S.GreaterThanToken, S.LessThanEqualsToken, S.GreaterThanEqualsToken,
        S.EqualsEqualsToken, S.ExclamationEqualsToken, S.EqualsEqualsEqualsToken, S.ExclamationEqualsEqualsToken,
        S.LessThanLessThanToken, S.GreaterThanGreaterThanToken, S.GreaterThanGreaterThanGreaterThanToken,
        S.AmpersandToken, S.BarToken, S.CaretToken, S.AmpersandAmpersandToken, S.BarBarToken, S.QuestionQuestionToken,
        S.ExclamationToken, S.TildeToken,
        S.InKeyword, S.InstanceOfKeyword, S.TypeOfKeyword, S.VoidKeyword, S.DeleteKeyword, S.NewKeyword,
        S.ExtendsKeyword, S.ElseKeyword,
      ]);
      for (let k = S.FirstAssignment; k <= S.LastAssignment; k++) JOIN_AFTER.add(k);
      JOIN_BEFORE = new Set([
        S.CloseBraceToken, S.CloseParenToken, S.CloseBracketToken, S.CommaToken, S.DotToken, S.QuestionDotToken,
        S.SemicolonToken, S.TemplateMiddle, S.TemplateTail,
      ]);
    }
    return JOIN_AFTER.has(before) || JOIN_BEFORE!.has(after);
  }

  private planHeader(): void {
    let pos = 0;
    if (this.code.startsWith("#!")) {
      const nl = this.code.indexOf("\n");
      if (nl < 0) return;
      pos = nl + 1;
    }
    const helper = this.options.helperImport === undefined ? defaultHelperImport() : this.options.helperImport;
    const registers = this.usesHelpers;
    const locates = this.located.length > 0;
    if (!registers && !locates) return;
    let text = INSTRUMENTED_MARKER;
    if (helper !== false) {
      // With `rewrite`, a bundler may rewrite references to import bindings inside function
      // bodies (Vite SSR: `__vite_ssr_import_0__.__fb_fn`), which a rebuilt function could not
      // resolve: bind the helpers as constants instead.
      text += (this.options.imports ?? "rewrite") === "rewrite"
        ? `import * as __fb_rt from ${JSON.stringify(helper)}; const { __fb_fn, __fb_obj, __fb_mod, __fb_loc } = __fb_rt;`
        : `import { __fb_fn, __fb_obj, __fb_mod, __fb_loc } from ${JSON.stringify(helper)};`;
    }
    this.insertions.push({ pos, order: -1, tie: 0, text });
    if (locates) this.insertions.push({ pos, order: -1, tie: 1, text: () => (this.locTable ? `__fb_loc(${this.fileLit}, ${JSON.stringify(this.locTable)});` : "") });
  }

  // --- output -------------------------------------------------------------------------

  generate(): InstrumentResult {
    const events = [...this.insertions].sort((a, b) => a.pos - b.pos || a.order - b.order || a.tie - b.tie);
    const reps = [...this.replacements].sort((a, b) => a.start - b.start);
    let out = "";
    let chunks: Array<[outLine: number, outCol: number, inStart: number, inEnd: number]> = [];
    for (let pass = 0; pass < 6; pass++) {
      const result = this.emit(events, reps);
      const stable = result.code === out;
      out = result.code;
      chunks = result.chunks;
      this.anchors = result.anchors;
      this.ends = result.ends;
      this.locTable = this.locations(out);
      if (stable) break;
    }
    const res: InstrumentResult = { code: out, changed: true };
    if (this.options.sourceMap !== false) res.map = this.buildMap(chunks);
    return res;
  }

  /** The `__fb_loc` table for the located functions of an output. */
  private locations(out: string): string {
    const entries: string[] = [];
    for (const start of this.located) {
      const a = this.anchors.get(start);
      const end = this.ends.get(start);
      if (!a || end === undefined || end < a.offset) continue;
      entries.push(`${sourceKey(out.slice(a.offset, end))}:${a.line + 1 + this.lineOffset}:${a.col + 1}`);
    }
    return entries.join(";");
  }

  private emit(events: Insertion[], reps: Replacement[]) {
    const code = this.code;
    const parts: string[] = [];
    const anchors = new Map<number, OutPos>();
    const ends = new Map<number, number>();
    let offset = 0;
    const chunks: Array<[number, number, number, number]> = [];
    let line = 0;
    let col = 0;
    const put = (s: string) => {
      if (!s) return;
      parts.push(s);
      offset += s.length;
      const nl = s.lastIndexOf("\n");
      if (nl < 0) col += s.length;
      else {
        let count = 0;
        for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) count++;
        line += count;
        col = s.length - nl - 1;
      }
    };
    const copy = (a: number, b: number) => {
      if (b <= a) return;
      chunks.push([line, col, a, b]);
      put(code.slice(a, b));
    };
    const anchorPositions = [...this.wantedAnchors].sort((a, b) => a - b);
    let ai = 0;
    let ei = 0;
    let ri = 0;
    let cursor = 0;
    for (;;) {
      const nextEvent = ei < events.length ? events[ei]!.pos : Infinity;
      const nextRep = ri < reps.length ? reps[ri]!.start : Infinity;
      const nextAnchor = ai < anchorPositions.length ? anchorPositions[ai]! : Infinity;
      const pos = Math.min(nextEvent, nextRep, nextAnchor);
      if (pos === Infinity) break;
      copy(cursor, pos);
      cursor = Math.max(cursor, pos);
      while (ei < events.length && events[ei]!.pos === pos) {
        const e = events[ei++]!;
        if (e.endOf !== undefined) ends.set(e.endOf, offset);
        else put(typeof e.text === "string" ? e.text : e.text());
      }
      while (ai < anchorPositions.length && anchorPositions[ai] === pos) {
        anchors.set(pos, { line, col, offset });
        ai++;
      }
      if (ri < reps.length && reps[ri]!.start === pos) {
        const r = reps[ri++]!;
        put(r.text);
        cursor = r.end;
      }
    }
    copy(cursor, code.length);
    return { code: parts.join(""), anchors, ends, chunks };
  }

  private buildMap(chunks: Array<[number, number, number, number]>): RawSourceMap {
    const lines: Segment[][] = [];
    const code = this.code;
    for (const [ol0, oc0, a, b] of chunks) {
      let ol = ol0;
      let oc = oc0;
      const start = this.inputPos(a);
      let il = start.line;
      let ic = start.col;
      while (lines.length <= ol) lines.push([]);
      let segs = lines[ol]!;
      segs.push([oc, 0, il, ic]);
      for (let i = a; i < b; i++) {
        const ch = code.charCodeAt(i);
        if (ch === 10) {
          ol++;
          il++;
          oc = 0;
          ic = 0;
          while (lines.length <= ol) lines.push([]);
          segs = lines[ol]!;
          if (i + 1 < b) segs.push([0, 0, il, 0]);
          continue;
        }
        oc++;
        ic++;
        // A mapping at each token after whitespace keeps columns close.
        if ((ch === 32 || ch === 9) && i + 1 < b) {
          const next = code.charCodeAt(i + 1);
          if (next !== 32 && next !== 9 && next !== 10) segs.push([oc, 0, il, ic]);
        }
      }
    }
    const file = this.options.filename;
    return { version: 3, file: path.basename(file), sources: [file], names: [], mappings: encodeMappings(lines) };
  }
}

export { type OwnerInfo } from "./free_variables.js";
