import { describe, expect, it } from "vitest";
import fs from "node:fs";
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { rebuildValue, serializeValue } from "../../../src/graph/functions/serialize.js";
import { installInstrumentationGlobals } from "../../../src/graph/functions/meta.js";
import { instrumentCode } from "../../../src/graph/instrument/instrument.js";

const thisFile = fileURLToPath(import.meta.url);
const lineOf = (marker: string) => fs.readFileSync(thisFile, "utf8").split("\n").findIndex((l) => l.includes(marker)) + 1;

const limit = 0;
function failing(x: number): number {
  if (x > limit) {
    throw new Error("boom from a top-level function"); // THROW-TOP
  }
  return x;
}

async function errorOf(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("stack traces of rebuilt functions point at the user's file and line", () => {
  it("a function of this (Vite-instrumented) test file", async () => {
    const rebuilt = (await rebuildValue(JSON.parse(JSON.stringify(serializeValue(failing))))) as typeof failing;
    expect(rebuilt).not.toBe(failing);
    const e = await errorOf(() => rebuilt(1));
    const top = e.stack!.split("\n")[1]!;
    expect(top).toContain(`${import.meta.url}:${lineOf("THROW-TOP")}:`);
  });

  it("a nested function without captures (located by its source text)", async () => {
    const nested = (s: string) => {
      if (!s) throw new TypeError("empty input"); // THROW-NESTED
      return s.length;
    };
    const rebuilt = (await rebuildValue(serializeValue(nested))) as typeof nested;
    const e = await errorOf(() => rebuilt(""));
    expect(e.stack!.split("\n")[1]).toContain(`${import.meta.url}:${lineOf("THROW-NESTED")}:`);
  });

  it("a notebook cell evaluated as a script, with a line offset", async () => {
    const cell = ["const base = 10;", "function f(x) {", "  if (x) {", '    throw new Error("cell boom");', "  }", "  return base;", "}", "globalThis.result = f;"].join("\n");
    const out = instrumentCode(cell, { filename: "/virtual/notebook.ipynb", helperImport: false, lineOffset: 100 });
    expect(out.code.split("\n")).toHaveLength(cell.split("\n").length);
    const ctx = vm.createContext({});
    installInstrumentationGlobals(ctx);
    vm.runInContext(out.code, ctx);
    const rebuilt = (await rebuildValue(serializeValue(ctx.result))) as (x: number) => number;
    expect(rebuilt(0)).toBe(10);
    const e = await errorOf(() => rebuilt(1));
    expect(e.stack!.split("\n")[1]).toContain("/virtual/notebook.ipynb:104:");
  });

  it("TypeScript transpiled with a source map: lines realigned to the .ts file", async () => {
    const source = [
      "interface Options {", // 1
      "  strict: boolean;",
      "}",
      "",
      "type Word = string;", // 5
      "",
      "const minimum: number = 2;",
      "",
      "",
      "export function check(w: Word, o: Options): number {", // 10
      "  // comment",
      "",
      "  if (w.length < minimum && o.strict) {",
      "",
      "    throw new RangeError(`too short: ${w}`);", // 15
      "  }",
      "  return w.length;",
      "}",
    ].join("\n");
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true },
      fileName: "/virtual/words.ts",
    });
    const out = instrumentCode(js.outputText.replace(/\/\/# sourceMappingURL=.*$/m, ""), {
      filename: "/virtual/words.ts",
      inputSourceMap: js.sourceMapText,
      helperImport: false,
      imports: "keep",
    });
    const lines = out.code.split("\n");
    expect(lines[14]).toContain("throw new RangeError");
    expect(lines[9]).toContain("function check");
    // Evaluate the function declaration as a script to get the live function.
    const script = out.code.replace(/export /g, "") + "\nglobalThis.check = check;";
    const ctx = vm.createContext({});
    installInstrumentationGlobals(ctx);
    vm.runInContext(script, ctx);
    const rebuilt = (await rebuildValue(serializeValue(ctx.check))) as (w: string, o: { strict: boolean }) => number;
    expect(rebuilt("abc", { strict: true })).toBe(3);
    const e = await errorOf(() => rebuilt("a", { strict: true }));
    expect(e.stack!.split("\n")[1]).toContain("/virtual/words.ts:15:");
  });
});
