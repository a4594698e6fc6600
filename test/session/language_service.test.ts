import { afterAll, describe, expect, test } from "vitest";
import { createSession, type Session } from "../../src/session/session.js";

const sessions: Session[] = [];
function session(opts: Parameters<typeof createSession>[0] = {}): Session {
  const s = createSession({ stdout: () => undefined, stderr: () => undefined, ...opts });
  sessions.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.dispose()));
});

// Each session's checker worker loads TypeScript, the standard library and the API's
// declarations first (seconds on a busy 2-core machine): two sessions serve all tests.
const warnSession = session({ typeCheck: "warn" });
const errorSession = session({ typeCheck: "error" });
const SLOW = 180_000;

describe("type checking", () => {
  test("warn: a type error is a warning, the cell still runs", async () => {
    const s = warnSession;
    const r = await s.execute("const n: string = 42;\nn");
    expect(r.status).toBe("ok");
    expect(r.value).toBe(42);
    const warnings = await r.typeErrors;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ line: 0, column: 6, code: 2322 });
    expect(warnings[0]!.text[0]).toMatch(/^cell\[\d+\]:1:7 - warning TS2322: Type 'number' is not assignable to type 'string'/);
  }, SLOW);

  test("error: a type error stops the cell, and its names are not declared", async () => {
    const s = errorSession;
    const r = await s.execute("const ran = true;\nconst m: number = 'x';");
    expect(r.status).toBe("error");
    expect(r.error!.kind).toBe("type");
    expect(r.error!.ename).toBe("TypeError");
    expect(r.error!.diagnostics![0]).toMatchObject({ line: 1, column: 6 });
    const after = await s.execute("eval('typeof ran')");
    expect(after.status).toBe("ok");
    expect(after.value).toBe("undefined");
  }, SLOW);

  test("cells are checked against the declarations of earlier cells and the API", async () => {
    const s = errorSession;
    const cells = [
      "/** How many times. */\nconst factor = 3;\nlet total = 0;\ninterface Item { name: string; n: number }\nfunction scale(i: Item): number { return i.n * factor; }",
      "total = scale({ name: 'a', n: 2 });\nconst items: Item[] = [{ name: 'b', n: 1 }];",
      "const factor = 'redeclared as a string';\nfactor.toUpperCase()",
      "const p = Pipeline.create();\nconst words = p.apply(Create.of('a', 'b'));\nconst counted = words.apply(Count.perElement());",
      "const first: KV<string, number> | undefined = undefined;\ntotal + items.length",
      "import os from 'node:os';\nos.cpus().length > 0",
    ];
    for (const c of cells) {
      const r = await s.execute(c);
      expect(r.error?.traceback.join("\n")).toBeUndefined();
    }
    const bad = await s.execute("factor * 2");
    expect(bad.status).toBe("error");
    expect(bad.error!.traceback[0]).toMatch(/TS2362|arithmetic/);
    const constReassign = await s.execute("items = [];");
    expect(constReassign.error?.kind).toBe("type");
  }, SLOW);
});

describe("completion and inspection", () => {
  const s = warnSession;

  test("members after `p.` and `Count.`", async () => {
    await (await s.execute("const p = Pipeline.create();\nconst words = p.apply(Create.of('x', 'y'));")).typeErrors;
    const c = await s.complete("p.", 2);
    expect(c.matches).toContain("apply");
    expect(c.matches).toContain("run");
    expect(c.cursorStart).toBe(2);
    const counts = await s.complete("Count.per", 9);
    expect(counts.matches[0]).toMatch(/^per/);
    expect(counts.matches).toEqual(expect.arrayContaining(["perElement", "perKey"]));
    expect(counts.cursorStart).toBe(6);
    expect(counts.cursorEnd).toBe(9);
    expect(counts.items.find((i) => i.text === "perElement")?.type).toBe("method");
  }, SLOW);

  test("hover shows a PCollection's element type and doc comments", async () => {
    const i = await s.inspect("words", 2);
    expect(i.found).toBe(true);
    expect(i.data["text/plain"]).toContain("const words: PCollection<string>");
    await (await s.execute("/** Doubles a number; used by the demo pipeline. */\nfunction double(n: number) { return n * 2; }")).typeErrors;
    const d = await s.inspect("double(2)", 3);
    expect(d.data["text/plain"]).toContain("function double(n: number): number");
    expect(d.data["text/plain"]).toContain("Doubles a number; used by the demo pipeline.");
    const api = await s.inspect("Pipeline.create()", 12);
    expect(api.found).toBe(true);
    expect(api.data["text/markdown"]).toContain("Pipeline.create(");
  }, SLOW);

  test("nothing to inspect", async () => {
    expect((await s.inspect("   ", 1)).found).toBe(false);
  });
});

describe("isComplete", () => {
  const s = session({ typeCheck: "off" });
  test.each([
    ["const a = 1", "complete"],
    ["function f() {", "incomplete"],
    ["p.apply(\n  Count.perElement()", "incomplete"],
    ["const s = `line one", "incomplete"],
    ["const x = ;", "invalid"],
    ["const a = )(", "invalid"],
    ["", "complete"],
  ])("%j is %s", (code, status) => {
    expect(s.isComplete(code).status).toBe(status);
  });
  test("incomplete input gets an indent", () => {
    expect(s.isComplete("if (x) {").indent).toBe("  ");
  });
});
