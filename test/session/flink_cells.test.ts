/**
 * A pipeline built across five notebook cells runs on a real Flink cluster (started here,
 * port 18097) exactly as it runs on the local runner: its functions travel with the
 * values they captured from earlier cells.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession, type CellResult } from "../../src/session/session.js";
import { startTestCluster, type TestCluster } from "../runners/flink/fixture.js";

const PORT = Number(process.env.FLOWBOOK_SESSION_FLINK_TEST_PORT ?? 18097);
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster(PORT, 2);
}, 600_000);
afterAll(async () => {
  await cluster?.stop();
}, 60_000);

const NOTEBOOK = [
  "const p = Pipeline.create();",
  "const stop = new Set(['the', 'a']);\nconst minLength = 2;",
  "function normalize(w: string): string {\n  return w.toLowerCase().replace(/[^a-z]/g, '');\n}\nclass KeepWords extends DoFn<string, string> {\n  processElement(c: ProcessContext<string, string>) {\n    for (const w of c.element().split(/\\s+/)) {\n      const n = normalize(w);\n      if (n.length >= minLength && !stop.has(n)) c.output(n);\n    }\n  }\n}",
  "const lines = p.apply('Lines', Create.of('The cat sat', 'a cat, THE dog!', 'Dog days'));\nconst words = lines.apply('Keep', ParDo.of(new KeepWords()));\nconst counts = words.apply(Count.perElement());",
  "counts.apply('Format', MapElements.via((kv: KV<string, number>) => `${kv.key}=${kv.value}`)).apply('Write', TextIO.write().to(OUT));\nawait p.run().waitUntilFinish();",
  // collect() brings a PCollection back from the runner (through REST on Flink).
  "const collected = (await collect(counts)).map((kv) => `${kv.key}=${kv.value}`).sort();\nrequire('node:fs').writeFileSync(OUT + '.collected', collected.join('\\n'));",
];

async function runNotebook(pipelineOptions: Record<string, unknown>): Promise<string[]> {
  const out = mkdtempSync(join(tmpdir(), "flowbook-session-flink-"));
  const s = createSession({ typeCheck: "off", pipelineOptions, stdout: () => undefined, stderr: () => undefined });
  try {
    const cells = [`const OUT = ${JSON.stringify(join(out, "counts"))};`, ...NOTEBOOK];
    for (const c of cells) {
      const r: CellResult = await s.execute(c);
      if (r.status !== "ok") throw new Error(r.error!.traceback.join("\n"));
    }
  } finally {
    await s.dispose();
  }
  expect(readFileSync(join(out, "counts.collected"), "utf8").split("\n")).toEqual(["cat=2", "days=1", "dog=2", "sat=1"]);
  return readdirSync(out)
    .filter((f) => f.startsWith("counts") && !f.endsWith(".collected"))
    .flatMap((f) => readFileSync(join(out, f), "utf8").split("\n").filter(Boolean))
    .sort();
}

/** A module of the user's beside the notebook: its DoFn runs in Flink's Node workers by value. */
function userModuleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-session-module-"));
  writeFileSync(
    join(dir, "tagging.ts"),
    [
      'import { DoFn, type ProcessContext } from "flowbook";',
      'import { prefix } from "./settings.js";',
      "export class Tag extends DoFn<string, string> {",
      "  processElement(c: ProcessContext<string, string>) { c.output(prefix + c.element()); }",
      "}",
    ].join("\n"),
  );
  writeFileSync(join(dir, "settings.ts"), 'export const prefix = "tag:";');
  return dir;
}

describe("a notebook on Flink", () => {
  test("a DoFn from the user's own module runs on Flink as locally", async () => {
    const dir = userModuleDir();
    const run = async (pipelineOptions: Record<string, unknown>) => {
      const s = createSession({ cwd: dir, typeCheck: "off", pipelineOptions, stdout: () => undefined, stderr: () => undefined });
      try {
        const r = await s.execute('import { Tag } from "./tagging.js";\nconst p = Pipeline.create();\n(await collect(p.apply(Create.of("x", "y")).apply(ParDo.of(new Tag())))).sort()');
        if (r.status !== "ok") throw new Error(r.error!.traceback.join("\n"));
        return r.value;
      } finally {
        await s.dispose();
      }
    };
    expect(await run({ runner: "direct" })).toEqual(["tag:x", "tag:y"]);
    expect(await run(cluster.options)).toEqual(["tag:x", "tag:y"]);
  }, 300_000);


  test("runs as it runs locally", async () => {
    const local = await runNotebook({ runner: "direct" });
    expect(local).toEqual(["cat=2", "days=1", "dog=2", "sat=1"]);
    const flink = await runNotebook(cluster.options);
    expect(flink).toEqual(local);
  }, 300_000);
});
