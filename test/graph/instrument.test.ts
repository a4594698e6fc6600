import { describe, expect, it } from "vitest";
import vm from "node:vm";
import { freeVariables } from "../../src/graph/instrument/free_variables.js";
import { instrumentCode, INSTRUMENTED_MARKER } from "../../src/graph/instrument/instrument.js";
import { FN_META, functionMeta, installInstrumentationGlobals, type FunctionMeta } from "../../src/graph/functions/meta.js";
import { rebuildValue, serializeValue } from "../../src/graph/functions/serialize.js";
import { flowbookCaptures } from "../../src/session/vite_plugin.js";

/** Free variables of the first function or class named `name` (or the first one). */
function free(code: string, name?: string) {
  const all = freeVariables(code);
  const e = name === undefined ? all[0] : all.find((x) => x.name === name);
  if (!e) throw new Error(`no function ${name}`);
  return { captured: e.captured, unresolved: e.unresolved, usesThis: e.usesThis, all: [...e.captured, ...e.unresolved].sort() };
}

describe("free variables", () => {
  it("hoists var and function declarations to the function", () => {
    expect(free("function f() { x = 1; g(); var x; function g() {} }").all).toEqual([]);
    expect(free("function f() { if (a) { var y = 1; } return y + z; }").all).toEqual(["a", "z"]);
  });

  it("scopes let, const and class to their block", () => {
    expect(free("function f() { { let y = 1; const c = 2; class K {} } return y + c + K; }").all).toEqual(["K", "c", "y"]);
    expect(free("function f() { for (let i = 0; i < n; i++) {} return i; }").all).toEqual(["i", "n"]);
    expect(free("function f() { switch (k) { case 1: let s = 1; break; default: s; } return s; }").all).toEqual(["k", "s"]);
  });

  it("binds parameters, with destructuring and defaults", () => {
    expect(free("function f({ a, b: [c] = d, ...rest }, e = a + g, ...more) { return a + c + e + h + rest + more; }").all).toEqual(["d", "g", "h"]);
    expect(free("const f = ([x, , y = z]) => x + y + w;").all).toEqual(["w", "z"]);
  });

  it("binds catch parameters and ignores labels", () => {
    expect(free("function f() { try { t(); } catch ({ message: err }) { err; z; } }").all).toEqual(["t", "z"]);
    expect(free("function f() { outer: for (;;) { inner: while (1) { break outer; continue inner; } } }").all).toEqual([]);
  });

  it("tells property names from references", () => {
    expect(free("function f() { return a.b + ({ c: 1 }).c + { d }.d + { [e]: 1 } + o?.p.q; }").all).toEqual(["a", "d", "e", "o"]);
    expect(free("const o = { m() { return n; }, get g() { return h; }, k: 1 };", "m").all).toEqual(["n"]);
  });

  it("treats this and arguments as bound by functions, lexical in arrows", () => {
    const code = "function outer() { const a = () => this.x + arguments[0]; return a; }";
    expect(free(code, "outer").all).toEqual([]);
    const arrow = freeVariables(code).find((e) => e.kind === "arrow")!;
    expect(arrow.usesThis).toBe(true);
    expect(arrow.captured).toEqual([]);
  });

  it("binds class names inside their class and function-expression names inside the function", () => {
    const code = "class A extends B { static make() { return new A(); } m() { return C; } }";
    expect(free(code, "A").all).toEqual(["B", "C"]);
    expect(free(code, "make").captured).toEqual(["A"]);
    expect(free("const f = function g() { return g; };", "g").all).toEqual([]);
    expect(free("const K = class Self { m() { return Self; } };", "Self").all).toEqual([]);
  });

  it("resolves imports, typeof and exports", () => {
    const code = 'import d, { a as b } from "m"; import * as ns from "n"; function f() { return typeof q + b + d + ns.x; } export { f as g };';
    const r = free(code, "f");
    expect(r.captured).toEqual(["b", "d", "ns"]);
    expect(r.unresolved).toEqual(["q"]);
  });

  it("gives each closure in a loop the loop's binding", () => {
    const r = freeVariables("for (let i = 0; i < 3; i++) fns.push(() => i);").find((e) => e.kind === "arrow")!;
    expect(r.captured).toEqual(["i"]);
  });
});

function evalModuleLike(code: string, globals: Record<string, unknown> = {}) {
  const ctx = vm.createContext({ ...globals });
  installInstrumentationGlobals(ctx);
  vm.runInContext(code, ctx);
  return ctx as Record<string, unknown>;
}

const metaOf = (f: unknown) => (f as Record<symbol, FunctionMeta>)[FN_META];

describe("instrumentCode", () => {
  it("registers functions with lazy captures, keeping every line in place", () => {
    const code = [
      "let k = 1;",
      "function f(x) { return x + k; }",
      "const g = (x) => f(x) * k;",
      "class C { m() { return k; } }",
      "const lit = { createAccumulator() { return k; }, addInput: (a, x) => a + x };",
      "const h = [1].map((x) => x + k)[0];",
      "k = 2;",
      "globalThis.out = { f, g, C, lit };",
    ].join("\n");
    const r = instrumentCode(code, { filename: "/virtual/cell.js", helperImport: false });
    const outLines = r.code.split("\n");
    expect(outLines).toHaveLength(8);
    code.split("\n").forEach((l, i) => {
      for (const token of l.match(/[A-Za-z_$][\w$]*/g) ?? []) expect(outLines[i]).toContain(token);
    });
    const ctx = evalModuleLike(r.code);
    const out = ctx.out as Record<string, unknown>;
    expect(metaOf(out.f).captures!()).toEqual({ k: 2 });
    expect(metaOf(out.g).captures!()).toMatchObject({ k: 2 });
    expect(metaOf(out.C).captures!()).toEqual({ k: 2 });
    const lit = out.lit as Record<string, unknown>;
    expect(metaOf(lit.createAccumulator).captures!()).toEqual({ k: 2 });
    expect(metaOf(lit.addInput)).toMatchObject({ file: "/virtual/cell.js", line: 5 });
    expect(metaOf(out.f)).toMatchObject({ file: "/virtual/cell.js", line: 2, column: 1 });
    expect(metaOf(out.g)).toMatchObject({ line: 3, column: 11 });
  });

  it("keeps the names functions get from their definitions", () => {
    const code = [
      "const k = 1;",
      "const byDecl = () => k;",
      "let byAssign; byAssign = () => k;",
      "const holder = { byKey: () => k };",
      "class F { byField = () => k; }",
      "function withDefault(byDefault = () => k) { return byDefault; }",
      "globalThis.names = [byDecl.name, byAssign.name, holder.byKey.name, new F().byField.name, withDefault().name];",
    ].join("\n");
    const ctx = evalModuleLike(instrumentCode(code, { filename: "/v.js", helperImport: false }).code);
    expect(ctx.names).toEqual(["byDecl", "byAssign", "byKey", "byField", "byDefault"]);
  });

  it("captures names of earlier cells (outerNames), and not globals", () => {
    const cell = "const scaled = (x) => x * factor + Math.max(x, 0);\nglobalThis.scaled = scaled;";
    const r = instrumentCode(cell, { filename: "cell[2]", helperImport: false, outerNames: new Set(["factor"]) });
    const ctx = evalModuleLike(r.code, { factor: 10 });
    expect(metaOf(ctx.scaled).captures!()).toEqual({ factor: 10 });
  });

  it("rewrites captured imports into constants and records their modules", () => {
    const code = [
      'import { join as j, sep } from "node:path";',
      'import def from "./helper.js";',
      'import "side-effect";',
      "export const f = (a) => j(a, def);",
      "export const g = () => sep;",
    ].join("\n");
    const r = instrumentCode(code, { filename: "/proj/src/main.js", helperImport: "flowbook/meta" });
    expect(r.code).toContain('import * as __fb_ns0 from "node:path"; const { join: j, sep } = __fb_ns0; __fb_mod(__fb_ns0, "node:path");');
    expect(r.code).toContain('import * as __fb_ns1 from "./helper.js"; const def = __fb_ns1.default; __fb_mod(__fb_ns1, "file:///proj/src/helper.js");');
    expect(r.code).toContain('import "side-effect";');
    expect(r.code).toContain('imports: "{\\"def\\":[\\"file:///proj/src/helper.js\\",\\"default\\"],\\"j\\":[\\"node:path\\",\\"join\\"]}"');
    expect(r.code.split("\n")).toHaveLength(5);
    const kept = instrumentCode(code, { filename: "/proj/src/main.js", helperImport: "flowbook/meta", imports: "keep" });
    expect(kept.code).toContain('import { join as j, sep } from "node:path"; import * as __fb_ns0 from "node:path"; __fb_mod(__fb_ns0, "node:path");');
  });

  it("rewrites a captured namespace import into a constant too, so a bundler leaves its uses alone", () => {
    const code = ['import * as nodePath from "node:path";', 'import def, * as both from "./both.js";', "export const f = (p) => nodePath.basename(p) + both.x + def;"].join("\n");
    const r = instrumentCode(code, { filename: "/proj/src/main.js", helperImport: "flowbook/meta" });
    expect(r.code).toContain('import * as __fb_ns0 from "node:path"; const nodePath = __fb_ns0; __fb_mod(__fb_ns0, "node:path");');
    expect(r.code).toContain('import * as __fb_ns1 from "./both.js"; const both = __fb_ns1, def = __fb_ns1.default; __fb_mod(__fb_ns1, "file:///proj/src/both.js");');
    expect(r.code).toContain('\\"nodePath\\":[\\"node:path\\",\\"*\\"]');
    expect(r.code.split("\n")).toHaveLength(3);
    // Not captured: left as written.
    const unused = instrumentCode('import * as nodePath from "node:path";\nexport const f = (p) => p;', { filename: "/proj/src/main.js", helperImport: "flowbook/meta" });
    expect(unused.code).toContain('import * as nodePath from "node:path"; __fb_mod(nodePath, "node:path");');
  });

  it("is idempotent and leaves code without functions alone", () => {
    const once = instrumentCode("const k = 1; export const f = () => k;", { filename: "/a.js" });
    expect(once.code.startsWith(INSTRUMENTED_MARKER)).toBe(true);
    expect(instrumentCode(once.code, { filename: "/a.js" })).toEqual({ code: once.code, changed: false });
    expect(instrumentCode("const x = 1 + 2;", { filename: "/b.js" }).changed).toBe(false);
    expect(instrumentCode("this is not javascript (", { filename: "/c.js" }).changed).toBe(false);
  });

  it("keeps a hashbang and a directive prologue first", () => {
    const r = instrumentCode('#!/usr/bin/env node\n"use strict";\nconst k = 1;\nfunction f() { return k; }', { filename: "/s.js", helperImport: false });
    const lines = r.code.split("\n");
    expect(lines[0]).toBe("#!/usr/bin/env node");
    expect(lines[1]!.startsWith(INSTRUMENTED_MARKER + '"use strict";')).toBe(true);
  });

  it("does not wrap immediately invoked functions or class members", () => {
    const r = instrumentCode("const k = 1; (function () { return k; })(); class A { m() { return () => k; } }", { filename: "/i.js", helperImport: false });
    expect(r.code).not.toMatch(/__fb_fn\(function/);
    expect(r.code.match(/__fb_fn\(/g)).toHaveLength(2); // class A, and the arrow inside m
  });
});

/** A source map giving each generated line `i` the original line `orig[i]` (0-based; -1: unmapped). */
function lineMap(orig: number[]) {
  const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const vlq = (n: number) => {
    let v = n < 0 ? (-n << 1) | 1 : n << 1;
    let out = "";
    do {
      let digit = v & 31;
      v >>>= 5;
      if (v) digit |= 32;
      out += b64[digit];
    } while (v);
    return out;
  };
  let prev = 0;
  const mappings = orig.map((o) => {
    if (o < 0) return "";
    const seg = vlq(0) + vlq(0) + vlq(o - prev) + vlq(0);
    prev = o;
    return seg;
  });
  return { version: 3, sources: ["/virtual/orig.ts"], names: [], mappings: mappings.join(";") };
}

describe("line realignment with the transpiler's source map", () => {
  const realign = (generated: string[], orig: number[], options: { imports?: "keep" | "rewrite"; helperImport?: string | false } = {}) =>
    instrumentCode(generated.join("\n"), { filename: "/virtual/orig.ts", helperImport: false, inputSourceMap: lineMap(orig), ...options }).code;

  it("joins back a one-line object literal the transpiler spread over several lines", async () => {
    // const o = { a: 1, b: 2 };       (line 1)
    // class K {                       (line 2)
    //   m() {
    //     throw new Error(`x${o.a}`);  (line 4)
    //   }
    // }
    // globalThis.K = K;               (line 7)
    const generated = ["const o = {", "\ta: 1,", "\tb: 2", "};", "class K {", "\tm() {", "\t\tthrow new Error(`x${o.a}`);", "\t}", "}", "globalThis.K = K;"];
    const out = realign(generated, [0, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
    const lines = out.split("\n");
    expect(lines[0]).toContain("const o = { a: 1, b: 2 };");
    expect(lines[1]).toMatch(/^class K \{/);
    expect(lines[3]).toContain("throw new Error");
    expect(lines[6]).toContain("globalThis.K = K;");
    const ctx = evalModuleLike(out);
    expect(metaOf(ctx.K)).toMatchObject({ file: "/virtual/orig.ts", line: 2, column: 1 });
    const K = (await rebuildValue(serializeValue(ctx.K))) as new () => { m(): void };
    let stack = "";
    try {
      new K().m();
    } catch (e) {
      stack = (e as Error).stack!;
    }
    expect(stack).toContain("Error: x1");
    expect(stack.split("\n")[1]).toContain("/virtual/orig.ts:4:");
  });

  it("joins method chains and argument lists, dropping blank lines in between", () => {
    const generated = ["globalThis.r = [3, 1, 2]", "\t.sort()", "\t.map((x) => x * 2);", "", "globalThis.s = Math.max(", "\t1,", "\t2", ");"];
    const out = realign(generated, [0, 0, 0, -1, 1, 1, 1, 1]);
    expect(out.split("\n")).toHaveLength(2);
    const ctx = evalModuleLike(out);
    expect(ctx.r).toEqual([2, 4, 6]);
    expect(ctx.s).toBe(2);
  });

  it("never removes a line break that means something: ASI, restricted productions, comments, strings", () => {
    const generated = [
      "let a = 1, b = 2, c = 3",
      "++b", // `a = 1, b = 2, c = 3 ++b` would not parse
      "function r() {",
      "\treturn", // `return 42` would return 42
      "\t42;",
      "}",
      "const t = `x",
      "y`;",
      "const u = [1, // one",
      "2];",
      "globalThis.out = { b, r: r(), t, u, c: (() => c)() };",
    ];
    const out = realign(generated, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const ctx = evalModuleLike(out);
    expect(ctx.out).toEqual({ b: 3, r: undefined, t: "x\ny", u: [1, 2], c: 3 });
    expect(out).toContain("`x\ny`");
    expect(out).toContain("// one\n");
  });

  it("joins inside a captured import it rewrites, keeping the lines after it in place", () => {
    const generated = ["import {", "\tjoin,", "\tsep", '} from "node:path";', "export const f = (a) => join(a, sep);"];
    const out = realign(generated, [0, 0, 0, 0, 1], { helperImport: "flowbook/meta", imports: "rewrite" });
    const lines = out.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('import * as __fb_ns0 from "node:path"; const { join, sep } = __fb_ns0;');
    expect(lines[1]).toContain("export const f = (a) => join(a, sep);");
    expect(lines[1]).toContain("line: 2");
  });
});

describe("the Vite plugin", () => {
  it("instruments test files, not flowbook's own sources nor node_modules", () => {
    const plugin = flowbookCaptures();
    const code = "const k = 1; export const f = () => k;";
    expect(plugin.transform.call(undefined, code, "/proj/test/a.test.ts")?.code).toContain("__fb_fn(f,");
    expect(plugin.transform.call(undefined, code, "/proj/node_modules/x/test/a.js")).toBe(null);
    expect(plugin.transform.call(undefined, code, "/proj/lib/a.ts")).toBe(null);
    const ownSrc = new URL("../../src/sdk/pipeline.ts", import.meta.url).pathname;
    expect(plugin.transform.call(undefined, code, ownSrc)).toBe(null);
  });

  it("makes functions defined in this test file serializable", async () => {
    const words = new Set(["a", "the"]);
    const isStopWord = (w: string) => words.has(w);
    expect(functionMeta(isStopWord)?.captures?.()).toEqual({ words });
    const back = (await rebuildValue(serializeValue(isStopWord))) as typeof isStopWord;
    expect(back("the")).toBe(true);
    expect(back("cat")).toBe(false);
  });
});
