/**
 * The names a cell declares at its top level, read from the TypeScript AST: what persists
 * into later cells (at run time and for the type checker), and what the instrumenter must
 * treat as captured from outside.
 */
import type * as TS from "typescript";

export type DeclarationKind =
  | "var"
  | "let"
  | "const"
  | "function"
  | "class"
  | "enum"
  | "namespace"
  | "import"
  | "interface"
  | "type";

export interface TopLevelDeclaration {
  name: string;
  kind: DeclarationKind;
}

/** Every name declared at the top level of a source file, once each (the last kind wins). */
export function topLevelDeclarations(ts: typeof TS, sf: TS.SourceFile): TopLevelDeclaration[] {
  const out = new Map<string, DeclarationKind>();
  const add = (name: string, kind: DeclarationKind) => {
    out.delete(name);
    out.set(name, kind);
  };
  for (const stmt of sf.statements) {
    if (ts.isVariableStatement(stmt)) {
      const block = stmt.declarationList.flags & ts.NodeFlags.BlockScoped;
      const kind: DeclarationKind = block === ts.NodeFlags.Let ? "let" : block === 0 ? "var" : "const";
      for (const d of stmt.declarationList.declarations) for (const n of bindingNames(ts, d.name)) add(n, kind);
    } else if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      add(stmt.name.text, "function");
    } else if (ts.isClassDeclaration(stmt) && stmt.name) {
      add(stmt.name.text, "class");
    } else if (ts.isEnumDeclaration(stmt)) {
      add(stmt.name.text, "enum");
    } else if (ts.isModuleDeclaration(stmt) && ts.isIdentifier(stmt.name)) {
      add(stmt.name.text, "namespace");
    } else if (ts.isInterfaceDeclaration(stmt)) {
      if (!out.has(stmt.name.text)) add(stmt.name.text, "interface");
    } else if (ts.isTypeAliasDeclaration(stmt)) {
      add(stmt.name.text, "type");
    } else if (ts.isImportDeclaration(stmt)) {
      const clause = stmt.importClause;
      if (!clause) continue;
      const kind: DeclarationKind = clause.isTypeOnly ? "type" : "import";
      if (clause.name) add(clause.name.text, kind);
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) add(nb.name.text, kind);
      else if (nb) for (const el of nb.elements) add(el.name.text, el.isTypeOnly ? "type" : kind);
    } else if (ts.isImportEqualsDeclaration(stmt)) {
      add(stmt.name.text, "import");
    }
  }
  return [...out].map(([name, kind]) => ({ name, kind }));
}

/** The identifiers a binding name or pattern binds. */
export function bindingNames(ts: typeof TS, name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const out: string[] = [];
  for (const el of name.elements) {
    if (ts.isOmittedExpression(el)) continue;
    out.push(...bindingNames(ts, el.name));
  }
  return out;
}

/** Names that exist at run time (types and interfaces do not). */
export function runtimeNames(decls: readonly TopLevelDeclaration[]): string[] {
  return decls.filter((d) => d.kind !== "interface" && d.kind !== "type").map((d) => d.name);
}
