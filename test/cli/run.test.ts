/**
 * `flowbook run FILE.ts` end to end, as a user runs it: a separate `node` process on the
 * CLI entry point, a script on disk with the API preloaded. A pipeline script runs and exits;
 * errors point at the script's own file and line.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Longest a script may take (the machine may be busy); a script that printed its last line gets EXIT_GRACE_MS to exit. */
const TIMEOUT_MS = 40_000;
const EXIT_GRACE_MS = 5_000;
// `node --import tsx src/cli/main.ts`, with tsx found from the repository (the scripts' directory has none).
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Killed: still running EXIT_GRACE_MS after printing `lastLine`, or after TIMEOUT_MS. */
  hung: boolean;
}

function flowbook(args: string[], cwd: string, lastLine?: string, timeout = TIMEOUT_MS): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", tsx, path.join(repo, "src/cli/main.ts"), ...args], { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    let hung = false;
    const kill = () => {
      hung = true;
      child.kill("SIGKILL");
    };
    let grace: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d) => {
      stdout += d;
      if (lastLine !== undefined && !grace && stdout.includes(lastLine)) grace = setTimeout(kill, EXIT_GRACE_MS);
    });
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(kill, timeout);
    child.on("close", (code) => {
      clearTimeout(timer);
      clearTimeout(grace);
      resolve({ code, stdout, stderr, hung });
    });
  });
}

let dir = "";
const scripts: Record<string, string> = {
  // Line numbers matter below: the tests name them.
  "wordcount.ts": [
    "// Counts the words of the files matching args[0] into the file args[1].",
    "const [input, output] = args;",
    "const p = Pipeline.create();",
    'p.apply("Read", TextIO.read().from(input!))',
    '  .apply("Split", FlatMapElements.via((l: string) => l.split(/\\s+/).filter(Boolean)))',
    "  .apply(Count.perElement())",
    '  .apply("Format", MapElements.via((kv: KV<string, number>) => `${kv.key}=${kv.value}`))',
    "  .apply(TextIO.write().to(output!).withoutSharding());",
    "await p.run().waitUntilFinish();",
    'console.log("wrote", output);',
  ].join("\n"),
  "throwing_dofn.ts": [
    "const p = Pipeline.create({ inProcess: true });",
    "class ParseFn extends DoFn<string, number> {",
    "  processElement(c: ProcessContext<string, number>) {",
    "    const n = Number(c.element());",
    "    if (Number.isNaN(n)) throw new Error(`not a number: ${c.element()}`);",
    "    c.output(n);",
    "  }",
    "}",
    'p.apply(Create.of("1", "x2")).apply("Parse", ParDo.of(new ParseFn()));',
    "await p.run().waitUntilFinish();",
  ].join("\n"),
  "bad_argument.ts": [
    "const p = Pipeline.create({ inProcess: true });",
    "const nums = p.apply(Create.of(1, 2));",
    "",
    'nums.apply("Bad", ParDo.of(42 as never));',
  ].join("\n"),
  "socket.ts": [
    'import * as net from "node:net";',
    "const conn = new net.Socket();",
    "const p = Pipeline.create({ inProcess: true });",
    'p.apply(Create.of("a")).apply("Send", MapElements.via((s: string) => { conn.write(s); return s; }));',
    "try {",
    "  p.run();",
    "} finally {",
    "  conn.destroy();",
    "}",
  ].join("\n"),
  "not_awaited.ts": [
    "const p = Pipeline.create({ inProcess: true });",
    'p.apply(Create.of(1, 2, 3)).apply("Boom", MapElements.via((n: number) => {',
    '  if (n === 3) throw new RangeError("three is too many");',
    "  return n;",
    "}));",
    "p.run();",
    'console.log("started");',
  ].join("\n"),
  "small_pipeline.ts": [
    "const p = Pipeline.create();",
    'PAssert.that(p.apply(Create.of(1)).apply("Ok", MapElements.via((n: number) => n + 1))).containsInAnyOrder(2);',
    "await p.run().waitUntilFinish();",
    'console.log("finished");',
  ].join("\n"),
};
const runs = new Map<string, CliRun>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "flowbook-cli-"));
  for (const [name, text] of Object.entries(scripts)) writeFileSync(path.join(dir, name), text + "\n");
  writeFileSync(path.join(dir, "a.txt"), "the cat\nthe dog\n");
  writeFileSync(path.join(dir, "b.txt"), "a cat\n");
  // The scripts run side by side: each is its own process.
  // Scripts are given by absolute path; most run from the repository, some from the scripts' own directory.
  const at = (name: string) => path.join(dir, name);
  const jobs: Array<[string, string[], string, string?, number?]> = [
    ["wordcount", ["run", at("wordcount.ts"), "--", at("*.txt"), at("counts.out")], repo, "wrote"],
    ["wordcount_elsewhere", ["run", "wordcount.ts", "--", at("*.txt"), at("counts2.out")], dir, "wrote"],
    ["throwing_dofn", ["run", at("throwing_dofn.ts")], repo],
    ["bad_argument", ["run", at("bad_argument.ts")], repo],
    ["socket", ["run", at("socket.ts")], repo],
    ["not_awaited", ["run", at("not_awaited.ts")], repo],
    ["small_pipeline", ["run", at("small_pipeline.ts")], repo, "finished"],
    ["missing", ["run", "no_such_script.ts"], dir],
    ["help", ["help"], dir],
  ];
  // Each script is its own process; they run side by side.
  const results = await Promise.all(jobs.map(([, args, cwd, lastLine, timeout]) => flowbook(args, cwd, lastLine, timeout)));
  jobs.forEach(([name], i) => runs.set(name, results[i]!));
}, TIMEOUT_MS + 10_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = (name: string) => runs.get(name)!;

describe("flowbook run FILE.ts", () => {
  it("runs a script's pipeline (API preloaded, arguments after --) and writes its output", () => {
    const r = get("wordcount");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`wrote ${path.join(dir, "counts.out")}\n`);
    expect(readFileSync(path.join(dir, "counts.out"), "utf8").trim().split("\n").sort()).toEqual(["a=1", "cat=2", "dog=1", "the=2"]);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(0);
  });

  it("runs from the script's own directory (outside the repository) too, with a relative script path", () => {
    const r = get("wordcount_elsewhere");
    expect(r.stderr).toBe("");
    expect(readFileSync(path.join(dir, "counts2.out"), "utf8").trim().split("\n").sort()).toEqual(["a=1", "cat=2", "dog=1", "the=2"]);
    expect(r.code).toBe(0);
  });

  it("exits when the script is done, also when its pipeline kept some worker threads idle", () => {
    const r = get("small_pipeline");
    expect(r.stdout).toBe("finished\n");
    expect(r.hung).toBe(false);
    expect(r.code).toBe(0);
  });

  it("a DoFn that throws: exit code 1, the transform, the element, and the script's file and line", () => {
    const r = get("throwing_dofn");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error in transform 'Parse' while processing element 'x2'");
    expect(r.stderr).toContain("Error: not a number: x2");
    expect(r.stderr).toMatch(/throwing_dofn\.ts:5:\d+/);
    expect(r.stderr).toContain("5 |     if (Number.isNaN(n)) throw new Error(`not a number: ${c.element()}`);");
  });

  it("the error shows the script's frames, not the runner's", () => {
    const r = get("throwing_dofn");
    expect(r.stderr).toMatch(/throwing_dofn\.ts:5/);
    expect(r.stderr).not.toMatch(/src[\\/]runners[\\/]|node:internal/);
  });

  it("a bad argument to a transform: the message and the script's line", () => {
    const r = get("bad_argument");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ParDo.of needs a DoFn or a function (element, c) => void, got number");
    expect(r.stderr).toMatch(/bad_argument\.ts:4:\d+/);
    expect(r.stderr).toContain('4 | nums.apply("Bad", ParDo.of(42 as never));');
  });

  it("a captured socket is refused at run(), naming the variable, the transform and the script's line", () => {
    const r = get("socket");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Cannot send transform 'Send' to the runner: captured variable 'conn' is a net.Socket");
    expect(r.stderr).toMatch(/socket\.ts:6:\d+/);
  });

  it("a pipeline started and not awaited still fails the run when it fails", () => {
    const r = get("not_awaited");
    expect(r.stdout).toBe("started\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error in transform 'Boom' while processing element 3");
    expect(r.stderr).toMatch(/RangeError: three is too many[\s\S]*not_awaited\.ts:3:\d+/);
  });

  it("a missing script and the help text", () => {
    const missing = get("missing");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read no_such_script\.ts/);
    const help = get("help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("flowbook run FILE.ts");
  });
});
