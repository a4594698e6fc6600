// Pipelines built across cells: functions travel with what they capture (point 3), and
// running a cell again replaces its transforms instead of adding duplicates (point 7).
import { describe, expect, test } from "vitest";
import { rebuildValue, type SerializedValue } from "../../src/graph/functions/serialize.js";
import type { Session } from "../../src/session/session.js";
import { ok as value, sessionMaker } from "../support/sessions.js";

const session = sessionMaker();

describe("captures across cells", () => {
  test("a lambda captures values of earlier cells and the user functions it calls, recursively", async () => {
    const s = session();
    value(await s.execute("const factor = 3;"));
    value(await s.execute("const offsets = new Map([['a', 10]]);\nfunction bump(k: string, n: number) { return n * factor + (offsets.get(k) ?? 0); }"));
    const fn = value(await s.execute("const f = (kv: KV<string, number>) => KV.of(kv.key, bump(kv.key, kv.value));\nf")) as (x: unknown) => unknown;
    const meta = (fn as unknown as Record<symbol, { captures: () => Record<string, unknown> }>)[Symbol.for("flowbook.fn")]!;
    expect(Object.keys(meta.captures()).sort()).toEqual(["KV", "bump"]);
    // Rebuilt from its serialized form, as a runner does, with no tie to the session: the
    // sandbox's serializer writes the graph, the host rebuilds the function from its JSON.
    const serializedF = async () => {
      const json = value(await s.execute("const p = Pipeline.create();\np.apply(Create.of(KV.of('a', 2))).apply('F', MapElements.via(f));\nJSON.stringify(p.toJSON())")) as string;
      const graph = JSON.parse(json) as { transforms: Record<string, { name: string; payload: { doFn: SerializedValue } }> };
      const t = Object.values(graph.transforms).find((x) => x.name === "F")!;
      return ((await rebuildValue(t.payload.doFn)) as { fn: typeof fn }).fn;
    };
    const rebuilt = await serializedF();
    expect(rebuilt({ key: "a", value: 2 })).toEqual({ key: "a", value: 16 });
    // Captures are read when serialized: a later cell's new value travels.
    value(await s.execute("offsets.set('a', 100);"));
    const again = await serializedF();
    expect(again({ key: "a", value: 2 })).toEqual({ key: "a", value: 106 });
  });

  test("a pipeline built across five cells runs from its serialized functions", async () => {
    const s = session();
    value(await s.execute("const p = Pipeline.create({ runner: 'direct' });"));
    value(await s.execute("const stop = new Set(['the']);\nconst suffix = '!';"));
    value(await s.execute("class Shout extends DoFn<string, string> {\n  processElement(c: ProcessContext<string, string>) {\n    if (!stop.has(c.element())) c.output(c.element().toUpperCase() + suffix);\n  }\n}"));
    value(await s.execute("const words = p.apply(Create.of('the', 'cat', 'the', 'dog'));\nconst loud = words.apply('Shout', ParDo.of(new Shout()));"));
    value(await s.execute("PAssert.that(loud).containsInAnyOrder('CAT!', 'DOG!');\nawait p.run().waitUntilFinish();"));
  });
});

describe("re-running a cell", () => {
  const names = (s: Session) => s.execute("Object.values(p.toJSON().transforms).map((t: any) => t.fullName).sort()").then(value);

  test("replaces the transforms it applied (identity: the cell id)", async () => {
    const s = session();
    value(await s.execute("const p = Pipeline.create();", { cellId: "c1" }));
    value(await s.execute("const nums = p.apply('Nums', Create.of(1, 2, 3));", { cellId: "c2" }));
    value(await s.execute("const doubled = nums.apply('Double', MapElements.via((x: number) => x * 2));", { cellId: "c3" }));
    const once = await names(s);
    // Edited and run again: same cell id, so the transform is replaced, not duplicated.
    value(await s.execute("const doubled = nums.apply('Double', MapElements.via((x: number) => x * 20));", { cellId: "c3" }));
    expect(await names(s)).toEqual(once);
    // Another cell applying the same name is still an error.
    const clash = await s.execute("nums.apply('Double', MapElements.via((x: number) => x));", { cellId: "c4" });
    expect(clash.status).toBe("error");
    expect(clash.error!.evalue).toMatch(/already exists/);
  });

  test("without cell ids, running the same code again is idempotent", async () => {
    const s = session();
    value(await s.execute("const p = Pipeline.create();"));
    const cells = ["const nums = p.apply('Nums', Create.of(1, 2, 3));", "const sq = nums.apply('Square', MapElements.via((x: number) => x * x));"];
    for (const c of cells) value(await s.execute(c));
    const once = await names(s);
    for (const c of cells) value(await s.execute(c));
    expect(await names(s)).toEqual(once);
  });

  test("a cell applying the same unnamed transform twice gets two transforms, run after run", async () => {
    const s = session();
    value(await s.execute("const p = Pipeline.create();"));
    const cell = "const out = p.apply('In', Create.of('a')).apply(MapElements.via((x: string) => x + 1)).apply(MapElements.via((x: string) => x + 2));\nawait collect(out)";
    expect(value(await s.execute(cell, { cellId: "twice" }))).toEqual(["a12"]);
    const once = await names(s);
    expect(once).toEqual(["In", "Map", "Map2"]);
    expect(value(await s.execute(cell, { cellId: "twice" }))).toEqual(["a12"]);
    expect(await names(s)).toEqual(once);
  });

  test("running a notebook top to bottom twice gives the same graph as once", async () => {
    const s = session();
    const notebook = [
      "const p = Pipeline.create();",
      "const lines = p.apply('Lines', Create.of('a b', 'b c'));",
      "const words = lines.apply('Split', FlatMapElements.via((l: string) => l.split(' ')));",
      "const counts = words.apply(Count.perElement());",
    ];
    // Provenance (which run of a cell applied it, the pipeline's default name) may differ.
    const provenance = new Set(["appliedAt", "file", "name"]);
    const run = async () => {
      for (const [i, c] of notebook.entries()) value(await s.execute(c, { cellId: `cell-${i}` }));
      return JSON.stringify(value(await s.execute("p.toJSON()")), (k, v) => (provenance.has(k) && typeof v === "string" && /cell\[|flowbook-pipeline/.test(v) ? "*" : v));
    };
    const first = await run();
    expect(await run()).toBe(first);
  });

  test("a transform records where the cell applied it (the cell's own line)", async () => {
    const s = session();
    const where = await s.execute(
      "interface Unused {\n  x: number;\n}\nconst p = Pipeline.create();\n\nfunction f(n: number) {\n  return n;\n}\nconst x = p.apply(Create.of(1));\nObject.values(p.toJSON().transforms).map((t: any) => t.appliedAt)",
    );
    const [at] = value(where) as string[];
    expect(at).toMatch(/^flowbook:cell\[1\]:9:\d+$/);
    // The SDK (or anyone) maps it to the cell's own position through the global hook.
    const mapLocation = (globalThis as Record<symbol, (l: string) => string>)[Symbol.for("flowbook.mapLocation")]!;
    expect(mapLocation(at!)).toBe("cell[1]:9:13"); // V8 points at `apply` in `p.apply(`
  });

  test("an error in a function a runner rebuilt points at the cell's own line", async () => {
    const s = session();
    value(await s.execute("const p = Pipeline.create();"));
    value(await s.execute("// comment\n\nconst bad = p.apply(Create.of(1, 2)).apply('Boom', MapElements.via((x: number) => {\n  if (x > 1) throw new Error('bad ' + x);\n  return x;\n}));"));
    const r = await s.execute("await p.run().waitUntilFinish();");
    expect(r.status).toBe("error");
    expect(r.error!.traceback.join("\n")).toMatch(/at (MapFn\.fn|fn) \(cell\[2\]:4:\d+\)/);
    expect(r.error!.traceback.join("\n")).toContain("4 |   if (x > 1) throw new Error('bad ' + x);");
  });
});
