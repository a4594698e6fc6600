// Cells run in a vm2 sandbox with the session's own copy of the API (issue #4, point 2):
// what that takes for the cells' code, their functions on the runners, the user's own
// modules, and the values front ends show.
import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ok, sessionMaker } from "../support/sessions.js";
import { SandboxTextDecoder, SandboxTextEncoder } from "../../src/session/sandbox/text_codec.js";

const session = sessionMaker();

describe("the vm2 sandbox", () => {
  test("cells run under vm2: its own state is refused by name, the host's globals are not the cell's", async () => {
    const s = session();
    const r = await s.execute("VM2_INTERNAL_STATE_DO_NOT_USE_OR_PROGRAM_WILL_FAIL");
    expect(r.status).toBe("error");
    expect(r.error!.evalue).toMatch(/internal vm2 state/);
    // The sandbox's global object is its own: nothing a cell defines there reaches the host.
    ok(await s.execute("(globalThis as any).fromCell = 1;"));
    expect("fromCell" in globalThis).toBe(false);
    // The sandbox's globals are what the session gave it: its `require`, no `module` or `exports`.
    expect(ok(await s.execute("[typeof (globalThis as any).module, typeof (globalThis as any).exports, (globalThis as any).require === require]"))).toEqual([
      "undefined",
      "undefined",
      true,
    ]);
    // A cell's names are the sandbox's global bindings, not the host's.
    ok(await s.execute("let declaredInCell = 1;"));
    expect("declaredInCell" in globalThis).toBe(false);
  });

  test("a cell may declare the globals and API names the SDK uses; reset brings the API back", async () => {
    const s = session();
    ok(await s.execute("const URL = 'https://example.com/data.csv';\nconst Map = 'not a map';\nconst TextEncoder = null;\nconst Count = 5;"));
    const v = ok(await s.execute("const p = Pipeline.create();\nawait collect(p.apply(Create.of('é', 'é', 'b')).apply(MapElements.via((w: string) => KV.of(w, 1))).apply(Sum.integersPerKey()))"));
    expect((v as Array<{ key: string; value: number }>).map((kv) => `${kv.key}=${kv.value}`).sort()).toEqual(["b=1", "é=2"]);
    expect(ok(await s.execute("[URL, Map, Count]"))).toEqual(["https://example.com/data.csv", "not a map", 5]);
    await s.reset();
    expect(ok(await s.execute("[typeof Count.perElement, typeof URL, typeof Map]"))).toEqual(["function", "function", "function"]);
  });

  test("a DoFn with try/catch runs on the local runner (vm2's rewriting of catch does not travel)", async () => {
    const s = session();
    const v = ok(
      await s.execute(`class Parse extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>) {
    try { c.output(String(JSON.parse(c.element()).n)); } catch (e) { c.output("bad " + (e as Error).name); }
    try { JSON.parse("{"); } catch ({ name }) { c.output("destructured " + name); }
  }
}
const p = Pipeline.create();
(await collect(p.apply(Create.of('{"n":1}', "x")).apply(ParDo.of(new Parse())))).sort()`),
    );
    expect(v).toEqual(["1", "bad SyntaxError", "destructured SyntaxError", "destructured SyntaxError"]);
  });

  test("an error after a catch block on the same line points at its own column (vm2's insertion taken out)", async () => {
    const s = session();
    const r = await s.execute("let n = 0;\ntry { n = 1; } catch (e) { n = 2; } null!.boom;");
    expect(r.status).toBe("error");
    expect(r.error!.traceback.filter((l) => l.startsWith("    at "))[0]).toMatch(/^    at cell\[\d+\]:2:\d+$/);
    const column = Number(/:2:(\d+)$/.exec(r.error!.traceback.find((l) => l.startsWith("    at "))!)![1]);
    expect(column).toBe("try { n = 1; } catch (e) { n = 2; } null!.boom;".indexOf("boom") + 1); // V8 points at the property
  });

  test("dynamic import() works in a cell and in a function a runner rebuilt", async () => {
    const s = session();
    expect(ok(await s.execute("const { basename } = await import('node:path');\nbasename('/a/b.txt')"))).toBe("b.txt");
    const v = ok(
      await s.execute(`const p = Pipeline.create();
const base = p.apply(Create.of('/x/y.csv')).apply(ParDo.of(new (class extends DoFn<string, string> {
  ext: (f: string) => string = () => "";
  async setup() { this.ext = (await import('node:path')).extname; }
  processElement(c: ProcessContext<string, string>) { c.output(this.ext(c.element())); }
})()));
await collect(base)`),
    );
    expect(v).toEqual([".csv"]);
  });

  test("values a cell captures travel to the workers whatever their kind", async () => {
    const s = session();
    ok(
      await s.execute(
        "const m = new Map([['a', 1]]);\nconst set = new Set([2]);\nconst when = new Date(86_400_000);\nconst re = /b+/g;\nconst bytes = new TextEncoder().encode('héllo');\nconst boxed = Object(5);\nconst big = 10n;",
      ),
    );
    const v = ok(
      await s.execute(`const p = Pipeline.create();
await collect(p.apply(Create.of(0)).apply(MapElements.via(() =>
  [m.get('a'), set.has(2), when.toISOString(), 'abbb'.replace(re, 'x'), new TextDecoder().decode(bytes), bytes.length, boxed + 1, String(big * 2n)].join('|'))))`),
    );
    expect(v).toEqual(["1|true|1970-01-02T00:00:00.000Z|ax|héllo|6|6|20"]);
  });

  test("AvroIO and windows work from cells (avsc is the host's: schemas reach it as the host's objects)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-avro-cell-"));
    const s = session({ cwd: dir });
    const avro = ok(
      await s.execute(`const schema = { type: 'record', name: 'W', fields: [{ name: 'word', type: 'string' }, { name: 'n', type: 'long' }] };
const w = Pipeline.create();
w.apply(Create.of({ word: 'a', n: 1 }, { word: 'b', n: 2 })).apply(AvroIO.write(schema).to(${JSON.stringify(join(dir, "out"))}));
await w.run().waitUntilFinish();
const r = Pipeline.create();
(await collect(r.apply(AvroIO.read(schema).from(${JSON.stringify(join(dir, "out*"))})))).map((x: any) => x.word + x.n).sort()`),
    );
    expect(avro).toEqual(["a1", "b2"]);
    const windowed = ok(
      await s.execute(`const p = Pipeline.create();
const events = p.apply(Create.timestamped([TimestampedValue.of('x', 1_000), TimestampedValue.of('y', 61_000), TimestampedValue.of('x', 2_000)]));
const perMinute = events.apply(Window.into(FixedWindows.of(Duration.minutes(1)))).apply(Count.perElement());
(await collect(perMinute)).map((kv) => kv.key + '=' + kv.value).sort()`),
    );
    expect(windowed).toEqual(["x=2", "y=1"]);
  });

  test("what cannot travel is refused in the sandbox as on the host, naming the variable", async () => {
    const s = session();
    for (const [decl, what] of [
      ["const held = new WeakMap();", "a WeakMap"],
      ["const held = Promise.resolve(1);", "a Promise"],
      ["const held = new Map([[1, 2]]).entries();", "an iterator"],
    ]) {
      const r = await s.execute(`${decl}\nconst p = Pipeline.create();\nawait collect(p.apply(Create.of(1)).apply(MapElements.via(() => String(held))))`);
      expect(r.status).toBe("error");
      expect(r.error!.evalue).toContain(what);
      expect(r.error!.evalue).toContain("'held'");
    }
  });

  test("non-ASCII strings keep their bytes through the sandbox's coders (UTF-8 written in the sandbox, read on the host)", async () => {
    const s = session();
    const strings = ["naïve", "日本語", "😀 emoji", "lone \ud800 surrogate", "", "ab", "abcd"];
    const v = ok(await s.execute(`const p = Pipeline.create();\nawait collect(p.apply(Create.of(...${JSON.stringify(strings)})).setCoder(StringUtf8Coder.of()))`));
    expect((v as string[]).slice().sort()).toEqual(strings.map((x) => x.replace("\ud800", "\ufffd")).sort());
  });

  test("collected elements are objects of the sandbox (decoded there, not read through proxies)", async () => {
    const s = session();
    const v = ok(
      await s.execute(`const p = Pipeline.create();
const rows = await collect(p.apply(Create.of(Uint8Array.of(1, 2), Uint8Array.of(3))).setCoder(BytesCoder.of()));
const kvs = await collect(p.apply('KVs', Create.of(KV.of('a', new Date(5)))));
[rows.map((r) => ArrayBuffer.isView(r) && r.length).sort(), kvs[0].value instanceof Date && kvs[0].value.getTime()]`),
    );
    expect(v).toEqual([[1, 2], 5]);
  });

  test("structuredClone works on the sandbox's values; Node's functions refusing a cell's typed array come with a hint", async () => {
    const s = session();
    expect(s.formatValue(ok(await s.execute("structuredClone({ m: new Map([[1, new Date(3)]]) })")))).toBe("{ m: Map(1) { 1 => 1970-01-01T00:00:00.003Z } }");
    const r = await s.execute("const bytes = new TextEncoder().encode('abc');\nrequire('node:crypto').createHash('sha1').update(bytes).digest('hex')");
    expect(r.status).toBe("error");
    expect(r.error!.traceback).toContain("hint: a cell's typed arrays belong to its sandbox, and Node's functions do not take them: pass Buffer.from(bytes) instead");
    expect(ok(await s.execute("require('node:crypto').createHash('sha1').update(Buffer.from(bytes)).digest('hex')"))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });

  test("formatValue shows the sandbox's Maps, Sets, Dates and class instances as util.inspect would", async () => {
    const s = session();
    const show = async (code: string) => s.formatValue(ok(await s.execute(code)));
    expect(await show("new Map([['k', { a: new Set([1]) }]])")).toBe("Map(1) { 'k' => { a: Set(1) { 1 } } }");
    expect(await show("new Date(0)")).toBe("1970-01-01T00:00:00.000Z");
    expect(await show("class Point { constructor(public x: number) {} }\nnew Point(2)")).toBe("Point { x: 2 }");
    expect(await show("const o: any = { n: 1 }; o.self = o; o")).toBe("<ref *1> { n: 1, self: [Circular *1] }");
    expect(await show("(x: number) => x")).toBe("[Function (anonymous)]");
    // Objects with their own inspect method (a Flink plan) show what it returns.
    expect(await show("const q = Pipeline.create({ name: 'planned' });\nq.apply(Create.of(1));\n(await explain(q)).value")).toMatch(/^Flink plan 'planned'/);
    // console.log formats the same way.
    const out: string[] = [];
    const c = session({ stdout: (x) => out.push(x) });
    ok(await c.execute("console.log('m', new Map([[1, new Set(['x'])]]))"));
    expect(out.join("")).toBe("m Map(1) { 1 => Set(1) { 'x' } }\n");
    // show() displays a sample, which shows as its table (made in the sandbox, from its own objects).
    const shown: string[] = [];
    const t = session({ onOutput: (o) => void (o.type === "display" && shown.push(String(o.bundle["text/plain"]))) });
    ok(await t.execute("const p = Pipeline.create();\nawait show(p.apply('Words', Create.of('a', 'b')))"));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/Words/);
    expect(shown[0]!.split("\n").filter((l) => /\ba\b|\bb\b/.test(l))).toHaveLength(2);
  });
});

describe("the user's own modules", () => {
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-modules-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  test("a module's DoFn extends the sandbox's DoFn, its functions travel by value, its exports in every form", async () => {
    const dir = project({
      "words.ts": [
        'import { DoFn, type ProcessContext } from "flowbook";',
        'import { suffix } from "./config.js";',
        "export class Upper extends DoFn<string, string> {",
        "  processElement(c: ProcessContext<string, string>) { c.output(c.element().toUpperCase() + suffix); }",
        "}",
        "export const shout = (s: string) => s + suffix;",
        "export default function twice(s: string) { return s + s; }",
        'export * from "./config.js";',
        'export { suffix as mark } from "./config.js";',
        "export type Word = string;",
      ].join("\n"),
      "config.ts": 'export const suffix = "!";\nexport let loaded = 0;\nloaded++;',
    });
    const s = session({ cwd: dir });
    const v = ok(
      await s.execute(`import twice, { Upper, shout, mark, loaded } from "./words.js";
import * as words from "./words.js";
const p = Pipeline.create();
const out = p.apply(Create.of('a')).apply(ParDo.of(new Upper())).apply(MapElements.via(shout)).apply(MapElements.via(twice));
[await collect(out), mark, loaded, Object.keys(words).sort(), JSON.stringify(p.toJSON()).match(/"specifier":"file:[^"]*"/g)]`),
    );
    // By value: no function in the graph refers to a module file for a worker to import.
    expect(v).toEqual([["A!!A!!"], "!", 1, ["Upper", "default", "loaded", "mark", "shout", "suffix"], null]);
  });

  test("a cell's lambda calling a function of the user's module runs on the workers (the session's directory is not the process's)", async () => {
    const dir = project({ "fmt.ts": 'const mark = "*";\nexport function star(s: string) { return mark + s; }' });
    expect(dir).not.toBe(process.cwd());
    const s = session({ cwd: dir });
    const v = ok(await s.execute('import { star } from "./fmt.js";\nconst p = Pipeline.create();\nawait collect(p.apply(Create.of("x")).apply(MapElements.via((w: string) => star(w) + star(w))))'));
    expect(v).toEqual(["*x*x"]);
  });

  test("an edited module is evaluated again when a cell imports it again", async () => {
    const dir = project({ "n.ts": "export const n = 1;" });
    const s = session({ cwd: dir });
    expect(ok(await s.execute('import { n } from "./n.js";\nn'))).toBe(1);
    writeFileSync(join(dir, "n.ts"), "export const n = 2;");
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, "n.ts"), later, later);
    expect(ok(await s.execute('import { n as again } from "./n.js";\nagain'))).toBe(2);
  });

  test("errors in a module name its file and line", async () => {
    const dir = project({
      "broken.ts": "export const a = 1;\nexport const b = ;\n",
      "thrower.ts": "export function explode(n: number): number {\n  if (n > 2) throw new RangeError(`too big: ${n}`);\n  return n;\n}\n",
    });
    const s = session({ cwd: dir });
    const syntax = await s.execute('import { a } from "./broken.js";');
    expect(syntax.status).toBe("error");
    expect(syntax.error!.evalue).toMatch(/broken\.ts:2:\d+/);
    const runtime = await s.execute('import { explode } from "./thrower.js";\nexplode(3)');
    expect(runtime.status).toBe("error");
    expect(runtime.error!.traceback.filter((l) => l.startsWith("    at "))[0]).toBe("    at explode (thrower.ts:2:20)");
  });
});

describe("dry runs and the session's pipelines", () => {
  test("pipelineGraphs() has every pipeline cells created; with dryRun nothing runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-dry-"));
    const s = session({ dryRun: true });
    ok(await s.execute(`const p = Pipeline.create({ name: 'dry' });\np.apply(Create.of('x')).apply('Write', TextIO.write().to(${JSON.stringify(join(dir, "out"))}));\nawait p.run().waitUntilFinish();`));
    ok(await s.execute("const q = Pipeline.create({ name: 'never-run' });\nq.apply(Create.of(1));"));
    const graphs = s.pipelineGraphs();
    expect(graphs.map((g) => g.name)).toEqual(["dry", "never-run"]);
    expect(Object.values(graphs[0]!.transforms).map((t) => t.name)).toContain("Write");
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, "out-00000-of-00001"))).toBe(false);
  });
});

describe("the sandbox's UTF-8 codec", () => {
  test("encodes and decodes as Node's TextEncoder and TextDecoder do", () => {
    const enc = new SandboxTextEncoder();
    const dec = new SandboxTextDecoder();
    const strings = ["", "ascii", "naïve", "日本語", "😀", "a\ud800b", "\udc00", "x\ud83d", "\ufeffbom"];
    for (const str of strings) {
      expect(Array.from(enc.encode(str))).toEqual(Array.from(new TextEncoder().encode(str)));
      expect(dec.decode(enc.encode(str))).toBe(new TextDecoder().decode(new TextEncoder().encode(str)));
    }
    // encodeInto writes whole characters only, like Node's.
    const small = new Uint8Array(4);
    expect(enc.encodeInto("ab😀", small)).toEqual(new TextEncoder().encodeInto("ab😀", new Uint8Array(4)));
    // Invalid input: one U+FFFD per maximal invalid subpart, as the WHATWG decoder.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from({ length: 1 + (i % 9) }, () => (i % 3 === 0 ? next() : 0x80 | (next() & 0x7f)));
      expect(dec.decode(bytes)).toBe(new TextDecoder().decode(bytes));
    }
    expect(() => new SandboxTextDecoder("utf-8", { fatal: true }).decode(Uint8Array.of(0xff))).toThrow(TypeError);
  });
});
