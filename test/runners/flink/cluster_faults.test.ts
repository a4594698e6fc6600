/**
 * Issue 12, points 4 and 5, on a real cluster (port 18152, `FLOWBOOK_FLINK_FAULTS_TEST_PORT`):
 *
 * - A TaskManager killed mid-job: the client used to wait ten minutes in silence. Now the run
 *   reports the lost TaskManager and fails within seconds naming it and the command that
 *   brings it back; `flink status` says the cluster is degraded; `flink start` starts the
 *   missing TaskManager (it used to report the cluster running and start nothing), after
 *   which a job runs again.
 * - SIGTERM to `flowbook run`: it used to exit 143 at once while the job ran on and wrote its
 *   whole output later. Now it cancels the job, waits for the cancellation, exits 143, and
 *   the job is CANCELED with no output written.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Create, DoFn, MapElements, ParDo, Pipeline, TextIO, type ProcessContext } from "../../../src/index.js";
import { clusterStatus, startCluster } from "../../../src/runners/flink/cluster/cluster.js";
import { clusterLayout } from "../../../src/runners/flink/cluster/layout.js";
import { readPidFiles } from "../../../src/runners/flink/cluster/processes.js";
import { FlinkRestClient } from "../../../src/runners/flink/rest/client.js";
import { formatClusterStatus } from "../../../src/cli/flink_command.js";
import { ROOT, WORKER_BUNDLE, startTestCluster, type TestCluster } from "./fixture.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_FAULTS_TEST_PORT ?? 18152);
let cluster: TestCluster;
let work: string;

class SlowFn extends DoFn<number, number> {
  processElement(c: ProcessContext<number, number>) {
    const until = Date.now() + 50;
    while (Date.now() < until) {
      // busy: a job long enough to hit
    }
    c.output(c.element());
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runningJobs(rest: FlinkRestClient): Promise<string[]> {
  return (await rest.jobsOverview()).filter((j) => j.state === "RUNNING").map((j) => j.jid);
}

describe("faults of the cluster and the client process", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT, 2);
    work = mkdtempSync(join(tmpdir(), "flowbook-cluster-faults-"));
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("SIGTERM to `flowbook run` cancels the Flink job, waits for it, exits 143; no output appears later", async () => {
    const rest = new FlinkRestClient(PORT);
    const out = join(work, "sigterm-out");
    const script = join(work, "sigterm.ts");
    writeFileSync(
      script,
      `class Slow extends DoFn<number, number> {
  processElement(c: ProcessContext<number, number>) { const u = Date.now() + 50; while (Date.now() < u) {} c.output(c.element()); }
}
const p = Pipeline.create({ parallelism: 1 });
p.apply(Create.of(...Array.from({ length: 600 }, (_, i) => i))).apply(ParDo.of(new Slow())).apply(MapElements.via((n: number) => String(n))).apply(TextIO.write().to(${JSON.stringify(out + "/part")}));
await p.run().waitUntilFinish();
`,
    );
    const before = new Set(await runningJobs(rest));
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "run", script, "--runner", "flink", "--flinkMaster", `localhost:${PORT}`], {
      cwd: ROOT,
      env: { ...process.env, FLOWBOOK_FLINK_WORKER_COMMAND: WORKER_BUNDLE, FLOWBOOK_FLINK_BRIDGE_JAR: cluster.jar },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    let job: string | undefined;
    for (let i = 0; i < 600 && !job; i++) {
      await sleep(100);
      job = (await runningJobs(rest).catch(() => [])).find((j) => !before.has(j));
    }
    expect(job, `no job started; stderr: ${stderr}`).toBeDefined();
    await sleep(1000);
    const t0 = Date.now();
    child.kill("SIGTERM");
    const code = await exited;
    expect(code).toBe(143);
    expect(Date.now() - t0).toBeLessThan(12_000);
    expect(stderr).toContain(`SIGTERM: Flink job ${job} cancelled`);
    expect((await rest.jobStatus(job!))).toBe("CANCELED");
    // The job would have needed ~30 s; nothing is written later.
    await sleep(3000);
    expect(existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith(".")) : []).toEqual([]);
  }, 120_000);

  it("a TaskManager killed mid-job: the run fails within seconds naming it; status says degraded; start brings it back", async () => {
    const p = Pipeline.create({ ...cluster.options, parallelism: 1 });
    p.apply(Create.of(...Array.from({ length: 1000 }, (_, i) => i))).apply(ParDo.of(new SlowFn())).apply(MapElements.via((n: number) => String(n))).apply(TextIO.write().to(join(work, "tm-out", "part")));
    const r = p.run();
    const notices: string[] = [];
    r.onEvent((e) => {
      if (e.kind === "output" && e.stream === "stderr") notices.push(e.text);
    });
    const rest = new FlinkRestClient(PORT);
    for (let i = 0; i < 300 && !(await runningJobs(rest)).length; i++) await sleep(100);
    await sleep(1500);
    const layout = clusterLayout(undefined, PORT);
    const tm = readPidFiles(layout).find((e) => e.kind === "taskmanager" && e.alive)!;
    process.kill(tm.pid, "SIGKILL");
    const t0 = Date.now();
    const err = await r.waitUntilFinish().then(
      () => undefined,
      (e: Error) => e,
    );
    const ms = Date.now() - t0;
    expect(err, "the run must fail").toBeDefined();
    expect(r.state).toBe("FAILED");
    expect(ms).toBeLessThan(20_000);
    expect(err!.message).toMatch(/TaskManager .* was lost, so no task slot is left/);
    expect(err!.message).toContain(`flowbook flink start --port ${PORT}`);
    expect(notices.join("")).toMatch(/Flink TaskManager \S+ was lost/);

    const st = await clusterStatus({ port: PORT });
    expect(st.degraded).toMatch(/0 of 1 TaskManager\(s\) registered/);
    expect(formatClusterStatus(st)).toContain("DEGRADED:");

    const again = await startCluster({ port: PORT, slots: 2, taskManagers: 1 });
    expect(again.alreadyRunning).toBe(true);
    expect(again.restartedTaskManagers).toEqual([0]);
    expect((await clusterStatus({ port: PORT })).degraded).toBeUndefined();

    // And a job runs again.
    const q = Pipeline.create(cluster.options);
    q.apply(Create.of(1, 2, 3)).apply(ParDo.of(new SlowFn())).apply(MapElements.via((n: number) => String(n))).apply(TextIO.write().to(join(work, "after", "part")));
    await expect(q.run().waitUntilFinish()).resolves.toBe("DONE");
  }, 180_000);
});
