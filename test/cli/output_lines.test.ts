/**
 * Issue 12, point 1: `flowbook run a.ts | wc -l` printed 57 282 of 100 000 lines (and with
 * two ConsoleIO branches, one branch only): the process exited before the worker threads'
 * stdout reached it. Each script here runs as a user runs it — a separate `node` process on
 * the CLI, its stdout a pipe — and every line must come out, exactly once.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const dir = mkdtempSync(path.join(tmpdir(), "flowbook-cli-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 100_000;

/** `flowbook run FILE` with stdout piped; resolves with the lines it printed. */
function run(name: string, script: string): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  writeFileSync(path.join(dir, name), script);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", tsx, path.join(repo, "src/cli/main.ts"), "run", name], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      resolve({ code, lines: text.split("\n").slice(0, -1), stderr });
    });
  });
}

const numbers = `Array.from({ length: ${N} }, (_, i) => i)`;

function expectEach(lines: string[], prefix: string): void {
  const mine = lines.filter((l) => l.startsWith(prefix));
  expect(mine).toHaveLength(N);
  expect(new Set(mine).size).toBe(N);
}

describe("flowbook run, stdout piped: every line printed by the pipeline comes out", () => {
  it(`ConsoleIO.write() of ${N} elements`, async () => {
    const r = await run("one.ts", `const p = Pipeline.create();\np.apply(Create.of(...${numbers})).apply(ConsoleIO.write({ prefix: "n " }));\nawait p.run().waitUntilFinish();\n`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(N);
    expectEach(r.lines, "n ");
  });

  it("two ConsoleIO branches both print everything", async () => {
    const r = await run(
      "two.ts",
      `const p = Pipeline.create();\nconst nums = p.apply(Create.of(...${numbers}));\nnums.apply("A", ConsoleIO.write({ prefix: "a " }));\nnums.apply("B", ConsoleIO.write({ prefix: "b " }));\nawait p.run().waitUntilFinish();\n`,
    );
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2 * N);
    expectEach(r.lines, "a ");
    expectEach(r.lines, "b ");
  });

  it("console.log in a DoFn, not awaited by the script", async () => {
    const r = await run("log.ts", `const p = Pipeline.create();\np.apply(Create.of(...${numbers})).apply("Log", MapElements.via((x: number) => { console.log("x " + x); return x; }));\np.run();\n`);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(N);
    expectEach(r.lines, "x ");
  });
});
