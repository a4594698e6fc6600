// The front-end contract from the session's side: each execution's outputs, in order,
// attributed to it even when they arrive after it returned.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { CellOutput } from "../../src/display/outputs.js";
import { ok, sessionMaker } from "../support/sessions.js";

const session = sessionMaker();

/** A session whose every output is recorded, as a front end receives it. */
function recorded() {
  const outputs: CellOutput[] = [];
  const s = session({ onOutput: (o) => void outputs.push(o) });
  const of = (executionCount: number) => outputs.filter((o) => o.cell.executionCount === executionCount);
  return { s, outputs, of };
}

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("a cell's outputs", () => {
  test("come in order: streams, displays, updates, then the result", async () => {
    const { s, of } = recorded();
    const r = ok(await s.execute("console.log('one');\nconst h = display({ a: 1 });\nconsole.error('two');\nh.update('new');\n40 + 2"));
    expect(r).toBe(42);
    const mine = of(1);
    expect(mine.map((o) => o.type)).toEqual(["stream", "display", "stream", "update", "result"]);
    const [first, shown, second, updated, result] = mine as [
      Extract<CellOutput, { type: "stream" }>,
      Extract<CellOutput, { type: "display" }>,
      Extract<CellOutput, { type: "stream" }>,
      Extract<CellOutput, { type: "update" }>,
      Extract<CellOutput, { type: "result" }>,
    ];
    expect([first.name, first.text, second.name, second.text]).toEqual(["stdout", "one\n", "stderr", "two\n"]);
    expect(shown.bundle["text/plain"]).toBe("{ a: 1 }");
    expect(updated.displayId).toBe(shown.displayId);
    expect(updated.bundle["text/plain"]).toBe("'new'");
    expect(result.bundle["text/plain"]).toBe("42");
  });

  test("an error is exactly one error output, at the cell's line", async () => {
    const { s, of } = recorded();
    const r = await s.execute("console.log('before');\nnull.x;");
    expect(r.status).toBe("error");
    const errors = of(1).filter((o) => o.type === "error");
    expect(errors).toHaveLength(1);
    const e = errors[0] as Extract<CellOutput, { type: "error" }>;
    expect(e.ename).toBe("TypeError");
    expect(e.traceback.join("\n")).toMatch(/cell\[1\]:2/);
    expect(of(1).map((o) => o.type)).toEqual(["stream", "error"]);
  });

  test("output after the cell returned goes to that cell, not the one running now", async () => {
    const { s, of } = recorded();
    ok(await s.execute("setTimeout(() => console.log('late from 1'), 150);\nconst later = display('soon');\nsetTimeout(() => later.update('done'), 200);"));
    const second = s.execute("await new Promise((r) => setTimeout(r, 400));\nconsole.log('from 2');");
    ok(await second);
    const late = of(1).find((o) => o.type === "stream");
    expect(late).toMatchObject({ type: "stream", text: "late from 1\n" });
    expect(of(1).some((o) => o.type === "update" && o.bundle["text/plain"] === "'done'")).toBe(true);
    expect(of(2).map((o) => (o.type === "stream" ? o.text : o.type))).toEqual(["from 2\n"]);
  });

  test("a DoFn's console.log on the workers is the cell's output, before the cell ends", async () => {
    const { s, of } = recorded();
    const r = await s.execute(
      "const p = Pipeline.create();\np.apply(Create.of(1, 2, 3)).apply(MapElements.via((x: number) => { console.log('saw', x); return x; }));\nawait p.run().waitUntilFinish();",
    );
    ok(r);
    const text = of(1)
      .filter((o) => o.type === "stream")
      .map((o) => (o as { text: string }).text)
      .join("");
    expect(text.split("\n").filter(Boolean).sort()).toEqual(["saw 1", "saw 2", "saw 3"]);
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]).toMatchObject({ runner: "direct", purpose: "run" });
  });

  test("prompt() reads through the front end's input", async () => {
    const asked: string[] = [];
    const s = session();
    const r = await s.execute("const name = await prompt('Name? ');\n`hello ${name}`", {
      input: async (q, o) => {
        asked.push(`${q}|${o.password}`);
        return "Ada";
      },
    });
    expect(ok(r)).toBe("hello Ada");
    expect(asked).toEqual(["Name? |false"]);
    const none = await s.execute("await prompt('x')");
    expect(none.status).toBe("error");
    expect(none.error!.evalue).toMatch(/takes no input/);
  });

  test("clearOutput clears the cell's output; a Pipeline as the cell's value shows as its graph", async () => {
    const { s, of } = recorded();
    ok(await s.execute("console.log('gone');\nclearOutput(true);\nconsole.log('kept');"));
    expect(of(1).map((o) => (o.type === "clear" ? `clear:${o.wait}` : o.type))).toEqual(["stream", "clear:true", "stream"]);
    ok(await s.execute("const g = Pipeline.create({ name: 'drawn' });\ng.apply('Nums', Create.of(1, 2));\ng"));
    const result = of(2).find((o) => o.type === "result") as Extract<CellOutput, { type: "result" }>;
    expect(String(result.bundle["image/svg+xml"])).toMatch(/Nums/);
    expect(String(result.bundle["text/plain"])).toMatch(/drawn/);
  });

  test("display() of a PCollection shows its sample once computed; an update may show another, and a late one never wins", async () => {
    const { s, outputs } = recorded();
    const texts = () => outputs.filter((o) => o.type === "display" || o.type === "update").map((o) => String((o as { bundle: Record<string, unknown> }).bundle["text/plain"]));
    ok(await s.execute("const p = Pipeline.create();\nconst a = p.apply('A', Create.of('x1', 'x2'));\nconst b = p.apply('B', Create.of('y1'));\nconst h = display(a);"));
    expect(texts()[0]).toBe("…");
    await until(() => texts().some((t) => /x1/.test(t) && /x2/.test(t)), 30_000);
    // The update comes from a later cell: it replaces the first cell's display.
    ok(await s.execute("h.update(b);"));
    await until(() => /y1/.test(texts().at(-1)!), 30_000);
    const ids = new Set(outputs.filter((o) => o.type === "display" || o.type === "update").map((o) => (o as { displayId: string }).displayId));
    expect(ids.size).toBe(1);
    // A slow value updated meanwhile by a quick one: the quick, newer one stays.
    ok(await s.execute("h.update(new Promise((r) => setTimeout(() => r('slow'), 500)));\nh.update('quick');\nawait new Promise((r) => setTimeout(r, 1000));"));
    expect(texts().at(-1)).toBe("'quick'");
  });

  test("a promise left unawaited shows its state, not the session's async bookkeeping", async () => {
    const { s, of } = recorded();
    ok(await s.execute("new Promise(() => {})"));
    ok(await s.execute("Promise.resolve(42)"));
    const texts = [1, 2].map((n) => String((of(n).find((o) => o.type === "result") as { bundle: Record<string, unknown> }).bundle["text/plain"]));
    expect(texts).toEqual(["Promise { <pending> }", "Promise { 42 }"]);
  });

  test("a PCollection as the cell's value names itself (and says how to see its elements)", async () => {
    const { s, of } = recorded();
    ok(await s.execute("const p = Pipeline.create();\np.apply('Nums', Create.of(1, 2))"));
    const result = of(1).find((o) => o.type === "result") as Extract<CellOutput, { type: "result" }>;
    expect(result.bundle["text/plain"]).toBe("PCollection(Nums.out): show(it) or collect(it) computes it");
  });

  test("a display handle returned as the cell's value shows nothing more", async () => {
    const { s, of } = recorded();
    ok(await s.execute("display('x')"));
    expect(of(1).map((o) => o.type)).toEqual(["display"]);
  });
});

describe("samples", () => {
  test("show runs only what it needs (no sink), once: a second show starts no run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-show-"));
    const { s, of } = recorded();
    const first = await s.execute(
      `const p = Pipeline.create();\nconst nums = p.apply(Create.of(1, 2, 3, 4));\nconst doubled = nums.apply("Double", MapElements.via((x: number) => x * 2));\ndoubled.apply(MapElements.via((x: number) => String(x))).apply(TextIO.write().to(${JSON.stringify(join(dir, "out"))}));\nawait show(doubled, { n: 2 });`,
    );
    ok(first);
    expect(readdirSync(dir)).toEqual([]);
    expect(first.runs.map((r) => r.purpose)).toEqual(["sample"]);
    const table = of(1).find((o) => o.type === "display") as Extract<CellOutput, { type: "display" }>;
    // Four elements computed, two shown: the total is known exactly.
    expect(String(table.bundle["text/plain"])).toMatch(/\b2 of 4\b/);
    expect(table.bundle["application/vnd.dataresource+json"]).toBeDefined();
    const second = await s.execute("await show(doubled, { n: 2 });\nawait collect(doubled)");
    expect((ok(second) as number[]).sort()).toEqual([2, 4, 6, 8]);
    // The second show was served from the cache; collect needed every element: one run.
    expect(second.runs.length).toBeLessThanOrEqual(1);
    const third = await s.execute("await collect(doubled)");
    expect(third.runs).toHaveLength(0);
  });

  test("showing a PCollection whose upstream fails names the transform, the element and the line", async () => {
    const { s } = recorded();
    const r = await s.execute(
      "const p = Pipeline.create();\nconst bad = p.apply(Create.of(1, 2)).apply('Explode', MapElements.via((x: number) => {\n  if (x === 2) throw new Error('no twos');\n  return x;\n}));\nawait show(bad);",
    );
    expect(r.status).toBe("error");
    const text = r.error!.traceback.join("\n");
    expect(text).toMatch(/Explode/);
    expect(text).toMatch(/no twos/);
    expect(text).toMatch(/cell\[1\]:3/);
  });
});

describe("explainGraph", () => {
  test("a front end gets the Flink plan of a pipeline cells built, as explain(p) draws it", async () => {
    const s = session();
    ok(await s.execute("const p = Pipeline.create({ name: 'planned' });\np.apply('Nums', Create.of(1, 2)).apply('Twice', MapElements.via((x: number) => 2 * x));"));
    const [graph] = s.pipelineGraphs();
    const bundle = await s.explainGraph(graph!, {}, 80);
    expect(String(bundle["text/plain"])).toMatch(/^Flink plan 'planned'/);
    expect(String(bundle["text/plain"])).toMatch(/Twice/);
    expect(String(bundle["text/plain"]).split("\n").every((l) => l.length <= 80)).toBe(true);
    expect(String(bundle["image/svg+xml"])).toMatch(/<svg/);
  });
});

describe("disposal", () => {
  test("disposing a session cancels the pipelines its cells left running", async () => {
    const s = session();
    const r = await s.execute("const p = Pipeline.create();\np.apply(Create.of(...Array.from({ length: 200 }, (_, i) => i))).apply(MapElements.via((x: number) => { const end = Date.now() + 100; while (Date.now() < end); return x; }));\np.run();");
    ok(r);
    const run = r.runs[0]!.result;
    expect(run.state).toBe("RUNNING");
    await s.dispose();
    expect(run.state).toBe("CANCELLED");
  });
});

describe("charts", () => {
  test("a top-N bar chart ranks every element, not the first 5 000", async () => {
    const { s, of } = recorded();
    // 8 000 keys; the three largest values come last.
    ok(await s.execute("const p = Pipeline.create();\nconst kv = p.apply(Create.of(...Array.from({ length: 8000 }, (_, i) => KV.of(`k${i}`, i))));\nawait chart(kv, { bar: { x: 'key', y: 'value' }, top: 3 });"));
    const shown = of(1).find((o) => o.type === "display") as Extract<CellOutput, { type: "display" }>;
    const spec = shown.bundle["application/vnd.vegalite.v5+json"] as { $schema: string; data: { values: Array<{ key: string; value: number }> } };
    expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    expect(spec.data.values.map((r) => r.key).sort()).toEqual(["k7997", "k7998", "k7999"]);
    expect(typeof shown.bundle["image/png"]).toBe("string");
    expect(String(shown.bundle["image/svg+xml"])).toMatch(/^<svg/);
  });
});

describe("progress", () => {
  test("a run shows one live progress display, updated in place, ending with the totals", async () => {
    const outputs: CellOutput[] = [];
    const s = session({ onOutput: (o) => void outputs.push(o), progress: true });
    ok(await s.execute("const p = Pipeline.create();\np.apply(Create.of(...Array.from({ length: 1000 }, (_, i) => i))).apply(MapElements.via((x: number) => x + 1));\nawait p.run().waitUntilFinish();"));
    await until(() => outputs.some((o) => o.type === "update" && /1,?000/.test(String(o.bundle["text/plain"]))));
    const progress = outputs.filter((o) => (o.type === "display" || o.type === "update") && o.bundle["application/vnd.flowbook.progress+json"]);
    const ids = new Set(progress.map((o) => (o as { displayId: string }).displayId));
    expect(ids.size).toBe(1);
    expect(progress[0]!.type).toBe("display");
    expect(progress.slice(1).every((o) => o.type === "update")).toBe(true);
  });
});
