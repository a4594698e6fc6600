/**
 * Users' output and the process's own streams, seen from outside (a separate Node process
 * running a plain script that imports flowbook): with a listener, DoFns' and ConsoleIO's
 * output reaches the listener only, nothing the process's stdout or stderr; with none,
 * it is printed, all of it, before the script's own line after waitUntilFinish().
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runNode, type Finished } from "../../support/processes.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const api = pathToFileURL(path.join(repo, "src/index.ts")).href;
const dir = mkdtempSync(path.join(tmpdir(), "flowbook-run-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function node(script: string, args: string[] = []): Promise<Finished> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, script);
  return runNode(["--import", tsx, file, ...args], { cwd: dir });
}

// One pipeline printing through console.log/error, process.stdout.write and ConsoleIO.
const pipeline = `
import { ConsoleIO, Create, MapElements, Pipeline } from ${JSON.stringify(api)};
export function build(options: Record<string, unknown>) {
  const p = Pipeline.create(options);
  p.apply(Create.of(...Array.from({ length: 200 }, (_, i) => i)))
    .apply("Loud", MapElements.via((x: number) => {
      console.log("log " + x);
      console.error("err " + x);
      process.stdout.write("write " + x + "\\n");
      return x;
    }))
    .apply("Print", ConsoleIO.write({ prefix: "io " }));
  return p;
}
`;

describe("users' output and the process's streams", () => {
  writeFileSync(path.join(dir, "pipeline.mts"), pipeline);

  it("with a listener, nothing reaches the process's stdout or stderr (worker threads and in process)", async () => {
    const out = path.join(dir, "events.json");
    const { code, stdout, stderr } = await node(
      `
import { writeFileSync } from "node:fs";
import { build } from "./pipeline.mts";
const texts: string[] = [];
for (const inProcess of [false, true]) {
  const r = build({ inProcess }).run();
  r.onEvent!((e) => { if (e.kind === "output") texts.push(e.stream + ":" + e.text); });
  await r.waitUntilFinish();
}
writeFileSync(process.argv[2]!, JSON.stringify(texts));
`,
      [out],
    );
    expect(stderr).toBe("");
    expect(stdout).toBe("");
    expect(code).toBe(0);
    const text = (JSON.parse(readFileSync(out, "utf8")) as string[]).join("");
    for (const what of ["log", "write", "io"]) expect(text.match(new RegExp(`^(stdout:)?${what} \\d+$`, "gm"))?.length, what).toBe(400);
    expect(text.match(/^(stderr:)?err \d+$/gm)?.length).toBe(400);
  });

  it("output printed after its run finished (a timer a DoFn left) is printed by the process, not lost", async () => {
    const { code, stdout } = await node(`
import { Create, MapElements, Pipeline } from ${JSON.stringify(api)};
for (const inProcess of [false, true]) {
  const p = Pipeline.create({ inProcess, parallelism: 1 });
  p.apply(Create.of(String(inProcess))).apply("Later", MapElements.via((x: string) => {
    setTimeout(() => console.log("late " + x), 300);
    return x;
  }));
  const r = p.run();
  const seen: string[] = [];
  r.onEvent!((e) => void (e.kind === "output" && seen.push(e.text)));
  await r.waitUntilFinish();
  if (seen.length) throw new Error("output before the timer fired: " + seen.join(""));
  await new Promise((resolve) => setTimeout(resolve, 800));
}
`);
    expect(code).toBe(0);
    expect(stdout).toBe("late false\nlate true\n");
  });

  it("without one, all of it is printed to the process's streams, before the script's next line", async () => {
    const { code, stdout, stderr } = await node(`
import { build } from "./pipeline.mts";
for (const inProcess of [false, true]) {
  await build({ inProcess }).run().waitUntilFinish();
  console.log("after " + inProcess);
}
`);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines.pop()).toBe("");
    const after = [lines.indexOf("after false"), lines.indexOf("after true")];
    expect(after[0]).toBe(600);
    expect(after[1]).toBe(1201);
    for (const [from, to] of [[0, 600], [601, 1201]] as const) {
      const part = lines.slice(from, to);
      for (const what of ["log", "write", "io"]) expect(part.filter((l) => l.startsWith(what + " ")).length, what).toBe(200);
    }
    expect(stderr.split("\n").filter((l) => /^err \d+$/.test(l))).toHaveLength(400);
  });
});
