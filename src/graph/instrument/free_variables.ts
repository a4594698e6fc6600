/**
 * Scope analysis over a JavaScript AST (the TypeScript compiler's parser): for every
 * function-like node and class, the identifiers it uses that are declared outside it.
 *
 * Handles var/let/const/function/class hoisting and block scope, parameters (with
 * destructuring and defaults), catch clauses, labels, property names versus references
 * (`a.b`, `{ b: 1 }` are not references; shorthand `{ b }` is), class names bound inside
 * their class, imports, `typeof x`, and an arrow's lexical `this`/`arguments`.
 *
 * TypeScript is loaded lazily: a worker that only rebuilds functions never loads it.
 */
import { createRequire } from "node:module";
import type * as TS from "typescript";

let tsModule: typeof TS | undefined;

/** The TypeScript compiler API, loaded on first use. */
export function typescript(): typeof TS {
  if (!tsModule) {
    const req = createRequire(import.meta.url);
    const m = req("typescript") as typeof TS & { default?: typeof TS };
    tsModule = typeof (m as { createSourceFile?: unknown }).createSourceFile === "function" ? m : (m.default as typeof TS);
  }
  return tsModule;
}

export type OwnerKind = "function" | "arrow" | "method" | "accessor" | "constructor" | "class" | "static-block";

/** A function-like node or class and what it uses from outside. */
export interface OwnerInfo {
  node: TS.Node;
  kind: OwnerKind;
  /** The enclosing function or class, if any. */
  parent: OwnerInfo | undefined;
  /** Free names declared somewhere in this source (outside the owner), with their scope. */
  captured: Map<string, Scope>;
  /** Free names declared nowhere in this source: globals, or names of earlier cells. */
  unresolved: Set<string>;
  /** An arrow function using `this` of an enclosing function or class. */
  usesThis: boolean;
  /** An arrow function using `arguments` of an enclosing function. */
  usesArguments: boolean;
}

export type ScopeKind = "module" | "function" | "block" | "class" | "catch";

export interface Scope {
  kind: ScopeKind;
  node: TS.Node;
  parent: Scope | undefined;
  decls: Set<string>;
  /** Set when this scope is the outermost scope of a function or class. */
  owner: OwnerInfo | undefined;
}

export interface ImportBinding {
  /** The specifier as written. */
  specifier: string;
  /** `default`, `*` (namespace) or the imported name. */
  exportName: string;
  declaration: TS.ImportDeclaration;
}

export interface ScopeAnalysis {
  sourceFile: TS.SourceFile;
  moduleScope: Scope;
  /** Every function-like node and class, in source order. */
  owners: Map<TS.Node, OwnerInfo>;
  /** Top-level import bindings by local name. */
  imports: Map<string, ImportBinding>;
  /** Names referenced somewhere but declared nowhere in this source. */
  unresolved: Set<string>;
}

interface Ref {
  name: string;
  scope: Scope;
}

/** Analyzes a parsed source file. */
export function analyzeScopes(sf: TS.SourceFile): ScopeAnalysis {
  const ts = typescript();
  const SK = ts.SyntaxKind;
  const owners = new Map<TS.Node, OwnerInfo>();
  const imports = new Map<string, ImportBinding>();
  const refs: Ref[] = [];
  const thisRefs: Array<{ scope: Scope; what: "this" | "arguments" }> = [];
  const moduleScope: Scope = { kind: "module", node: sf, parent: undefined, decls: new Set(), owner: undefined };

  const newScope = (kind: ScopeKind, node: TS.Node, parent: Scope): Scope => ({ kind, node, parent, decls: new Set(), owner: undefined });

  const enclosingOwner = (s: Scope | undefined): OwnerInfo | undefined => {
    for (let x = s; x; x = x.parent) if (x.owner) return x.owner;
    return undefined;
  };

  const newOwner = (kind: OwnerKind, node: TS.Node, scopeKind: ScopeKind, parent: Scope): Scope => {
    const s = newScope(scopeKind, node, parent);
    const info: OwnerInfo = {
      node, kind, parent: enclosingOwner(parent), captured: new Map(), unresolved: new Set(), usesThis: false, usesArguments: false,
    };
    s.owner = info;
    owners.set(node, info);
    return s;
  };

  /** The scope `var` declarations go to. */
  const varScope = (s: Scope): Scope => {
    let x: Scope = s;
    while (x.kind !== "function" && x.kind !== "module" && x.parent) x = x.parent;
    return x;
  };

  const isTypeNode = (n: TS.Node) => n.kind >= SK.FirstTypeNode && n.kind <= SK.LastTypeNode;

  /** Declares the names of a binding name (identifier or pattern); visits defaults and computed keys. */
  const declareBinding = (name: TS.BindingName, declScope: Scope, exprScope: Scope) => {
    if (ts.isIdentifier(name)) {
      declScope.decls.add(name.text);
      return;
    }
    for (const el of name.elements) {
      if (ts.isOmittedExpression(el)) continue;
      if (el.propertyName && ts.isComputedPropertyName(el.propertyName)) visit(el.propertyName.expression, exprScope);
      declareBinding(el.name, declScope, exprScope);
      if (el.initializer) visit(el.initializer, exprScope);
    }
  };

  const visitParams = (params: TS.NodeArray<TS.ParameterDeclaration>, fnScope: Scope) => {
    for (const p of params) {
      if (ts.canHaveDecorators(p)) for (const d of ts.getDecorators(p) ?? []) visit(d.expression, fnScope);
      declareBinding(p.name, fnScope, fnScope);
      if (p.initializer) visit(p.initializer, fnScope);
    }
  };

  const visitFunctionBody = (body: TS.ConciseBody | undefined, fnScope: Scope) => {
    if (!body) return;
    if (ts.isBlock(body)) for (const st of body.statements) visit(st, fnScope);
    else visit(body, fnScope);
  };

  const visitPropertyName = (name: TS.PropertyName | undefined, scope: Scope) => {
    if (name && ts.isComputedPropertyName(name)) visit(name.expression, scope);
  };

  const visitFunctionLike = (node: TS.FunctionLikeDeclaration, scope: Scope, kind: OwnerKind) => {
    const fnScope = newOwner(kind, node, "function", scope);
    if (kind !== "arrow") fnScope.decls.add("arguments");
    if (ts.isFunctionExpression(node) && node.name) fnScope.decls.add(node.name.text);
    visitParams(node.parameters, fnScope);
    visitFunctionBody(node.body, fnScope);
  };

  const visitClass = (node: TS.ClassLikeDeclaration, scope: Scope) => {
    if (ts.canHaveDecorators(node)) for (const d of ts.getDecorators(node) ?? []) visit(d.expression, scope);
    const classScope = newOwner("class", node, "class", scope);
    if (node.name) classScope.decls.add(node.name.text);
    for (const h of node.heritageClauses ?? []) {
      if (h.token !== SK.ExtendsKeyword) continue;
      for (const t of h.types) visit(t.expression, classScope);
    }
    for (const m of node.members) {
      if (ts.canHaveDecorators(m)) for (const d of ts.getDecorators(m) ?? []) visit(d.expression, classScope);
      if (ts.isMethodDeclaration(m)) {
        visitPropertyName(m.name, classScope);
        visitFunctionLike(m, classScope, "method");
      } else if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
        visitPropertyName(m.name, classScope);
        visitFunctionLike(m, classScope, "accessor");
      } else if (ts.isConstructorDeclaration(m)) {
        visitFunctionLike(m, classScope, "constructor");
      } else if (ts.isPropertyDeclaration(m)) {
        visitPropertyName(m.name, classScope);
        if (m.initializer) visit(m.initializer, classScope);
      } else if (ts.isClassStaticBlockDeclaration(m)) {
        const s = newOwner("static-block", m, "function", classScope);
        for (const st of m.body.statements) visit(st, s);
      } else if (!isTypeNode(m) && m.kind !== SK.IndexSignature && m.kind !== SK.SemicolonClassElement) {
        visit(m, classScope);
      }
    }
  };

  const visitStatements = (stmts: TS.NodeArray<TS.Statement>, scope: Scope) => {
    for (const st of stmts) visit(st, scope);
  };

  const visit = (node: TS.Node, scope: Scope): void => {
    switch (node.kind) {
      case SK.Identifier: {
        const name = (node as TS.Identifier).text;
        if (name === "arguments") {
          thisRefs.push({ scope, what: "arguments" });
          // `arguments` of a non-arrow function is declared in its scope.
        }
        refs.push({ name, scope });
        return;
      }
      case SK.ThisKeyword:
        thisRefs.push({ scope, what: "this" });
        return;
      case SK.PrivateIdentifier:
      case SK.SuperKeyword:
      case SK.MetaProperty:
      case SK.BreakStatement:
      case SK.ContinueStatement:
      case SK.DebuggerStatement:
      case SK.InterfaceDeclaration:
      case SK.TypeAliasDeclaration:
      case SK.ImportEqualsDeclaration:
      case SK.QualifiedName:
      case SK.JsxAttribute:
        return;
      case SK.PropertyAccessExpression:
        visit((node as TS.PropertyAccessExpression).expression, scope);
        return;
      case SK.LabeledStatement:
        visit((node as TS.LabeledStatement).statement, scope);
        return;
      case SK.AsExpression:
      case SK.SatisfiesExpression:
      case SK.TypeAssertionExpression:
      case SK.NonNullExpression:
      case SK.ExpressionWithTypeArguments:
        visit((node as TS.AsExpression).expression, scope);
        return;
      case SK.PropertyAssignment: {
        const n = node as TS.PropertyAssignment;
        visitPropertyName(n.name, scope);
        visit(n.initializer, scope);
        return;
      }
      case SK.ShorthandPropertyAssignment: {
        const n = node as TS.ShorthandPropertyAssignment;
        refs.push({ name: n.name.text, scope });
        if (n.objectAssignmentInitializer) visit(n.objectAssignmentInitializer, scope);
        return;
      }
      case SK.VariableStatement:
        visit((node as TS.VariableStatement).declarationList, scope);
        return;
      case SK.VariableDeclarationList: {
        const n = node as TS.VariableDeclarationList;
        const lexical = (n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing)) !== 0;
        const declScope = lexical ? scope : varScope(scope);
        for (const d of n.declarations) {
          declareBinding(d.name, declScope, scope);
          if (d.initializer) visit(d.initializer, scope);
        }
        return;
      }
      case SK.FunctionDeclaration: {
        const n = node as TS.FunctionDeclaration;
        if (n.name) scope.decls.add(n.name.text);
        visitFunctionLike(n, scope, "function");
        return;
      }
      case SK.FunctionExpression:
        visitFunctionLike(node as TS.FunctionExpression, scope, "function");
        return;
      case SK.ArrowFunction:
        visitFunctionLike(node as TS.ArrowFunction, scope, "arrow");
        return;
      case SK.MethodDeclaration:
      case SK.GetAccessor:
      case SK.SetAccessor: {
        // In an object literal (class members are handled by visitClass).
        const n = node as TS.MethodDeclaration;
        visitPropertyName(n.name, scope);
        visitFunctionLike(n, scope, node.kind === SK.MethodDeclaration ? "method" : "accessor");
        return;
      }
      case SK.ClassDeclaration: {
        const n = node as TS.ClassDeclaration;
        if (n.name) scope.decls.add(n.name.text);
        visitClass(n, scope);
        return;
      }
      case SK.ClassExpression:
        visitClass(node as TS.ClassExpression, scope);
        return;
      case SK.Block: {
        const s = newScope("block", node, scope);
        visitStatements((node as TS.Block).statements, s);
        return;
      }
      case SK.ForStatement:
      case SK.ForInStatement:
      case SK.ForOfStatement: {
        const s = newScope("block", node, scope);
        ts.forEachChild(node, (c) => visit(c, s));
        return;
      }
      case SK.CaseBlock: {
        const s = newScope("block", node, scope);
        ts.forEachChild(node, (c) => visit(c, s));
        return;
      }
      case SK.CatchClause: {
        const n = node as TS.CatchClause;
        const s = newScope("catch", node, scope);
        if (n.variableDeclaration) declareBinding(n.variableDeclaration.name, s, s);
        visit(n.block, s);
        return;
      }
      case SK.ImportDeclaration: {
        const n = node as TS.ImportDeclaration;
        const clause = n.importClause;
        if (!clause || clause.isTypeOnly) return;
        const spec = ts.isStringLiteral(n.moduleSpecifier) ? n.moduleSpecifier.text : "";
        if (clause.name) {
          moduleScope.decls.add(clause.name.text);
          imports.set(clause.name.text, { specifier: spec, exportName: "default", declaration: n });
        }
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) {
          moduleScope.decls.add(nb.name.text);
          imports.set(nb.name.text, { specifier: spec, exportName: "*", declaration: n });
        } else if (nb) {
          for (const el of nb.elements) {
            if (el.isTypeOnly) continue;
            moduleScope.decls.add(el.name.text);
            const imported = el.propertyName ? (el.propertyName as TS.Identifier | TS.StringLiteral).text : el.name.text;
            imports.set(el.name.text, { specifier: spec, exportName: imported, declaration: n });
          }
        }
        return;
      }
      case SK.ExportDeclaration: {
        const n = node as TS.ExportDeclaration;
        if (n.moduleSpecifier || n.isTypeOnly) return;
        if (n.exportClause && ts.isNamedExports(n.exportClause)) {
          for (const el of n.exportClause.elements) {
            if (el.isTypeOnly) continue;
            const local = el.propertyName ?? el.name;
            if (ts.isIdentifier(local)) refs.push({ name: local.text, scope });
          }
        }
        return;
      }
      case SK.EnumDeclaration:
      case SK.ModuleDeclaration: {
        const n = node as TS.EnumDeclaration;
        if (ts.isIdentifier(n.name)) scope.decls.add(n.name.text);
        return;
      }
      case SK.Parameter:
      case SK.BindingElement:
      case SK.TypeParameter:
        return; // handled by their owners
      default:
        if (isTypeNode(node)) return;
        ts.forEachChild(node, (c) => visit(c, scope));
    }
  };

  visitStatements(sf.statements, moduleScope);

  const unresolved = new Set<string>();
  for (const r of refs) {
    let s: Scope | undefined = r.scope;
    const crossed: OwnerInfo[] = [];
    while (s) {
      if (s.decls.has(r.name)) break;
      if (s.owner) crossed.push(s.owner);
      s = s.parent;
    }
    if (s) {
      for (const o of crossed) o.captured.set(r.name, s);
    } else {
      for (const o of crossed) o.unresolved.add(r.name);
      unresolved.add(r.name);
    }
  }
  for (const t of thisRefs) {
    for (let s: Scope | undefined = t.scope; s; s = s.parent) {
      const o = s.owner;
      if (!o) continue;
      if (o.kind === "arrow") {
        if (t.what === "this") o.usesThis = true;
        else o.usesArguments = true;
        continue;
      }
      break; // a function, method or class binds `this` (and `arguments`)
    }
  }
  // An arrow's `arguments` is its enclosing function's: not a capture of the arrow itself.
  for (const o of owners.values()) {
    if (o.kind === "arrow") {
      o.captured.delete("arguments");
      o.unresolved.delete("arguments");
    }
  }
  return { sourceFile: sf, moduleScope, owners, imports, unresolved };
}

/** Parses JavaScript (module grammar) with parent pointers set. */
export function parseJs(code: string, fileName = "input.js"): TS.SourceFile {
  const ts = typescript();
  return ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
}

/** Parse errors of a source file (the parser's own diagnostics). */
export function parseErrors(sf: TS.SourceFile): readonly TS.Diagnostic[] {
  return (sf as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
}

export interface FreeVariablesEntry {
  /** The function's or class's own name, if it has one. */
  name: string | undefined;
  kind: OwnerKind;
  start: number;
  end: number;
  /** 1-based line of the start. */
  line: number;
  /** Free names declared elsewhere in the same source. */
  captured: string[];
  /** Free names declared nowhere in the source (globals or earlier cells' names). */
  unresolved: string[];
  usesThis: boolean;
}

/** Free variables of every function and class in a piece of JavaScript, in source order. */
export function freeVariables(code: string): FreeVariablesEntry[] {
  const ts = typescript();
  const sf = parseJs(code);
  const a = analyzeScopes(sf);
  const out: FreeVariablesEntry[] = [];
  for (const o of a.owners.values()) {
    const n = o.node as TS.Node & { name?: TS.Node };
    const name = n.name && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name) || ts.isPrivateIdentifier(n.name)) ? n.name.text : undefined;
    const start = o.node.getStart(sf);
    out.push({
      name,
      kind: o.kind,
      start,
      end: o.node.end,
      line: sf.getLineAndCharacterOfPosition(start).line + 1,
      captured: [...o.captured.keys()].sort(),
      unresolved: [...o.unresolved].sort(),
      usesThis: o.usesThis,
    });
  }
  return out;
}

/** How a function's `toString()` text can be evaluated again. */
export type FunctionForm = "expression" | "method" | "class";

export interface FunctionSourceInfo {
  form: FunctionForm;
  /** An arrow function (its `this` is lexical). */
  arrow: boolean;
  /** Names the function uses that it does not declare. */
  free: string[];
  usesThis: boolean;
  /** A class (or its members) declaring `#private` names. */
  hasPrivateNames: boolean;
}

const sourceInfoCache = new Map<string, FunctionSourceInfo>();

/**
 * Analyzes the `toString()` text of one function, method or class (cached by text).
 * Throws if the text is not a function in any of the three forms.
 */
export function analyzeFunctionSource(source: string): FunctionSourceInfo {
  const cached = sourceInfoCache.get(source);
  if (cached) return cached;
  const ts = typescript();
  let info: FunctionSourceInfo | undefined;
  for (const form of ["expression", "method"] as const) {
    const text = form === "expression" ? `(${source}\n)` : `({${source}\n})`;
    const sf = parseJs(text, "fn.js");
    if (parseErrors(sf).length || sf.statements.length !== 1) continue;
    const st = sf.statements[0]!;
    if (!ts.isExpressionStatement(st) || !ts.isParenthesizedExpression(st.expression)) continue;
    let target: TS.Node = st.expression.expression;
    if (form === "method") {
      if (!ts.isObjectLiteralExpression(target) || target.properties.length !== 1) continue;
      const p = target.properties[0]!;
      if (!ts.isMethodDeclaration(p) && !ts.isGetAccessorDeclaration(p) && !ts.isSetAccessorDeclaration(p)) continue;
      target = p;
    } else if (!ts.isFunctionExpression(target) && !ts.isArrowFunction(target) && !ts.isClassExpression(target)) {
      continue;
    }
    const a = analyzeScopes(sf);
    const o = a.owners.get(target);
    if (!o) continue;
    const free = new Set([...o.captured.keys(), ...o.unresolved]);
    // For a method, a computed key is evaluated outside the method but still needed.
    if (form === "method") for (const n of a.unresolved) free.add(n);
    let hasPrivateNames = false;
    if (source.includes("#")) {
      const walk = (n: TS.Node): void => {
        if (hasPrivateNames) return;
        if (ts.isPrivateIdentifier(n) && n.parent && ts.isClassElement(n.parent)) hasPrivateNames = true;
        else ts.forEachChild(n, walk);
      };
      walk(target);
    }
    info = {
      form: ts.isClassExpression(target) ? "class" : form,
      arrow: ts.isArrowFunction(target),
      free: [...free].sort(),
      usesThis: o.usesThis,
      hasPrivateNames,
    };
    break;
  }
  if (!info) throw new SyntaxError(`not the source text of a function: ${source.length > 80 ? source.slice(0, 80) + "…" : source}`);
  sourceInfoCache.set(source, info);
  return info;
}
