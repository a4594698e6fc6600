/**
 * Issue 12, point 9: an impossible output path (`TextIO.write().to("/proc/x/res")`) hung the
 * local runner forever (Node's recursive mkdir loops on /proc, where mkdir says ENOENT under a
 * directory that exists, in a libuv thread no signal stops). Now the path is refused when the
 * write is applied, naming the transform and the path, and a run of a graph that names such a
 * path anyway (read back from JSON, so no apply-time check ran) fails fast at the writer, again
 * naming both. Each case runs in its own process, killed if it takes longer than the limit.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const api = pathToFileURL(path.join(repo, "src/index.ts")).href;
/** The process is killed after this long (a hang); the verdict needs the failure itself within FAST_MS. */
const KILL_MS = 30_000;
const FAST_MS = 5_000;

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "flowbook-outpath-"));
  writeFileSync(path.join(dir, "afile"), "not a directory\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  phase: "apply" | "run" | "done";
  ms: number;
  name?: string;
  message?: string;
}

/** Runs `body` (which builds pipeline `p` from the API `F`) in a new process; its outcome, or "hung". */
/** A path and every directory above it. */
function ancestors(p: string): string[] {
  const out = [p];
  while (path.dirname(out[out.length - 1]!) !== out[out.length - 1]) out.push(path.dirname(out[out.length - 1]!));
  return out;
}

function runCase(body: string, asUser?: number): Promise<Outcome | "hung"> {
  const file = path.join(dir, `case-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(
    file,
    [
      `import * as F from ${JSON.stringify(api)};`,
      "const out = (o: unknown) => { process.stdout.write('OUTCOME ' + JSON.stringify(o) + '\\n'); process.exit(0); };",
      "let phase = 'apply';",
      "const t0 = Date.now();",
      "try {",
      body,
      "  phase = 'run';",
      "  await run();",
      "  out({ phase: 'done', ms: Date.now() - t0 });",
      "} catch (e) {",
      "  out({ phase, ms: Date.now() - t0, name: (e as Error).name, message: (e as Error).message });",
      "}",
    ].join("\n"),
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", tsx, file], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1", ...(asUser !== undefined ? { HOME: dir } : {}) },
      ...(asUser !== undefined ? { uid: asUser, gid: asUser } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), KILL_MS);
    child.on("close", () => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith("OUTCOME "));
      if (!line && stderr) console.error(stderr);
      resolve(line ? (JSON.parse(line.slice(8)) as Outcome) : "hung");
    });
  });
}

const applyWrite = (sink: string) => `
  const p = F.Pipeline.create({ inProcess: true });
  p.apply("Lines", F.Create.of("a", "b")).apply("Write", ${sink});
  const run = () => p.run().waitUntilFinish();
`;

/** A graph whose sink prefix was changed in its JSON form: no apply-time check ran. */
const runGraphWith = (prefix: string, options: string, sink = 'F.TextIO.write().to(' + JSON.stringify(path.join(tmpdir(), "unused", "res")) + ')') => `
  const p = F.Pipeline.create(${options});
  p.apply("Lines", F.Create.of("a", "b")).apply("Write", ${sink});
  const g = JSON.parse(JSON.stringify(p.toJSON()));
  for (const t of Object.values(g.transforms) as any[]) if (t.payload && typeof t.payload.prefix === "string") t.payload.prefix = ${JSON.stringify(prefix)};
  const q = F.Pipeline.fromJSON(g, ${options});
  const run = () => q.run().waitUntilFinish();
`;

describe("an impossible output path is refused when the write is applied, naming the transform and the path", () => {
  it("TextIO.write().to('/proc/x/res') (a directory that cannot be created under /proc)", async () => {
    const o = await runCase(applyWrite('F.TextIO.write().to("/proc/x/res")'));
    expect(o).not.toBe("hung");
    const r = o as Outcome;
    expect(r.phase).toBe("apply");
    expect(r.name).toBe("TransformApplicationError");
    expect(r.message).toContain("'Write'");
    expect(r.message).toContain("/proc/x/res");
    expect(r.message).toMatch(/\/proc is a proc filesystem/);
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it("AvroIO.write under a regular file", async () => {
    const under = path.join("afile", "sub", "users");
    const o = (await runCase(applyWrite(`F.AvroIO.write("string").to(${JSON.stringify(under)})`))) as Outcome;
    expect(o.phase).toBe("apply");
    expect(o.message).toContain("'Write'");
    expect(o.message).toContain(path.join(dir, "afile"));
    expect(o.message).toMatch(/is not a directory/);
  });

  it("a directory that exists and is writable is accepted, and so is one to be created", async () => {
    const o = (await runCase(applyWrite(`F.TextIO.write().to(${JSON.stringify(path.join("new", "deeper", "res"))}).withoutSharding()`))) as Outcome;
    expect(o).toMatchObject({ phase: "done" });
  });
});

describe("a run whose graph names such a path fails fast at the writer (no hang), naming the transform and the path", () => {
  for (const [label, options] of [["in process", "{ inProcess: true }"], ["on worker threads", "{ parallelism: 2 }"]] as const) {
    it(`TextIO, ${label}`, async () => {
      const o = await runCase(runGraphWith("/proc/x/res", options));
      expect(o).not.toBe("hung");
      const r = o as Outcome;
      expect(r.phase).toBe("run");
      expect(r.message).toContain("'Write'");
      expect(r.message).toContain("/proc/x/res");
      expect(r.ms).toBeLessThan(FAST_MS);
    });
  }

  it.skipIf(process.getuid?.() !== 0)("a directory the user may not write into (run as nobody): fails at the writer at once", async (ctx) => {
    // nobody runs the repository's code: a checkout under a directory only root may enter
    // (a clone in `mktemp -d`) cannot be run as nobody, whatever the code does.
    const blocked = ancestors(repo).find((d) => (statSync(d).mode & 0o001) === 0);
    ctx.skip(blocked !== undefined, `the checkout is below ${blocked}, which only its owner may enter, so nobody cannot run its code`);
    const { chmodSync, mkdirSync } = await import("node:fs");
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, "readonly"), { mode: 0o555 });
    chmodSync(path.join(dir, "readonly"), 0o555);
    const target = path.join(dir, "readonly", "sub", "res");
    const o = await runCase(applyWrite(`F.TextIO.write().to(${JSON.stringify(target)})`), 65534);
    expect(o).not.toBe("hung");
    const r = o as Outcome;
    expect(r.phase).toBe("run");
    expect(r.message).toContain("'Write'");
    expect(r.message).toContain(`cannot create directory ${path.join(dir, "readonly", "sub")} (EACCES)`);
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it("AvroIO, in process", async () => {
    const o = await runCase(runGraphWith("/proc/x/users", "{ inProcess: true }", 'F.AvroIO.write("string").to(' + JSON.stringify(path.join(tmpdir(), "unused", "u")) + ")"));
    expect(o).not.toBe("hung");
    expect((o as Outcome).phase).toBe("run");
    expect((o as Outcome).message).toContain("/proc/x/users");
    expect((o as Outcome).ms).toBeLessThan(FAST_MS);
  });
});

describe("SinkImpl.check: what a runner calls for each sink when a run starts", () => {
  it("the file sinks refuse an impossible location without creating anything, naming the transform and the path", async () => {
    const { sinkFor } = await import("../../src/io/registry.js");
    await import("../../src/io/index.js");
    const text = sinkFor("flowbook:transform:textio_write:v1")!;
    const avro = sinkFor("flowbook:transform:avroio_write:v1")!;
    const payload = (prefix: string) => ({ prefix, suffix: "", numShards: 0, shardTemplate: "-SSSSS-of-NNNNN" });
    await expect(text.check!(payload("/proc/x/res"), { transform: "Out/Write" })).rejects.toThrow(/^TextIO\.Write 'Out\/Write' cannot write to \/proc\/x\/res: \/proc is a proc filesystem/);
    await expect(avro.check!(payload(path.join(dir, "afile", "u")), { transform: "W" })).rejects.toThrow(/AvroIO\.Write 'W' cannot write to .*afile is not a directory/);
    await expect(text.check!(payload(path.join(dir, "to", "be", "made", "res")), { transform: "W" })).resolves.toBeUndefined();
    const { existsSync } = await import("node:fs");
    expect(existsSync(path.join(dir, "to"))).toBe(false);
  });
});
