/**
 * The built CLI's worker threads load flowbook as one bundle (scripts/bundle-workers.mjs,
 * part of `npm run build`): a quarter second less of start-up per thread (issue 13, point 5).
 * In the bundle every flowbook module shares one file, so its frames must still be told from
 * the user's: an error in a DoFn points at the script's line, with no frame of the bundle.
 * Uses the built CLI (`npm run build` first; built here when dist is missing).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode } from "../support/processes.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(repo, "dist/src/cli/main.js");
const bundle = path.join(repo, "dist/src/runners/direct/worker_main.bundle.mjs");

const scripts: Record<string, string> = {
  // Prints a stack from inside a DoFn: its callers are the worker's own frames.
  "where.ts": [
    "const p = Pipeline.create({ parallelism: 2 });",
    "class Where extends DoFn<number, number> {",
    "  processElement(c: ProcessContext<number, number>) {",
    '    if (c.element() === 1) console.log("stack:", new Error("here").stack);',
    "    c.output(c.element());",
    "  }",
    "}",
    'p.apply(Create.of(1, 2, 3)).apply("Where", ParDo.of(new Where()));',
    "await p.run().waitUntilFinish();",
  ].join("\n"),
  "boom.ts": [
    "const p = Pipeline.create({ parallelism: 2 });",
    "class Explode extends DoFn<number, number> {",
    "  processElement(c: ProcessContext<number, number>) {",
    '    if (c.element() === 2) throw new Error("boom-bundled");',
    "    c.output(c.element());",
    "  }",
    "}",
    'p.apply(Create.of(1, 2, 3)).apply("Explode", ParDo.of(new Explode()));',
    "await p.run().waitUntilFinish();",
  ].join("\n"),
};

let dir = "";
beforeAll(() => {
  if (!existsSync(cli) || !existsSync(bundle)) execFileSync("npm", ["run", "build"], { cwd: repo, stdio: "ignore", timeout: 600_000 });
  dir = mkdtempSync(path.join(tmpdir(), "flowbook-bundled-"));
  for (const [name, text] of Object.entries(scripts)) writeFileSync(path.join(dir, name), text + "\n");
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (script: string) => runNode([cli, "run", script], { cwd: dir, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, timeoutMs: 60_000 });

describe("flowbook run's worker threads (the built CLI)", () => {
  it("run the bundled worker", async () => {
    const r = await run("where.ts");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("stack:");
    expect(r.stdout).toContain("worker_main.bundle.mjs");
  });

  it("point a DoFn's error at the script's line, with no frame of the bundle", async () => {
    const r = await run("boom.ts");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error in transform 'Explode' while processing element 2");
    expect(r.stderr).toContain("at Explode.processElement (boom.ts:4:");
    expect(r.stderr).not.toContain("bundle.mjs");
    expect(r.stderr).not.toContain("dist/src");
  });
});
