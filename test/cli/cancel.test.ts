/**
 * Issue 13, point 6, as a user meets it: Ctrl-C (SIGINT) on `flowbook run` of a long local
 * pipeline ends the process within a second — a DoFn that never yields included — with exit code
 * 130, and leaves nothing under the output's final name, nor its temporary files. SIGTERM
 * (issue 12, point 5) the same, with exit code 143.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const dir = mkdtempSync(path.join(tmpdir(), "flowbook-cli-cancel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = path.join(dir, "input.txt");
writeFileSync(input, Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join("\n") + "\n");

const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const script = (beat: string, out: string, forever: boolean) => `
import { appendFileSync } from "node:fs";
class Slow extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>) {
    appendFileSync(${JSON.stringify(beat)}, ".");
    const until = Date.now() + 2;
    while (${forever} || Date.now() < until) {}
    c.output(c.element());
  }
}
const p = Pipeline.create({ parallelism: 2 });
p.apply(TextIO.read().from(${JSON.stringify(input)})).apply("Slow", ParDo.of(new Slow())).apply(TextIO.write().to(${JSON.stringify(path.join(out, "part"))}));
await p.run().waitUntilFinish();
console.log("finished");
`;

describe("Ctrl-C (and SIGTERM) on flowbook run of a long local pipeline", () => {
  for (const [signal, exitCode] of [["SIGINT", 130], ["SIGTERM", 143]] as const)
  for (const forever of [false, true]) {
    it(`${signal}: exits ${exitCode} within a second (a DoFn that ${forever ? "never returns" : "busy-waits per element"}); nothing under the final name, no temporary files`, async () => {
      const name = `slow-${signal}-${forever}.ts`;
      const beat = path.join(dir, `beat-${signal}-${forever}`);
      const out = path.join(dir, `out-${signal}-${forever}`);
      writeFileSync(path.join(dir, name), script(beat, out, forever));
      const child = spawn(process.execPath, ["--import", tsx, path.join(repo, "src/cli/main.ts"), "run", name], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on("exit", (code) => resolve({ code, at: performance.now() })));
      const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      try {
        const end = Date.now() + 40_000;
        while (size(beat) === 0 && Date.now() < end) await sleep(20);
        expect(size(beat)).toBeGreaterThan(0);
        await sleep(1000);
        const t0 = performance.now();
        child.kill(signal);
        const { code, at } = await Promise.race([exited, sleep(5000).then(() => ({ code: -1, at: performance.now() }))]);
        expect(at - t0, `exit after ${signal}; stderr: ${stderr}`).toBeLessThan(1000);
        expect(code).toBe(exitCode);
        // Ctrl-C interrupts the script too; SIGTERM cancels its runs, and a script awaiting one
        // is told it ended CANCELLED (Beam's waitUntilFinish) before the process exits.
        if (signal === "SIGINT") expect(stdout).not.toContain("finished");
        // No worker of it goes on (they were threads of the process): the heartbeat stands still.
        const after = size(beat);
        await sleep(300);
        expect(size(beat)).toBe(after);
        expect(existsSync(out) ? readdirSync(out, { recursive: true }).map(String) : []).toEqual([]);
      } finally {
        clearTimeout(killer);
        child.kill("SIGKILL");
      }
    });
  }
});
