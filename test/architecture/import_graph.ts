/**
 * Every import of flowbook's own code (src/, kernel/, repl/), resolved to a repo path:
 * static `import … from`, `export … from`, `import x = require(…)`, dynamic `import("…")`
 * with a literal specifier, and `import("…")` types. Read with TypeScript's parser, not by
 * regular expressions, so comments and strings that look like imports are not imports and
 * `import type` is told apart from an import that runs.
 */
import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";

export interface ImportEdge {
  /** The importing file, relative to the repo root with `/` separators. */
  from: string;
  /** As written. */
  specifier: string;
  /** 1-based line of the import. */
  line: number;
  /** The repo path it resolves to (relative specifiers), `node:<name>` for a Node built-in, or the npm package name. */
  target: string;
  kind: "repo" | "node" | "package";
  /** Erased when compiled: `import type`, `export type`, all-type named imports, `import("…")` in a type. */
  typeOnly: boolean;
}

export const SCANNED_ROOTS = ["src", "kernel", "repl"];
const EXTENSIONS = /\.(ts|tsx|mts|mjs)$/;
const BUILTINS = new Set(builtinModules);

/** Every .ts/.tsx/.mts/.mjs file under the given roots (declaration files excluded), repo-relative. */
export function sourceFiles(root: string, roots = SCANNED_ROOTS): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== "node_modules") walk(child);
      } else if (EXTENSIONS.test(e.name) && !e.name.endsWith(".d.ts")) out.push(child);
    }
  };
  for (const r of roots) walk(r);
  return out.sort();
}

/** Resolves a relative specifier the way TypeScript's NodeNext resolution does (`./x.js` → `./x.ts`). */
export function resolveRelative(root: string, fromFile: string, specifier: string): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  const candidates = [base];
  const m = /^(.*)\.(js|jsx|mjs|cjs)$/.exec(base);
  if (m) {
    const ts = m[2] === "mjs" ? ["mts", "mjs"] : m[2] === "cjs" ? ["cts", "cjs"] : ["ts", "tsx"];
    candidates.unshift(...ts.map((e) => `${m[1]}.${e}`));
  } else {
    candidates.push(`${base}.ts`, `${base}.tsx`, `${base}/index.ts`);
  }
  for (const c of candidates) {
    const abs = path.join(root, c);
    if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return c;
  }
  return candidates[0]!;
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function classify(root: string, from: string, specifier: string): Pick<ImportEdge, "target" | "kind"> {
  if (specifier.startsWith(".") || specifier.startsWith("/")) return { target: resolveRelative(root, from, specifier), kind: "repo" };
  if (specifier.startsWith("node:")) return { target: specifier, kind: "node" };
  if (BUILTINS.has(specifier) || BUILTINS.has(specifier.split("/")[0]!)) return { target: `node:${specifier}`, kind: "node" };
  return { target: packageName(specifier), kind: "package" };
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import "x"` runs x
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const b = clause.namedBindings;
  if (!b) return false;
  if (ts.isNamespaceImport(b)) return false;
  // `import { type A, type B } from "x"` is erased (under verbatimModuleSyntax it becomes `import {} from "x"`,
  // which still runs x; this project does not set it).
  return b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const c = node.exportClause;
  return !!c && ts.isNamedExports(c) && c.elements.length > 0 && c.elements.every((e) => e.isTypeOnly);
}

/** The imports of one file. */
export function importsOf(root: string, file: string, text = fs.readFileSync(path.join(root, file), "utf8")): ImportEdge[] {
  const kind = file.endsWith(".tsx") ? ts.ScriptKind.TSX : file.endsWith(".mjs") ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const out: ImportEdge[] = [];
  const add = (lit: ts.Node, specifier: string, typeOnly: boolean): void => {
    const line = sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1;
    out.push({ from: file, specifier, line, typeOnly, ...classify(root, file, specifier) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier, node.moduleSpecifier.text, isTypeOnlyImport(node));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier, node.moduleSpecifier.text, isTypeOnlyExport(node));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node.moduleReference.expression, node.moduleReference.expression.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const a = node.arguments[0];
      if (a && ts.isStringLiteralLike(a)) add(a, a.text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal, node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The imports of every scanned file. */
export function importGraph(root: string, roots = SCANNED_ROOTS): ImportEdge[] {
  return sourceFiles(root, roots).flatMap((f) => importsOf(root, f));
}
