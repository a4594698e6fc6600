import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { ok, sessionMaker } from "../support/sessions.js";

const session = sessionMaker();

describe("cells", () => {
  const s = session();

  test("declarations persist into later cells; the last expression is the value", async () => {
    expect(ok(await s.execute("const a: number = 2;\nlet b = a * 3;\nfunction twice(n: number) { return n * 2; }\nclass Box { constructor(readonly v: number) {} }"))).toBeUndefined();
    expect(ok(await s.execute("twice(a) + b"))).toBe(10);
    expect(ok(await s.execute("new Box(b).v"))).toBe(6);
    expect(ok(await s.execute("b = 7;\nb"))).toBe(7);
    expect(ok(await s.execute("b"))).toBe(7);
  });

  test("declaring a name again in a later cell replaces it", async () => {
    ok(await s.execute("const x = 1;"));
    ok(await s.execute("const x = 'two';"));
    expect(ok(await s.execute("x"))).toBe("two");
    ok(await s.execute("function x() { return 3; }"));
    expect(ok(await s.execute("x()"))).toBe(3);
    ok(await s.execute("class x { static k = 4 }"));
    expect(ok(await s.execute("x.k"))).toBe(4);
  });

  test("functions of earlier cells see later redefinitions of what they call", async () => {
    ok(await s.execute("function helper() { return 'old'; }\nfunction main() { return helper(); }"));
    ok(await s.execute("function helper() { return 'new'; }"));
    expect(ok(await s.execute("main()"))).toBe("new");
  });

  test("functions are hoisted within a cell", async () => {
    expect(ok(await s.execute("const r = later(20);\nfunction later(n: number) { return n + 1; }\nr"))).toBe(21);
  });

  test("top-level await, for await, and a value after it", async () => {
    expect(ok(await s.execute("const t = await new Promise<number>((r) => setTimeout(() => r(5), 5));\nt * 2"))).toBe(10);
    expect(ok(await s.execute("async function* gen() { yield 1; yield 2; }\nlet sum = 0;\nfor await (const v of gen()) sum += v;\nsum"))).toBe(3);
    expect(ok(await s.execute("t"))).toBe(5);
  });

  test("imports of a Node built-in and an npm package persist", async () => {
    expect(ok(await s.execute(`import os from "node:os";\nimport * as nodePath from "path";\nimport ts from "typescript";\nimport { createSourceFile } from "typescript";`))).toBeUndefined();
    expect(ok(await s.execute("typeof os.cpus"))).toBe("function");
    expect(ok(await s.execute("nodePath.join('a', 'b')"))).toBe("a/b");
    expect(ok(await s.execute("ts.version === (require('typescript') as typeof ts).version && createSourceFile === ts.createSourceFile"))).toBe(true);
    expect(ok(await s.execute(`const m = await import("node:util");\ntypeof m.inspect`))).toBe("function");
  });

  test("a user's own TypeScript module, imported as TypeScript writes it (.js)", async () => {
    const t = session({ cwd: fileURLToPath(new URL("./fixtures/", import.meta.url)) });
    expect(ok(await t.execute(`import { shout, GREETING } from "./helpers.js";\nshout(GREETING)`))).toBe("HI!");
  });

  test("the flowbook API is there without an import", async () => {
    expect(ok(await s.execute("typeof Pipeline.create === 'function' && typeof ParDo.of === 'function' && typeof Count.perElement"))).toBe("function");
    expect(ok(await s.execute(`import { KV as KV2 } from "flowbook";\nKV2 === KV`))).toBe(true);
  });

  test("a class extending DoFn keeps its own methods", async () => {
    const v = ok(
      await s.execute(
        "class Up extends DoFn<string, string> { processElement(c: ProcessContext<string, string>) { c.output(c.element().toUpperCase()); } }\nconst up = new Up();\n[up instanceof DoFn, typeof up.processElement]",
      ),
    );
    expect(v).toEqual([true, "function"]);
  });

  test("args, process.argv, console and display reach the session's hooks", async () => {
    const out: string[] = [];
    const t = session({ args: ["--n", "3"], stdout: (x) => out.push(x) });
    ok(await t.execute("console.log('hello', args.length); process.stdout.write(process.argv.slice(2).join(' ') + '\\n'); display({ a: 1 });"));
    // Without a front end taking outputs, a display prints as its text.
    expect(out.join("")).toBe("hello 2\n--n 3\n{ a: 1 }\n");
    // A cell's own hooks take its output while it runs.
    const mine: string[] = [];
    ok(await t.execute("console.log('mine'); console.error('oops'); display(2);", { stdout: (x) => mine.push(x), stderr: (x) => mine.push("E:" + x) }));
    expect(mine).toEqual(["mine\n", "E:oops\n", "2\n"]);
    ok(await t.execute("console.log('back')"));
    expect(out.join("")).toBe("hello 2\n--n 3\n{ a: 1 }\nback\n");
  });
});

describe("errors", () => {
  const s = session();

  test("a syntax error reports the cell's line and column", async () => {
    const r = await s.execute("const ok = 1;\nconst bad = (1 + ;\n");
    expect(r.status).toBe("error");
    expect(r.error!.kind).toBe("syntax");
    expect(r.error!.ename).toBe("SyntaxError");
    expect(r.error!.diagnostics![0]).toMatchObject({ line: 1, column: 17 });
    expect(r.error!.traceback[0]).toMatch(/^cell\[\d+\]:2:18 - error/);
    // nothing of the cell ran
    expect((await s.execute("typeof ok")).value).toBe("undefined");
  });

  test("a runtime error's stack points at cell lines, without the evaluator's frames", async () => {
    ok(await s.execute("// a comment line\nfunction explode(n: number): never {\n  throw new RangeError(`too big: ${n}`);\n}", { filename: "cell[helpers]" }));
    const r = await s.execute("const n: number = 3;\n\nexplode(n);");
    expect(r.status).toBe("error");
    expect(r.error!.ename).toBe("RangeError");
    expect(r.error!.evalue).toBe("too big: 3");
    const frames = r.error!.traceback.filter((l) => l.startsWith("    at "));
    expect(frames[0]).toBe("    at explode (cell[helpers]:3:9)");
    expect(frames[1]).toMatch(/^    at cell\[\d+\]:3:1$/);
    expect(frames.length).toBe(2);
    expect(r.error!.traceback.join("\n")).not.toMatch(/node:|session[\\/]|flowbook:step|Generator/);
    // the code of the innermost cell frame
    expect(r.error!.traceback.join("\n")).toContain("3 |   throw new RangeError(`too big: ${n}`);");
  });

  test("errors thrown by the API also map to the cell", async () => {
    const r = await s.execute("const p = Pipeline.create();\np.apply('a/b', Create.of(1));");
    expect(r.status).toBe("error");
    const cellFrame = r.error!.frames.find((f) => f.inCell);
    expect(cellFrame?.line).toBe(2);
  });

  test("thrown non-errors are reported", async () => {
    const r = await s.execute("throw 'plain';");
    expect(r.error!.evalue).toBe('"plain"');
  });
});

describe("globals hidden", () => {
  test("the session's internals are not reachable from a cell", async () => {
    // The host holds a secret in the session's closure (as a kernel holds its signing key).
    const secret = { key: "hmac-signing-key-" + Math.random() };
    const s = session({ onOutput: (o) => void (o === (secret as unknown)) });
    const probe = `
      const seen = new Set<unknown>();
      function search(o: unknown, depth: number): boolean {
        if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o) || depth > 3) return typeof o === "string" && o.startsWith("hmac-signing-key-");
        seen.add(o);
        let keys: (string | symbol)[] = [];
        try { keys = Reflect.ownKeys(o as object); } catch { return false; }
        for (const k of keys) {
          const d = Object.getOwnPropertyDescriptor(o, k);
          if (d && "value" in d && search(d.value, depth + 1)) return true;
        }
        return false;
      }
      const hostGlobal = Pipeline.constructor.constructor("return globalThis")();
      const escapes = [
        globalThis,
        hostGlobal,
        (function (this: unknown) { return this; })(),
        display,
        Object.getPrototypeOf(display),
        process,
        console,
        require,
      ];
      [typeof this, escapes.some((e) => search(e, 0))]`;
    expect(ok(await s.execute(probe))).toEqual(["undefined", false]);
    expect(ok(await s.execute("typeof __fb_scope === 'object' && Object.keys(__fb_scope).includes('Pipeline')"))).toBe(true);
    // No global of the host names the session or its hooks.
    expect(Object.keys(globalThis).filter((k) => /session|secret|display/i.test(k))).toEqual([]);
    expect(secret.key).toMatch(/^hmac/);
  });

  test("cell globals do not leak into the host's globals or into another session", async () => {
    const a = session();
    const b = session();
    ok(await a.execute("var leaked = 1; let alsoLeaked = 2; function fnLeak() {}"));
    expect("leaked" in globalThis || "alsoLeaked" in globalThis || "fnLeak" in globalThis).toBe(false);
    expect(ok(await b.execute("typeof leaked"))).toBe("undefined");
  });
});

describe("reset", () => {
  test("forgets declared names, keeps the API", async () => {
    const s = session();
    ok(await s.execute("const gone = 1;"));
    await s.reset();
    expect(ok(await s.execute("typeof gone + ' ' + typeof Pipeline"))).toBe("undefined function");
    expect(s.executionCount).toBe(1);
  });
});
