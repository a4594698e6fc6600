/**
 * Issue 12, point 6: a script that catches its pipeline's failure is its own business: the
 * built CLI (`node dist/src/cli/main.js run script.ts`) exits 0 and does not print the error
 * again. A failure the script does not catch still exits 1 with the error printed once.
 * Uses the built CLI (`npm run build` first; built here when dist is missing).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode, type Finished } from "../support/processes.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(repo, "dist/src/cli/main.js");
const KILL_MS = 60_000;

type CliRun = Finished;

function flowbookRun(script: string, cwd: string): Promise<CliRun> {
  return runNode([cli, "run", script], { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, timeoutMs: KILL_MS });
}

const failingPipeline = (options: string) => [
  `const p = Pipeline.create(${options});`,
  "class Explode extends DoFn<number, number> {",
  "  processElement(c: ProcessContext<number, number>) {",
  '    if (c.element() === 2) throw new Error("boom-issue-12");',
  "    c.output(c.element());",
  "  }",
  "}",
  'p.apply(Create.of(1, 2, 3)).apply("Explode", ParDo.of(new Explode()));',
];

const scripts: Record<string, string> = {
  "caught.ts": [
    ...failingPipeline("{}"),
    "try {",
    "  await p.run().waitUntilFinish();",
    '  console.log("not reached");',
    "} catch (e) {",
    '  console.log("handled:", (e as Error).message.includes("boom-issue-12") ? "the DoFn failed" : "something else");',
    "}",
  ].join("\n"),
  "caught_then_more.ts": [
    ...failingPipeline("{ inProcess: true }"),
    'const failed = await p.run().waitUntilFinish().then(() => false, () => true);',
    "const q = Pipeline.create({ inProcess: true });",
    'q.apply(Create.of("x")).apply(MapElements.via((s: string) => s.toUpperCase()));',
    "await q.run().waitUntilFinish();",
    'console.log("first failed:", failed, "second ran");',
  ].join("\n"),
  "uncaught.ts": [...failingPipeline("{}"), "await p.run().waitUntilFinish();", 'console.log("not reached");'].join("\n"),
};

let dir = "";
beforeAll(() => {
  if (!existsSync(cli)) execFileSync("npm", ["run", "build"], { cwd: repo, stdio: "ignore", timeout: 600_000 });
  dir = mkdtempSync(path.join(tmpdir(), "flowbook-caught-"));
  for (const [name, text] of Object.entries(scripts)) writeFileSync(path.join(dir, name), text + "\n");
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("flowbook run: a pipeline failure the script catches", () => {
  it("exits 0 and does not print the error again (worker threads)", async () => {
    const r = await flowbookRun("caught.ts", dir);
    expect(r.hung).toBe(false);
    expect(r.stdout).toContain("handled: the DoFn failed");
    expect(r.stdout).not.toContain("not reached");
    expect(r.stderr).not.toContain("boom-issue-12");
    expect(r.stdout).not.toContain("boom-issue-12");
    expect(r.code).toBe(0);
  });

  it("exits 0 when a caught failure is followed by a pipeline that succeeds", async () => {
    const r = await flowbookRun("caught_then_more.ts", dir);
    expect(r.hung).toBe(false);
    expect(r.stdout).toContain("first failed: true second ran");
    expect(r.stderr).not.toContain("boom-issue-12");
    expect(r.code).toBe(0);
  });

  it("one it does not catch: exit 1, the error printed once, naming the transform and the script's line", async () => {
    const r = await flowbookRun("uncaught.ts", dir);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("not reached");
    expect(r.stderr.split("Error: boom-issue-12").length - 1).toBe(1);
    expect(r.stderr).toContain("Explode");
    expect(r.stderr).toContain("uncaught.ts:4");
  });
});
