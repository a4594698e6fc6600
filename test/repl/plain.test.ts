// `… | flowbook repl`: the plain line REPL, run as the CLI (from sources) with a pipe for stdin.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function repl(input: string) {
  const env = { ...process.env, FLOWBOOK_REPL_HISTORY: "/dev/null" };
  delete env.CI;
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "repl"], { cwd: root, input, env, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe("the plain REPL (stdin not a terminal)", () => {
  it("runs multi-line inputs when complete, prints values and tables as text, exits 0", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repl-plain-"));
    const r = repl(
      [
        "function twice(n: number) {",
        "  return n * 2",
        "}",
        "twice(21)",
        'const p = Pipeline.create()',
        'const nums = p.apply(Create.of(1, 2, 3)).apply(MapElements.via((n: number) => twice(n)))',
        "await show(nums)",
        `.save ${dir}/s.ts`,
      ].join("\n") + "\n",
    );
    // Only the run's progress, as its last line, on stderr; stdout has what the inputs showed.
    expect(r.err).toMatch(/^✓ direct · done in [^\n]*\n$/);
    expect(r.out).not.toContain("✓");
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^42$/m);
    for (const n of ["2", "4", "6"]) expect(r.out).toMatch(new RegExp(`^\\s*${n}\\s*$`, "m"));
    expect(r.out).not.toMatch(/\x1b\[/);
    expect(fs.readFileSync(`${dir}/s.ts`, "utf8")).toContain("function twice(n: number) {\n  return n * 2\n}\n\ntwice(21)");
    // The saved inputs are a script `flowbook run` accepts, doing what the inputs did.
    const env = { ...process.env };
    delete env.CI;
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "run", `${dir}/s.ts`], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    for (const n of ["2", "4", "6"]) expect(run.stdout).toMatch(new RegExp(`^\\s*${n}\\s*$`, "m"));
  }, 180_000);

  it("shows an error at its line and exits 1 when an input failed, running the inputs after it", () => {
    const r = repl("const a = 1\nnull.boom\na + 1\n");
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/TypeError: Cannot read properties of null[\s\S]*1 \| null\.boom/);
    expect(r.out).toMatch(/^2$/m);
  }, 120_000);
});
