import { describe, expect, test } from "vitest";
import { CellSyntaxError, convertCell } from "../../src/session/cell_converter.js";

const convert = (code: string) => convertCell(code, { filename: "cell[1]", instrument: false });

describe("cell converter", () => {
  test("top-level declarations become assignments to the scope, functions hoisted", async () => {
    const c = await convert(`const a = 1, { b, c: [d] } = { b: 2, c: [3] };\nlet e;\nvar f;\nclass G {}\nh();\nfunction h() { return a; }`);
    expect(c.runtimeNames.sort()).toEqual(["G", "a", "b", "d", "e", "f", "h"]);
    expect(c.code).toContain("a = 1, ({ b, c: [d] } = { b: 2, c: [3] })");
    expect(c.code).toContain("e = void 0");
    expect(c.code).toContain("f = f");
    expect(c.code).toContain("G = class G");
    // the function is assigned (by __fb_hoisted, placed after the cell) before `h()` runs
    expect(c.code).toMatch(/"use strict"; __fb_hoisted\(\);\n/);
    expect(c.code).toMatch(/function __fb_hoisted\(\) \{\nh = function h\(\) \{/);
    // the call maps back to its line
    const call = c.code.split("\n").indexOf("h();");
    expect(c.mapper.original(call, 0)?.line).toBe(4);
  });

  test("imports become bindings of preloaded modules", async () => {
    const c = await convert(`import fs from "node:fs";\nimport * as path from "node:path";\nimport { join as j, type PathLike } from "node:path";\nimport type { Stats } from "node:fs";`);
    expect(c.imports).toEqual(["node:fs", "node:path"]);
    expect(c.code).toContain("fs = __fb_m.def(0)");
    expect(c.code).toContain("path = __fb_m.ns(1)");
    expect(c.code).toContain(`j = __fb_m.named(1, "join")`);
    expect(c.runtimeNames.sort()).toEqual(["fs", "j", "path"]);
  });

  test("top-level await becomes yield; awaits inside functions stay", async () => {
    const c = await convert(`const v = await f();\nasync function g() { return await f(); }\nfor await (const x of xs) { use(x); }`);
    expect(c.code).toContain("v = (yield f())");
    expect(c.code).toContain("return await f()");
    expect(c.code).toMatch(/for \(let __fb_i0 = __fb_ai\(xs\), __fb_r0; !\(__fb_r0 = \(yield __fb_i0\.next\(\)\)\)\.done; \) \{ const x = __fb_r0\.value;/);
  });

  test("the last expression is the cell's value", async () => {
    expect((await convert("const a = 1;\na + 1")).hasValue).toBe(true);
    expect((await convert("const a = 1;\na + 1")).code).toContain("__fb_out.value = a + 1");
    expect((await convert("const a = 1;")).hasValue).toBe(false);
    expect((await convert("a + 1;\ninterface I {}")).hasValue).toBe(false);
  });

  test("positions map back to the cell's lines", async () => {
    const c = await convert(`interface Point { x: number }\n\nconst p: Point = { x: 1 };\nfunction f(n: number): number {\n  return n * p.x;\n}\nf(2)`);
    const lines = c.code.split("\n");
    const at = lines.findIndex((l) => l.includes("return n * p.x"));
    const col = lines[at]!.indexOf("n * p.x");
    expect(c.mapper.original(at, col)).toEqual({ line: 4, column: 9 });
    const last = lines.findIndex((l) => l.includes("f(2)"));
    expect(c.mapper.original(last, lines[last]!.indexOf("f(2)"))?.line).toBe(6);
  });

  test("a syntax error carries line and column", async () => {
    try {
      await convert("const a = 1;\nconst b = (;\n");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CellSyntaxError);
      expect((e as CellSyntaxError).diagnostics[0]).toMatchObject({ line: 1, column: 11 });
    }
  });

  test("exports are dropped, import.meta is provided", async () => {
    const c = await convert(`export const a = 1;\nexport function f() { return import.meta.url; }\nexport { a as b };`);
    expect(c.code).not.toMatch(/\bexport\b/);
    expect(c.code).toContain("__fb_meta.url");
  });
});
