/**
 * The Flink JVMs of a local cluster as operating-system processes: spawn them detached with
 * their output in `<home>/log/`, remember them in pid files under `<home>/run/`, and stop them.
 *
 * A pid file is only trusted while its pid is alive *and* (on Linux) that process's command
 * line names the same Flink entry point and config dir, so stale pid files left by a crash or
 * a reboot are recognized and cleaned up rather than killing an unrelated process.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { ClusterLayout } from "./layout.js";

export const JOBMANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
export const TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

export type FlinkProcessKind = "jobmanager" | "taskmanager";

export interface FlinkProcess {
  kind: FlinkProcessKind;
  /** 0 for the JobManager; the TaskManager's index otherwise. */
  index: number;
  pid: number;
  pidFile: string;
  logFile: string;
  outFile: string;
}

export interface SpawnFlinkProcessOptions {
  kind: FlinkProcessKind;
  index: number;
  layout: ClusterLayout;
  jvmArgs: string[];
  /** The `java` executable. Default: `$JAVA_HOME/bin/java` if set, else `java` on PATH. */
  java?: string;
}

export function javaExecutable(): string {
  const jh = process.env.JAVA_HOME;
  if (jh && existsSync(join(jh, "bin", "java"))) return join(jh, "bin", "java");
  return "java";
}

function filesOf(kind: FlinkProcessKind, index: number, layout: ClusterLayout) {
  return kind === "jobmanager"
    ? { pidFile: layout.jobManagerPidFile, logFile: layout.jobManagerLog, outFile: layout.jobManagerOut }
    : { pidFile: layout.taskManagerPidFile(index), logFile: layout.taskManagerLog(index), outFile: layout.taskManagerOut(index) };
}

/** Start one Flink JVM, detached from this process; its stdout/stderr go to the `.out` file. */
export function spawnFlinkProcess(o: SpawnFlinkProcessOptions): FlinkProcess {
  const { kind, index, layout } = o;
  const files = filesOf(kind, index, layout);
  mkdirSync(layout.logDir, { recursive: true });
  mkdirSync(layout.runDir, { recursive: true });
  const pluginsDir = join(layout.home, "plugins");
  mkdirSync(pluginsDir, { recursive: true });
  const main = kind === "jobmanager" ? JOBMANAGER_MAIN : TASKMANAGER_MAIN;
  const args = [...o.jvmArgs, "-classpath", join(layout.libDir, "*"), main, "--configDir", layout.confDir];
  const out = openSync(files.outFile, "a");
  try {
    const child = spawn(o.java ?? javaExecutable(), args, {
      detached: true,
      stdio: ["ignore", out, out],
      cwd: layout.home,
      env: { ...process.env, FLINK_CONF_DIR: layout.confDir, FLINK_LOG_DIR: layout.logDir, FLINK_PLUGINS_DIR: pluginsDir },
    });
    if (child.pid === undefined) throw new Error(`could not start ${kind} (java not found?)`);
    child.on("error", () => {
      /* reported through the pid/readiness checks */
    });
    child.unref();
    writeFileSync(files.pidFile, `${child.pid}\n`);
    return { kind, index, pid: child.pid, ...files };
  } finally {
    closeSync(out);
  }
}

/** Is `pid` a live (non-zombie) process? */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." — a zombie has exited already.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return true; // no procfs: trust kill(0)
  }
}

/** Does `pid` run the Flink entry point of `kind` on this cluster's config dir? (Linux; elsewhere: alive.) */
export function isFlinkProcess(pid: number, kind: FlinkProcessKind, layout: ClusterLayout): boolean {
  if (!isProcessAlive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return existsSync("/proc/self") ? false : true;
  }
  const main = kind === "jobmanager" ? JOBMANAGER_MAIN : TASKMANAGER_MAIN;
  const parts = cmdline.split("\0");
  return parts.includes(main) && parts.includes(layout.confDir);
}

function readPid(file: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export interface PidFileEntry extends FlinkProcess {
  /** The pid is alive and is this cluster's Flink process. */
  alive: boolean;
}

/** All pid files of the cluster on `layout.port`, with whether each still names a live Flink process. */
export function readPidFiles(layout: ClusterLayout): PidFileEntry[] {
  if (!existsSync(layout.runDir)) return [];
  const prefix = `flink-${layout.port}-`;
  const entries: PidFileEntry[] = [];
  for (const name of readdirSync(layout.runDir).sort()) {
    if (!name.startsWith(prefix) || !name.endsWith(".pid")) continue;
    const rest = name.slice(prefix.length, -".pid".length);
    let kind: FlinkProcessKind;
    let index = 0;
    if (rest === "jobmanager") kind = "jobmanager";
    else if (/^taskmanager-\d+$/.test(rest)) {
      kind = "taskmanager";
      index = Number(rest.slice("taskmanager-".length));
    } else continue;
    const pidFile = join(layout.runDir, name);
    const pid = readPid(pidFile);
    const files = filesOf(kind, index, layout);
    entries.push({ kind, index, pid: pid ?? 0, ...files, pidFile, alive: pid !== undefined && isFlinkProcess(pid, kind, layout) });
  }
  return entries;
}

/** Remove pid files whose process is gone; return what was removed. */
export function removeStalePidFiles(layout: ClusterLayout): string[] {
  const removed: string[] = [];
  for (const e of readPidFiles(layout)) {
    if (!e.alive) {
      rmSync(e.pidFile, { force: true });
      removed.push(basename(e.pidFile));
    }
  }
  return removed;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitForExit(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(isProcessAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = left.filter(isProcessAlive);
  }
  return left;
}

export interface StopResult {
  /** Processes that were running and are now gone. */
  stopped: FlinkProcess[];
  /** Of those, the ones that needed SIGKILL. */
  killed: FlinkProcess[];
  /** Pid files removed whose process was already gone. */
  stale: string[];
}

/**
 * Stop every process of the cluster: SIGTERM to all (TaskManagers first), wait up to
 * `graceMs`, then SIGKILL what is left; remove all pid files.
 */
export async function stopProcesses(layout: ClusterLayout, graceMs = 10_000): Promise<StopResult> {
  const entries = readPidFiles(layout);
  const live = entries.filter((e) => e.alive);
  const stale = entries.filter((e) => !e.alive).map((e) => basename(e.pidFile));
  const ordered = [...live.filter((e) => e.kind === "taskmanager"), ...live.filter((e) => e.kind === "jobmanager")];
  for (const e of ordered) {
    try {
      process.kill(e.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  const left = await waitForExit(ordered.map((e) => e.pid), graceMs);
  const killed: FlinkProcess[] = [];
  for (const e of ordered) {
    if (left.includes(e.pid)) {
      try {
        process.kill(e.pid, "SIGKILL");
      } catch {
        /* gone meanwhile */
      }
      killed.push(e);
    }
  }
  const still = await waitForExit(killed.map((e) => e.pid), 5_000);
  if (still.length > 0) throw new Error(`Flink processes did not exit even after SIGKILL: ${still.join(", ")}`);
  for (const e of entries) rmSync(e.pidFile, { force: true });
  const strip = ({ alive: _alive, ...p }: PidFileEntry): FlinkProcess => p;
  return { stopped: ordered.map(strip), killed: killed.map((k) => strip(k as PidFileEntry)), stale };
}
