/**
 * `flowbook flink install|start|stop|status` — run a local Apache Flink standalone cluster.
 * `src/cli/main.ts` dispatches `flowbook flink …` here; this file also runs on its own:
 * `npx tsx src/cli/flink_command.ts status`.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { clusterStatus, startCluster, stopCluster, type ClusterStatus } from "../runners/flink/cluster/cluster.js";
import { DEFAULT_REST_PORT } from "../runners/flink/cluster/layout.js";
import { installFlink } from "../runners/flink/cluster/install.js";

const HELP = `Usage: flowbook flink <command> [options]

Run a local Apache Flink standalone cluster (one JobManager, N TaskManagers) on this
machine, for the Flink runner (Pipeline.create({ runner: "flink", flinkMaster: "localhost:8081" })).

Commands:
  install   Fetch Flink's runtime jars into <home>/lib with Maven (once; start does it too).
  start     Fetch Flink's jars if needed (Maven, first time only), start the cluster and wait
            until every TaskManager has registered. Does nothing if it already runs.
  stop      Stop the cluster's processes (SIGTERM, then SIGKILL) and remove their pid files.
  status    Show TaskManagers, slots and jobs from the cluster's REST API.
            Exit code 0 if a cluster answers on the port, 3 if none does.

Options:
  --port N           REST / web UI port (default ${DEFAULT_REST_PORT}); one cluster per port
  --slots N          task slots per TaskManager (start; default 2)
  --taskmanagers N   number of TaskManagers (start; default 1)
  --task-heap-mb N   task heap per TaskManager in MiB (start; default 192 per slot, at least 256):
                     what holds elements in flight, e.g. long lines (flinkMaxElementBytes)
  --home DIR         Flink home: jars, config, logs, pid files
                     (default $FLOWBOOK_FLINK_HOME, else <repo>/.cache/flink)
  --timeout SEC      how long start waits for the cluster (default 90)
  --json             status: print the raw status as JSON
  --force            install: fetch again even if the jars are there
  -h, --help         show this help

Requirements: Java 17 (11+) and Maven on PATH (Maven only for the first start).
Logs: <home>/log/flink-<port>-jobmanager.log and flink-<port>-taskmanager-<i>.log
(stdout of the processes, e.g. print() sinks, in the matching .out files).
`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

class UsageError extends Error {}

function mib(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return "?";
  const m = bytes / (1024 * 1024);
  return m >= 1024 ? `${(m / 1024).toFixed(1)} GiB` : `${Math.round(m)} MiB`;
}

function duration(ms: number): string {
  if (ms < 0) return "-";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

function table(rows: string[][], indent = "  "): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ")).join("\n");
}

/** Human-readable status (what `flowbook flink status` prints). */
export function formatClusterStatus(st: ClusterStatus): string {
  const out: string[] = [];
  if (!st.running) {
    out.push(`No Flink cluster is running on port ${st.port} (${st.restUrl} does not answer).`);
    const alive = st.processes.filter((p) => p.alive);
    if (alive.length > 0) {
      out.push(`But processes of this cluster are alive (pids ${alive.map((p) => p.pid).join(", ")}): it may be starting or broken.`);
      out.push(`See ${st.processes.find((p) => p.kind === "jobmanager")?.logFile ?? st.logDir}, or run \`flowbook flink stop --port ${st.port}\`.`);
    } else {
      out.push(`Start one with \`flowbook flink start${st.port !== DEFAULT_REST_PORT ? ` --port ${st.port}` : ""}\`.`);
    }
    return out.join("\n");
  }
  const ov = st.overview!;
  out.push(`Flink ${st.flinkVersion ?? ov["flink-version"]} cluster at ${st.restUrl}` + (st.managed ? ` (started by flowbook, home ${st.home})` : " (not started from this home)"));
  if (st.degraded) out.push(`DEGRADED: ${st.degraded}.`);
  const jm = st.processes.find((p) => p.kind === "jobmanager" && p.alive);
  if (jm) out.push(`JobManager pid ${jm.pid}, log ${jm.logFile}`);
  out.push("");
  const tms = st.taskManagers ?? [];
  out.push(`Task managers: ${tms.length}    Slots: ${ov["slots-total"]} total, ${ov["slots-available"]} free`);
  if (tms.length > 0) {
    const rows = [["ID", "SLOTS FREE/TOTAL", "CPU", "PROCESS MEM", "TASK HEAP", "MANAGED", "NETWORK"]];
    for (const tm of tms) {
      const mc = tm.memoryConfiguration ?? {};
      rows.push([
        tm.id,
        `${tm.freeSlots}/${tm.slotsNumber}`,
        String(tm.totalResource?.cpuCores ?? tm.hardware?.cpuCores ?? "?"),
        mib(mc.totalProcessMemory),
        mib(mc.taskHeap),
        mib(mc.managedMemory ?? tm.hardware?.managedMemory),
        mib(mc.networkMemory),
      ]);
    }
    out.push(table(rows));
  }
  out.push("");
  const jobs = [...(st.jobs ?? [])].sort((a, b) => b["start-time"] - a["start-time"]);
  out.push(`Jobs: ${jobs.length === 0 ? "none" : `${ov["jobs-running"]} running, ${ov["jobs-finished"]} finished, ${ov["jobs-failed"]} failed, ${ov["jobs-cancelled"]} cancelled`}`);
  if (jobs.length > 0) {
    const rows = [["NAME", "STATE", "DURATION", "STARTED", "JOB ID"]];
    for (const j of jobs) {
      rows.push([j.name, j.state, duration(j.duration), new Date(j["start-time"]).toLocaleTimeString(), j.jid]);
    }
    out.push(table(rows));
  }
  out.push("");
  out.push(`Web UI: ${st.restUrl}    Logs: ${st.logDir}`);
  return out.join("\n");
}

/** `flowbook flink …`; returns the process exit code. */
export async function flinkCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: "string" },
        slots: { type: "string" },
        taskmanagers: { type: "string" },
        "task-heap-mb": { type: "string" },
        home: { type: "string" },
        timeout: { type: "string" },
        json: { type: "boolean" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    process.stderr.write(`flowbook flink: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const cmd = positionals[0];
  if (values.help || cmd === "help" || cmd === undefined) {
    (cmd === undefined && !values.help ? process.stderr : process.stdout).write(HELP);
    return cmd === undefined && !values.help ? 2 : 0;
  }
  if (positionals.length > 1) {
    process.stderr.write(`flowbook flink: unexpected argument "${positionals[1]}"\n\n${HELP}`);
    return 2;
  }
  try {
    const port = positiveInt("port", values.port, DEFAULT_REST_PORT);
    const home = values.home;
    switch (cmd) {
      case "install": {
        const res = await installFlink({ home, force: values.force, log: (l) => process.stdout.write(l + "\n") });
        process.stdout.write(
          res.fetched
            ? `Flink ${res.flinkVersion}: ${res.jars.length} jars in ${res.libDir}\n`
            : `Flink ${res.flinkVersion} is already installed: ${res.jars.length} jars in ${res.libDir}\n`,
        );
        return 0;
      }
      case "start": {
        const slots = positiveInt("slots", values.slots, 2);
        const taskManagers = positiveInt("taskmanagers", values.taskmanagers, 1);
        const timeoutMs = positiveInt("timeout", values.timeout, 90) * 1000;
        const taskHeap = values["task-heap-mb"] !== undefined ? positiveInt("task-heap-mb", values["task-heap-mb"], 0) : undefined;
        const info = await startCluster({
          home, port, slots, taskManagers, timeoutMs, log: (l) => process.stdout.write(l + "\n"),
          ...(taskHeap !== undefined ? { config: { taskManagerMemory: { taskHeap } } } : {}),
        });
        if (info.alreadyRunning && info.restartedTaskManagers?.length) {
          const st = await clusterStatus({ home, port });
          process.stdout.write(
            `The Flink cluster at ${info.restUrl} was running without ${info.restartedTaskManagers.length} of its TaskManager(s) (they had died); ` +
              `started TaskManager ${info.restartedTaskManagers.join(", ")} again: now ${st.overview?.taskmanagers ?? "?"} TaskManager(s), ${st.overview?.["slots-total"] ?? "?"} slots.\n`,
          );
          if (st.degraded) process.stdout.write(`Still degraded: ${st.degraded}.\n`);
          return 0;
        }
        if (info.alreadyRunning) {
          const st = await clusterStatus({ home, port });
          const tms = st.overview?.taskmanagers ?? info.taskManagers.length;
          const slotsTotal = st.overview?.["slots-total"] ?? 0;
          process.stdout.write(
            `A Flink ${info.flinkVersion} cluster is already running at ${info.restUrl} ` +
              `(JobManager pid ${info.jobManager.pid}, ${tms} TaskManager(s), ${slotsTotal} slots); nothing started.\n`,
          );
          if (tms !== taskManagers || slotsTotal !== taskManagers * slots) {
            process.stdout.write(`To change its shape, run \`flowbook flink stop --port ${port}\` first.\n`);
          }
          return 0;
        }
        process.stdout.write(
          `JobManager pid ${info.jobManager.pid}, TaskManager pid(s) ${info.taskManagers.map((t) => t.pid).join(", ")}\n` +
            `Web UI and REST API: ${info.restUrl}\n` +
            `Logs: ${info.jobManager.logFile}\n      ${info.taskManagers.map((t) => t.logFile).join("\n      ")}\n`,
        );
        return 0;
      }
      case "stop": {
        const res = await stopCluster({ home, port });
        if (res.stopped.length === 0) {
          process.stdout.write(
            `No Flink cluster of this home was running on port ${port}` +
              (res.stale.length > 0 ? ` (removed ${res.stale.length} stale pid file(s)).\n` : ".\n"),
          );
          const st = await clusterStatus({ home, port });
          if (st.running) process.stdout.write(`Note: something else answers at ${st.restUrl}; it was not started from ${st.home}.\n`);
          return 0;
        }
        const kinds = res.stopped.map((p) => `${p.kind === "jobmanager" ? "JobManager" : `TaskManager ${p.index}`} (pid ${p.pid})`);
        process.stdout.write(`Stopped ${kinds.join(", ")}` + (res.killed.length > 0 ? `; ${res.killed.length} needed SIGKILL` : "") + ".\n");
        return 0;
      }
      case "status": {
        const st = await clusterStatus({ home, port });
        process.stdout.write((values.json ? JSON.stringify(st, null, 2) : formatClusterStatus(st)) + "\n");
        return st.running ? 0 : 3;
      }
      default:
        process.stderr.write(`flowbook flink: unknown command "${cmd}"\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`flowbook flink: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`flowbook flink ${cmd}: ${(e as Error).message}\n`);
    return 1;
  }
}

function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  flinkCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
