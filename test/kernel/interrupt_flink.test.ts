/**
 * An interrupt stops a cell waiting on a Flink job within a second, cancels the job on the
 * cluster, and keeps the session's state (a real local cluster, started here on port 18131).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestCluster, type TestCluster } from "../runners/flink/fixture.js";
import { KernelClient } from "./support/kernel_client.js";

const PORT = Number(process.env.FLOWBOOK_KERNEL_FLINK_TEST_PORT ?? 18131);
let cluster: TestCluster;
let k: KernelClient;

beforeAll(async () => {
  [cluster, k] = await Promise.all([startTestCluster(PORT, 2), KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: "off" } })]);
  await k.ready();
}, 600_000);
afterAll(async () => {
  await k?.shutdown();
  await cluster?.stop();
}, 60_000);

async function jobs(): Promise<Array<{ jid: string; state: string }>> {
  const r = await fetch(`http://localhost:${PORT}/jobs/overview`);
  return ((await r.json()) as { jobs: Array<{ jid: string; state: string }> }).jobs;
}

test("interrupting a cell that waits on a Flink job cancels the job and keeps the state", async () => {
  const before = new Set((await jobs()).map((j) => j.jid));
  await k.execute("const keptAcrossFlink = 'kept'");
  const code = [
    `const fp = Pipeline.create(${JSON.stringify(cluster.options)});`,
    "fp.apply(Create.of(...Array.from({ length: 2000 }, (_, i) => i))).apply(MapElements.via((x: number) => { const t = Date.now(); while (Date.now() - t < 50) {} return x; }));",
    "const flinkRun = fp.run();",
    "await flinkRun.waitUntilFinish();",
  ].join("\n");
  const msgId = await k.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  // Wait until the job runs on the cluster.
  let job: { jid: string; state: string } | undefined;
  for (let i = 0; i < 600 && !job; i++) {
    job = (await jobs()).find((j) => !before.has(j.jid) && j.state === "RUNNING");
    if (!job) await new Promise((r) => setTimeout(r, 200));
  }
  expect(job, `no job ran; kernel stderr:\n${k.stderr.slice(-2000)}`).toBeDefined();
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  await k.request("control", "interrupt_request", {}, 2000);
  const reply = await k.reply(msgId, 10_000);
  const ms = performance.now() - t0;
  expect(reply.content).toMatchObject({ status: "error", ename: "Interrupted" });
  expect(ms).toBeLessThan(1000);
  let state = "";
  for (let i = 0; i < 100 && state !== "CANCELED"; i++) {
    state = (await jobs()).find((j) => j.jid === job!.jid)?.state ?? "";
    if (state !== "CANCELED") await new Promise((r) => setTimeout(r, 100));
  }
  expect(state).toBe("CANCELED");
  expect((await k.execute("keptAcrossFlink")).outputs[0]!.content.data["text/plain"]).toBe("'kept'");
}, 600_000);
