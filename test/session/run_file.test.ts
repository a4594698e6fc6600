import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { runFile } from "../../src/session/run_file.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => path.relative(process.cwd(), path.join(here, "fixtures", name));

async function run(file: string, args: string[] = [], extra: Parameters<typeof runFile>[1] = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runFile(file, { args, stdout: (t) => out.push(t), stderr: (t) => err.push(t), ...extra });
  return { code, out: out.join(""), err: err.join("") };
}

describe("runFile", () => {
  test("an error points at the script's own name and line", async () => {
    const r = await run(fixture("failing_script.ts"), ["oops"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("hello 2 oops true\n");
    expect(r.err).toContain("Error: bad input: oops");
    expect(r.err).toContain(`    at ${fixture("failing_script.ts")}:9:7`);
    expect(r.err).toContain("9 | throw new Error(`bad input: ${args[0]}`);");
    expect(r.err).not.toMatch(/node:internal|session[\\/]executor/);
  });

  test("a script runs its pipeline (started, not awaited) to the end", async () => {
    const r = await run(fixture("wordcount_script.ts"), ["a b", "a"]);
    expect(r.err).toBe("");
    expect(r.out).toBe("ran with 2 args\n");
    expect(r.code).toBe(0);
  });

  test("a pipeline the script does not await fails the run even when it failed before the script ended", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowbook-unawaited-"));
    const file = path.join(dir, "unawaited.ts");
    fs.writeFileSync(
      file,
      "const p = Pipeline.create({ inProcess: true });\np.apply(Create.of(1)).apply('Boom', MapElements.via((x: number) => { throw new Error('boom ' + x); }));\np.run();\nawait new Promise((r) => setTimeout(r, 1500));\nconsole.log('script done');\n",
    );
    const r = await run(file);
    expect(r.out).toBe("script done\n");
    expect(r.err).toMatch(/Boom/);
    expect(r.err).toMatch(/boom 1/);
    expect(r.code).toBe(1);
  });

  test("a pipeline the script does not await still fails the run", async () => {
    const r = await run(fixture("wordcount_script.ts"), ["a b c", "a"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PAssert|assert/i);
  });

  test("type errors are warnings with typeCheck warn, errors with error, unchecked by default", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowbook-run-"));
    const file = path.join(dir, "typo.ts");
    fs.writeFileSync(file, "const n: string = 1;\nconsole.log(n);\n");
    const warn = await run(file, [], { typeCheck: "warn" });
    expect(warn.code).toBe(0);
    expect(warn.out).toBe("1\n");
    expect(warn.err).toMatch(/typo\.ts:1:7 - warning TS2322/);
    const error = await run(file, [], { typeCheck: "error" });
    expect(error.code).toBe(1);
    expect(error.out).toBe("");
    expect(error.err).toMatch(/typo\.ts:1:7 - error TS2322/);
    const off = await run(file);
    expect(off.err).toBe("");
  });

  test("a missing file", async () => {
    const r = await run("no/such/file.ts");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read/);
  });
});
