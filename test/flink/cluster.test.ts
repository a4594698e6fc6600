/**
 * A real Flink 2.x standalone cluster on this machine: started, inspected over REST, given the
 * native WordCount jar, and stopped. No mocks: real JVMs, real HTTP. Needs Java and Maven
 * (scripts/flink-setup.sh fetches the jars and builds the example jar; install() here is a
 * no-op once that has run).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterStatus, startCluster, stopCluster, type ClusterInfo } from "../../src/runners/flink/cluster/cluster.js";
import { installFlink, pinnedFlinkVersion } from "../../src/runners/flink/cluster/install.js";
import { clusterLayout, flowbookRoot } from "../../src/runners/flink/cluster/layout.js";
import { isProcessAlive, readPidFiles } from "../../src/runners/flink/cluster/processes.js";
import { FlinkRestClient, FlinkRestError, type JobState } from "../../src/runners/flink/rest/client.js";
import { Count, Create, KV, MapElements, Pipeline, type PCollection } from "../../src/index.js";
import "../../src/runners/flink/flink_runner.js";
import { bundleWorker, ensureBridgeJar, WORKER_BUNDLE } from "../runners/flink/fixture.js";

const execFileP = promisify(execFile);

const PORT = 18081;
const ROOT = flowbookRoot();
const JAR = join(ROOT, "flink/examples-wordcount/target/flowbook-flink-wordcount.jar");
const CLI = join(ROOT, "src/cli/flink_command.ts");
const TSX = join(ROOT, "node_modules/.bin/tsx");

/** Run the CLI as a separate process, as a user would. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(TSX, [CLI, ...args], { cwd: ROOT, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/** Java processes whose command line names this cluster's config dir (i.e. ours). */
function flinkJavaPids(confDir: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      if (cmd.includes(confDir) && isProcessAlive(Number(d))) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** Deterministic text; expected counts with the example's tokenizer (lower case, split on \W+). */
function makeCorpus(lines: number): { text: string; expected: Map<string, number> } {
  const vocab = ["the", "Quick", "brown", "fox", "jumps", "over", "lazy", "dog's", "A", "b2b", "snake_case", "Über", "end"];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = Math.floor(rnd() * 12);
    const words: string[] = [];
    for (let j = 0; j < n; j++) words.push(vocab[Math.floor(rnd() * vocab.length)]!);
    out.push(words.join(rnd() < 0.3 ? ", " : " ") + (rnd() < 0.2 ? "." : ""));
  }
  const text = out.join("\n") + "\n";
  const expected = new Map<string, number>();
  for (const line of out) {
    // Java's \W is [^a-zA-Z0-9_] (no Unicode flag), like JavaScript's.
    for (const w of line.toLowerCase().split(/\W+/)) if (w !== "") expected.set(w, (expected.get(w) ?? 0) + 1);
  }
  return { text, expected };
}

function readCounts(dir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, f);
    if (!f.endsWith(".txt") || f.startsWith(".") || f.includes("/.")) continue;
    for (const line of readFileSync(p, "utf8").split("\n")) {
      if (line === "") continue;
      const i = line.lastIndexOf(": ");
      const word = line.slice(0, i);
      expect(counts.has(word), `word ${word} appears twice in the output`).toBe(false);
      counts.set(word, Number(line.slice(i + 2)));
    }
  }
  return counts;
}

describe("local Flink cluster", () => {
  const layout = clusterLayout(undefined, PORT);
  const rest = new FlinkRestClient(PORT);
  let info: ClusterInfo;
  let work: string;
  let jarId: string | undefined;

  beforeAll(async () => {
    await installFlink({ log: (l) => console.log(l) });
    if (!existsSync(JAR)) {
      await execFileP("mvn", ["-q", "-B", "-f", join(ROOT, "flink/examples-wordcount/pom.xml"), "package"], { timeout: 600_000 });
    }
    await stopCluster({ port: PORT }); // leftovers of an interrupted run
    work = mkdtempSync(join(tmpdir(), "flowbook-flink-test-"));
    info = await startCluster({ port: PORT, slots: 2, taskManagers: 1, log: (l) => console.log(l) });
    console.log(`cluster started in ${info.startupMs} ms`);
  }, 900_000);

  afterAll(async () => {
    await stopCluster({ port: PORT });
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("reports 1 TaskManager with 2 slots over REST", async () => {
    expect(info.alreadyRunning).toBe(false);
    expect(info.flinkVersion).toBe(pinnedFlinkVersion());
    expect(info.taskManagers).toHaveLength(1);

    const st = await clusterStatus({ port: PORT });
    expect(st.running).toBe(true);
    expect(st.managed).toBe(true);
    expect(st.flinkVersion).toBe(pinnedFlinkVersion());
    expect(st.overview!.taskmanagers).toBe(1);
    expect(st.overview!["slots-total"]).toBe(2);
    expect(st.taskManagers).toHaveLength(1);
    expect(st.taskManagers![0]!.slotsNumber).toBe(2);
    expect(st.processes.filter((p) => p.alive).map((p) => p.pid).sort()).toEqual([info.jobManager.pid, info.taskManagers[0]!.pid].sort());

    const out = await cli("status", "--port", String(PORT));
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Task managers: 1");
    expect(out.stdout).toContain("Slots: 2 total");
    expect(out.stdout).toContain(st.taskManagers![0]!.id);
  });

  it("refuses to start a second cluster on the same port, saying it already runs", async () => {
    const again = await startCluster({ port: PORT, slots: 2, taskManagers: 1 });
    expect(again.alreadyRunning).toBe(true);
    expect(again.jobManager.pid).toBe(info.jobManager.pid);

    const out = await cli("start", "--port", String(PORT));
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/already running at http:\/\/localhost:18081/);
    expect(out.stdout).toContain("nothing started");
    expect(flinkJavaPids(layout.confDir).sort()).toEqual([info.jobManager.pid, info.taskManagers[0]!.pid].sort());
  }, 120_000);

  it("runs the native WordCount jar submitted over REST, with exact counts and state transitions", async () => {
    const { text, expected } = makeCorpus(3000);
    const input = join(work, "input");
    const output = join(work, "output");
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, "part-a.txt"), text.slice(0, text.indexOf("\n", text.length / 2) + 1));
    writeFileSync(join(input, "part-b.txt"), text.slice(text.indexOf("\n", text.length / 2) + 1));

    jarId = await rest.uploadJar(JAR);
    expect((await rest.listJars()).map((j) => j.id)).toContain(jarId);

    const t0 = Date.now();
    const jobId = await rest.runJar(jarId, { programArgsList: ["--input", input, "--output", output], parallelism: 2 });
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    const seen: JobState[] = [];
    const final = await rest.waitForJob(jobId, { timeoutMs: 120_000, pollMs: 50, onState: (s) => seen.push(s) });
    console.log(`WordCount: ${Date.now() - t0} ms from run to ${final}; states seen ${seen.join(" → ")}`);
    if (final !== "FINISHED") console.error(JSON.stringify(await rest.jobExceptions(jobId), null, 2));
    expect(final).toBe("FINISHED");
    expect(seen.at(-1)).toBe("FINISHED");

    // The job went through its lifecycle in order.
    const details = await rest.jobDetails(jobId);
    expect(details.name).toBe("WordCount");
    expect(details.state).toBe("FINISHED");
    const ts = details.timestamps;
    for (const s of ["INITIALIZING", "CREATED", "RUNNING", "FINISHED"] as const) expect(ts[s], s).toBeGreaterThan(0);
    expect(ts.INITIALIZING!).toBeLessThanOrEqual(ts.CREATED!);
    expect(ts.CREATED!).toBeLessThanOrEqual(ts.RUNNING!);
    expect(ts.RUNNING!).toBeLessThanOrEqual(ts.FINISHED!);
    expect(ts.FAILED ?? 0).toBe(0);
    expect(await rest.jobStatus(jobId)).toBe("FINISHED");

    const plan = await rest.jobPlan(jobId);
    expect(plan.jid).toBe(jobId);
    expect(plan.nodes.map((n) => n.description).join(" ")).toMatch(/tokenizer/);
    expect((await rest.jobExceptions(jobId)).exceptionHistory.entries).toEqual([]);
    const result = await rest.jobExecutionResult(jobId);
    expect(result.status.id).toBe("COMPLETED");
    expect(result["job-execution-result"]!["application-status"]).toBe("SUCCEEDED");
    expect(await rest.jobAccumulators(jobId)).toHaveProperty("user-task-accumulators");

    // Exact counts.
    const counts = readCounts(output);
    expect(counts.size).toBe(expected.size);
    expect(Object.fromEntries([...counts].sort())).toEqual(Object.fromEntries([...expected].sort()));

    const jobs = await rest.jobsOverview();
    expect(jobs.find((j) => j.jid === jobId)?.state).toBe("FINISHED");
    const out = await cli("status", "--port", String(PORT));
    expect(out.stdout).toMatch(/WordCount\s+FINISHED/);
  }, 180_000);

  it("surfaces Flink's own error text when a jar's main method fails", async () => {
    expect(jarId).toBeDefined();
    const err = await rest.runJar(jarId!, { programArgsList: ["--output", join(work, "x")] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlinkRestError);
    const e = err as FlinkRestError;
    expect(e.status).toBe(400);
    expect(e.message).toContain("--input <path> is required");
    expect(e.rootCause).toMatch(/IllegalArgumentException: --input <path> is required/);
    expect(e.details).toContain("JarRunHandler");
  }, 60_000);

  it("reports a job that fails at run time as FAILED, with its exceptions", async () => {
    const jobId = await rest.runJar(jarId!, { programArgsList: ["--input", join(work, "does-not-exist"), "--output", join(work, "out2")] });
    const final = await rest.waitForJob(jobId, { timeoutMs: 120_000 });
    expect(final).toBe("FAILED");
    const ex = await rest.jobExceptions(jobId);
    expect(ex.exceptionHistory.entries.length).toBeGreaterThan(0);
    expect(ex.exceptionHistory.entries.map((x) => x.stacktrace).join("\n")).toMatch(/does-not-exist|FileNotFound|No such file/);
    const result = await rest.jobExecutionResult(jobId);
    expect(result["job-execution-result"]!["application-status"]).toBe("FAILED");
  }, 180_000);

  it("cancels a running job: RUNNING → CANCELED", async () => {
    const input = join(work, "watched");
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, "a.txt"), "hello world\n");
    const jobId = await rest.runJar(jarId!, {
      programArgsList: ["--input", input, "--output", join(work, "out3"), "--discovery-interval", "0.5"],
    });
    expect(await rest.waitForJob(jobId, { until: new Set<JobState>(["RUNNING", "FAILED", "FINISHED"]), timeoutMs: 60_000 })).toBe("RUNNING");
    const seen: JobState[] = [];
    await rest.cancelJob(jobId);
    const final = await rest.waitForJob(jobId, { timeoutMs: 60_000, pollMs: 50, onState: (s) => seen.push(s) });
    expect(final).toBe("CANCELED");
    const ts = (await rest.jobDetails(jobId)).timestamps;
    expect(ts.RUNNING!).toBeGreaterThan(0);
    expect(ts.CANCELED!).toBeGreaterThanOrEqual(ts.RUNNING!);
    // Cancelling again is refused by Flink, with its text.
    const again = await rest.cancelJob(jobId).catch((e: unknown) => e);
    if (again !== undefined) expect(again).toBeInstanceOf(FlinkRestError);
  }, 120_000);

  // The cluster above has the configuration `flowbook flink start` writes (2 slots, nothing
  // overridden). Every blocking result partition of a BATCH job takes its share of network
  // buffers (Flink's sort-shuffle reserves 512 by default), and a task feeding many shuffles
  // has one partition per shuffle: with Flink's defaults this job failed with "Insufficient
  // number of network buffers". config.ts reserves fewer per partition and gives the network
  // more memory.
  it("runs a flowbook job whose one source feeds many shuffles, on the default configuration", async () => {
    bundleWorker();
    const p = Pipeline.create({
      name: "fan-out", runner: "flink", flinkMaster: `localhost:${PORT}`, flinkBridgeJar: ensureBridgeJar(),
      flinkWorkerCommand: WORKER_BUNDLE, parallelism: 2, flinkRestartAttempts: 0,
    });
    const words = p.apply("Words", Create.of("a", "b", "a", "c"));
    const outs: PCollection<string>[] = [];
    for (let b = 0; b < 16; b++) {
      outs.push(words.apply(`Count${b}`, Count.perElement())
        .apply(`Format${b}`, MapElements.via((kv: KV<string, number>) => `${kv.key}=${kv.value}`)));
    }
    const ids = outs.map((pc) => (pc as unknown as { id: string }).id);
    const result = p.run({ collect: Object.fromEntries(ids.map((id) => [id, 100])) });
    expect(await result.waitUntilFinish()).toBe("DONE");
    for (const id of ids) expect(result.collected(id)!.elements.map((e) => e.value as string).sort()).toEqual(["a=2", "b=1", "c=1"]);
  }, 300_000);

  it("deletes an uploaded jar", async () => {
    await rest.deleteJar(jarId!);
    expect((await rest.listJars()).map((j) => j.id)).not.toContain(jarId);
    const err = await rest.deleteJar(jarId!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlinkRestError);
  });

  it("stops the cluster and leaves no Flink Java process behind", async () => {
    const pids = [info.jobManager.pid, ...info.taskManagers.map((t) => t.pid)];
    expect(pids.every(isProcessAlive)).toBe(true);
    const out = await cli("stop", "--port", String(PORT));
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/Stopped TaskManager 0 \(pid \d+\), JobManager \(pid \d+\)/);
    for (const pid of pids) expect(isProcessAlive(pid), `pid ${pid}`).toBe(false);
    expect(flinkJavaPids(layout.confDir)).toEqual([]);
    expect(readPidFiles(layout)).toEqual([]);

    const st = await cli("status", "--port", String(PORT));
    expect(st.code).toBe(3);
    expect(st.stdout).toContain("No Flink cluster is running on port 18081");
    const again = await cli("stop", "--port", String(PORT));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No Flink cluster of this home was running");
  }, 120_000);
});
