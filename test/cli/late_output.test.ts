/**
 * Issue 12, point 3, as a user meets it: `flowbook run` of a script whose DoFn outputs from a
 * timer after its bundle ended (or whose timer throws). The process exits 1 and says which DoFn
 * did what; nothing is written under the output's final name.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runNode, type Finished } from "../support/processes.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const dir = mkdtempSync(path.join(tmpdir(), "flowbook-cli-late-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(name: string, script: string): Promise<Finished> {
  writeFileSync(path.join(dir, name), script);
  return runNode(["--import", tsx, path.join(repo, "src/cli/main.ts"), "run", name], { cwd: dir });
}

const script = (what: string, out: string, options: string) => `
class KeepsContext extends DoFn<number, number> {
  kept: { output(x: number): void } | undefined;
  processElement(c: ProcessContext<number, number>) {
    this.kept = c;
    c.output(c.element());
  }
  finishBundle() {
    const kept = this.kept!;
    setTimeout(() => { ${what} }, 0);
  }
}
const p = Pipeline.create(${options});
p.apply(Create.of(1, 2, 3))
  .apply("KeepsContext", ParDo.of(new KeepsContext()))
  .apply(MapElements.via((n: number) => String(n)))
  .apply(TextIO.write().to(${JSON.stringify(out)}));
await p.run().waitUntilFinish();
console.log("finished");
`;

describe.each([
  { mode: "worker threads", options: "{ inProcess: false }" },
  { mode: "in process", options: "{ inProcess: true }" },
])("flowbook run: a DoFn's timer after its bundle ended ($mode)", ({ mode, options }) => {
  it("output() from the timer: exit 1, the message names the DoFn and says output after finishBundle is not allowed", async () => {
    const out = path.join(dir, `late-${mode.replace(/ /g, "-")}`, "out");
    const r = await run(`late-${mode.replace(/ /g, "-")}.ts`, script("kept.output(999);", out, options));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("finished");
    expect(r.stderr).toContain("Error in transform 'KeepsContext'");
    expect(r.stderr).toContain("output() called after the bundle ended");
    expect(r.stderr).toContain("after finishBundle returned");
    const d = path.dirname(out);
    expect(existsSync(d) ? readdirSync(d) : []).toEqual([]);
  });

  it("a timer that throws: exit 1, the message names the DoFn and the error", async () => {
    const out = path.join(dir, `throws-${mode.replace(/ /g, "-")}`, "out");
    const r = await run(`throws-${mode.replace(/ /g, "-")}.ts`, script('throw new Error("timer trouble");', out, options));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("finished");
    expect(r.stderr).toContain("'KeepsContext'");
    expect(r.stderr).toContain("timer trouble");
  });
});
