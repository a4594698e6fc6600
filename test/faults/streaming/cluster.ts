/**
 * A Flink cluster for the streaming fault runs: two TaskManagers (so a job restarts on the
 * other while one is killed and a new one starts), and the processes the faults hit — a
 * TaskManager's JVM, the Node workers it started.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCluster, stopCluster } from "../../../src/runners/flink/cluster/cluster.js";
import { clusterLayout } from "../../../src/runners/flink/cluster/layout.js";
import { readPidFiles } from "../../../src/runners/flink/cluster/processes.js";
import type { PipelineOptions } from "../../../src/index.js";
import { WORKER_BUNDLE, bundleWorker, ensureBridgeJar } from "../../runners/flink/fixture.js";

export const TASK_MANAGERS = 2;
/** Each TaskManager holds a whole job of parallelism 2 (one slot-sharing group needs 2 slots). */
export const SLOTS = 2;

export interface FaultCluster {
  port: number;
  options: PipelineOptions;
  alreadyRunning: boolean;
  stop(): Promise<void>;
}

export async function startFaultCluster(port: number): Promise<FaultCluster> {
  bundleWorker();
  // A private copy: other work rebuilding the bridge jar mid-run made a submission upload a half-written one.
  const jar = join(mkdtempSync(join(tmpdir(), "flowbook-fault-jar-")), "flowbook-flink-bridge.jar");
  copyFileSync(ensureBridgeJar(), jar);
  const info = await startCluster({ port, slots: SLOTS, taskManagers: TASK_MANAGERS });
  return {
    port,
    alreadyRunning: info.alreadyRunning,
    options: { runner: "flink", flinkMaster: `localhost:${port}`, flinkBridgeJar: jar, flinkWorkerCommand: WORKER_BUNDLE },
    async stop() {
      if (!info.alreadyRunning) await stopCluster({ port, graceMs: 5_000 });
    },
  };
}

/** Pids of the cluster's live TaskManagers. */
export function taskManagerPids(port: number): number[] {
  return readPidFiles(clusterLayout(undefined, port)).filter((e) => e.kind === "taskmanager" && e.alive).map((e) => e.pid);
}

/** Starts the TaskManagers that died (the fixture's start, which restarts missing ones); their indices. */
export async function restartTaskManagers(port: number): Promise<number[]> {
  const info = await startCluster({ port, slots: SLOTS, taskManagers: TASK_MANAGERS });
  return info.restartedTaskManagers ?? [];
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** The Node workers TaskManager `tmPid` started (its child processes running the worker bundle). */
export function workerPids(tmPid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (parentOf(pid) !== tmPid) continue;
    let cmd = "";
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (cmd.includes("flowbook-worker") || cmd.includes("flink/worker/main")) out.push(pid);
  }
  return out;
}
