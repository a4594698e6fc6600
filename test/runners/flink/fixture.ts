/**
 * A real Flink cluster for tests of the Flink runner: started on its own port before the
 * suite and stopped after it (unless it was already running). The bridge jar is built if
 * it is missing; the Node worker is bundled fresh from src/ and passed as the worker
 * command, so the tests run the current TypeScript worker whatever copy the jar embeds.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startCluster, stopCluster, type ClusterInfo } from "../../../src/runners/flink/cluster/cluster.js";
import { flowbookRoot } from "../../../src/runners/flink/cluster/layout.js";
import { bridgeJarPath } from "../../../src/runners/flink/flink_runner.js";
import type { PipelineOptions } from "../../../src/index.js";

export const ROOT = flowbookRoot();
/** `FLOWBOOK_FLINK_TEST_WORKER`: a worker bundle made elsewhere (then none is made here). */
export const WORKER_BUNDLE = process.env.FLOWBOOK_FLINK_TEST_WORKER ?? join(ROOT, "dist/flink-worker/flowbook-worker.mjs");

export function bundleWorker(): void {
  if (process.env.FLOWBOOK_FLINK_TEST_WORKER) return;
  const r = spawnSync(process.execPath, [join(ROOT, "scripts/bundle-workers.mjs"), "--quiet"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("bundling the Flink worker failed");
}

export function ensureBridgeJar(): string {
  const jar = bridgeJarPath();
  if (!existsSync(jar)) {
    const r = spawnSync("mvn", ["-q", "-B", "-ntp", "-f", join(ROOT, "flink/bridge/pom.xml"), "package", "-DskipTests"], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0 || !existsSync(jar)) throw new Error(`could not build the bridge jar ${jar}`);
  }
  return jar;
}

/**
 * A copy of the bridge jar whose embedded worker is the fresh bundle: what a remote user
 * gets (no worker command, nothing shared but the REST address).
 */
export function jarWithFreshWorker(jar: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), "flowbook-bridge-")), "flowbook-flink-bridge.jar");
  copyFileSync(jar, copy);
  const r = spawnSync("jar", ["uf", copy, "-C", dirname(WORKER_BUNDLE), "flowbook-worker.mjs"], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("could not put the worker bundle into a copy of the bridge jar");
  return copy;
}

export interface TestCluster {
  info: ClusterInfo;
  port: number;
  jar: string;
  /** Options that run a pipeline on this cluster with the fresh worker bundle. */
  options: PipelineOptions;
  stop(): Promise<void>;
}

export async function startTestCluster(port: number, slots = 4): Promise<TestCluster> {
  bundleWorker();
  const jar = ensureBridgeJar();
  const info = await startCluster({
    port,
    slots,
    taskManagers: 1,
    // The cluster `flowbook flink start --slots 4` would give: config.ts's network settings
    // (64 buffers per blocking partition, 384 MiB for 4 slots) carry the many small blocking
    // exchanges of test pipelines (every PAssert adds a few).
  });
  return {
    info,
    port,
    jar,
    options: {
      runner: "flink",
      flinkMaster: `localhost:${port}`,
      flinkBridgeJar: jar,
      flinkWorkerCommand: WORKER_BUNDLE,
      parallelism: 2,
    },
    async stop() {
      if (!info.alreadyRunning) await stopCluster({ port, graceMs: 5_000 });
    },
  };
}
