/**
 * A local Apache Flink standalone cluster: one JobManager and N TaskManagers on this machine,
 * run from the jars that {@link installFlink} fetched. `startCluster` returns once the REST API
 * answers and every TaskManager has registered its slots.
 */
import { createConnection, createServer } from "node:net";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_REST_PORT, clusterLayout, type ClusterLayout } from "./layout.js";
import { installFlink, checkJava } from "./install.js";
import { jobManagerJvmArgs, resolveClusterConfig, taskManagerJvmArgs, writeClusterConfig, type ClusterConfig, type ClusterConfigOptions } from "./config.js";
import { cdsJvmArgs, finishCdsDumps } from "./cds.js";
import {
  isProcessAlive,
  javaExecutable,
  readPidFiles,
  removeStalePidFiles,
  spawnFlinkProcess,
  stopProcesses,
  type FlinkProcess,
  type PidFileEntry,
  type StopResult,
} from "./processes.js";
import { FlinkRestClient, type ClusterOverview, type JobOverview, type TaskManagerInfo } from "../rest/client.js";

export interface ClusterOptions {
  /** Flink home (cache dir). Default FLOWBOOK_FLINK_HOME or `<repo>/.cache/flink`. */
  home?: string;
  /** REST port. Default 8081. */
  port?: number;
}

export interface StartClusterOptions extends ClusterOptions {
  /** Slots per TaskManager. Default 2. */
  slots?: number;
  /** Number of TaskManagers. Default 1. */
  taskManagers?: number;
  /** How long to wait for REST and all TaskManagers. Default 90 s. */
  timeoutMs?: number;
  /** More cluster settings (memory, restart strategy, extra Flink keys). */
  config?: Omit<ClusterConfigOptions, "port" | "rpcPort" | "slots">;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ClusterInfo {
  home: string;
  port: number;
  restUrl: string;
  flinkVersion: string;
  jobManager: FlinkProcess;
  taskManagers: FlinkProcess[];
  logDir: string;
  confDir: string;
  /** True if the cluster was already running (then only missing TaskManagers were started). */
  alreadyRunning: boolean;
  /** TaskManagers (indices) that had died and were started again by this call. */
  restartedTaskManagers?: number[];
  /** Time from the call to a ready cluster (0 when already running). */
  startupMs: number;
}

export interface ClusterStatus {
  /** The REST API answers on the port. */
  running: boolean;
  /** Pid files of this home name live processes for the port (i.e. flowbook started it). */
  managed: boolean;
  home: string;
  port: number;
  restUrl: string;
  logDir: string;
  processes: PidFileEntry[];
  flinkVersion?: string;
  overview?: ClusterOverview;
  taskManagers?: TaskManagerInfo[];
  jobs?: JobOverview[];
  /** TaskManagers the cluster was started with (from its shape file), when flowbook started it. */
  expectedTaskManagers?: number;
  /**
   * Why the cluster cannot run what it was started for (a TaskManager died, none has
   * registered): `flowbook flink start` starts the missing ones. Undefined when healthy.
   */
  degraded?: string;
}

/** What `start` made: how many TaskManagers and their resolved config (to start a lost one again). */
interface ClusterShape {
  taskManagers: number;
  config: ClusterConfig;
}

function shapeFile(layout: ClusterLayout): string {
  return join(layout.runDir, `flink-${layout.port}-shape.json`);
}

function readShape(layout: ClusterLayout): ClusterShape | undefined {
  try {
    return JSON.parse(readFileSync(shapeFile(layout), "utf8")) as ClusterShape;
  } catch {
    return undefined;
  }
}

/** An error that names the log file to look at. */
export class ClusterStartError extends Error {
  constructor(
    message: string,
    readonly logFile: string,
  ) {
    super(message);
    this.name = "ClusterStartError";
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The log's last lines, preceded by its first ERROR line and innermost cause (if any), from `fromLine` on. */
function logExcerpt(file: string, fromLine = 0, lines = 15): string {
  if (!existsSync(file)) return "--- no log file yet ---";
  const text = readFileSync(file, "utf8").trimEnd().split("\n").slice(fromLine);
  const error = text.find((l) => / ERROR /.test(l));
  const cause = [...text].reverse().find((l) => /^Caused by: /.test(l));
  const out: string[] = [];
  if (error) out.push(`error: ${error.replace(/^\S+ \S+ ERROR\s+/, "")}`);
  if (cause) out.push(`cause: ${cause.replace(/^Caused by: /, "")}`);
  out.push("--- last lines ---", ...text.slice(-lines));
  return out.join("\n");
}

function lineCount(file: string): number {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 1 : 0;
}

function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "localhost", port });
    s.setTimeout(1000);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("timeout", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(false));
  });
}

/** A currently free TCP port on localhost. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "localhost", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function infoFromPidFiles(layout: ClusterLayout, entries: PidFileEntry[], flinkVersion: string): ClusterInfo {
  const strip = ({ alive: _a, ...p }: PidFileEntry): FlinkProcess => p;
  const jm = entries.find((e) => e.kind === "jobmanager");
  return {
    home: layout.home,
    port: layout.port,
    restUrl: `http://localhost:${layout.port}`,
    flinkVersion,
    jobManager: jm ? strip(jm) : { kind: "jobmanager", index: 0, pid: 0, pidFile: layout.jobManagerPidFile, logFile: layout.jobManagerLog, outFile: layout.jobManagerOut },
    taskManagers: entries.filter((e) => e.kind === "taskmanager").map(strip),
    logDir: layout.logDir,
    confDir: layout.confDir,
    alreadyRunning: true,
    startupMs: 0,
  };
}

/**
 * Start a cluster (fetching the jars first if needed). If this home's cluster on the port is
 * already running, nothing is started and the result has `alreadyRunning: true`. Refuses if the
 * port is taken by anything else. On failure the started processes are stopped and the error
 * names the log file.
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<ClusterInfo> {
  const t0 = Date.now();
  const port = options.port ?? DEFAULT_REST_PORT;
  const slots = options.slots ?? 2;
  const nTm = options.taskManagers ?? 1;
  if (!Number.isInteger(nTm) || nTm < 1) throw new Error(`taskManagers must be a positive integer, got ${nTm}`);
  const layout = clusterLayout(options.home, port);
  const log = options.log ?? (() => {});
  const rest = new FlinkRestClient(port);

  removeStalePidFiles(layout);
  const live = readPidFiles(layout).filter((e) => e.alive);
  if (live.length > 0) {
    if (await rest.isReachable()) {
      const cfg = await rest.config();
      const restarted = await restartMissingTaskManagers(layout, live, rest, options);
      const info = infoFromPidFiles(layout, readPidFiles(layout).filter((e) => e.alive), cfg["flink-version"]);
      if (restarted.length) info.restartedTaskManagers = restarted;
      return info;
    }
    throw new ClusterStartError(
      `Flink processes of this cluster are alive (pids ${live.map((e) => e.pid).join(", ")}) but nothing answers on port ${port}; ` +
        `it may still be starting or be broken. See ${layout.jobManagerLog}, or run \`flowbook flink stop --port ${port}\`.`,
      layout.jobManagerLog,
    );
  }
  if (await isPortOpen(port)) {
    const what = (await rest.isReachable()) ? "another Flink cluster (not started from this home)" : "another process";
    throw new ClusterStartError(`port ${port} is already in use by ${what}; choose another with --port`, layout.jobManagerLog);
  }

  const installed = await installFlink({ home: layout.home, log });
  await checkJava();
  const cfg = resolveClusterConfig({ ...options.config, port, rpcPort: await freePort(), slots });
  writeClusterConfig(cfg, layout);
  writeFileSync(shapeFile(layout), JSON.stringify({ taskManagers: nTm, config: cfg } satisfies ClusterShape, null, 2) + "\n");

  log(`Starting Flink ${installed.flinkVersion}: 1 JobManager, ${nTm} TaskManager(s) × ${slots} slots, REST on port ${port}`);
  // The logs append across runs: remember where this run starts.
  const logStart = new Map<string, number>([layout.jobManagerLog, ...Array.from({ length: nTm }, (_, i) => layout.taskManagerLog(i))].map((f) => [f, lineCount(f)]));
  const java = javaExecutable();
  const jobManager = spawnFlinkProcess({
    kind: "jobmanager",
    index: 0,
    layout,
    java,
    jvmArgs: [...cdsJvmArgs(layout, "jobmanager", 0, java), ...jobManagerJvmArgs(cfg, layout)],
  });
  const taskManagers: FlinkProcess[] = [];
  for (let i = 0; i < nTm; i++) {
    taskManagers.push(
      spawnFlinkProcess({
        kind: "taskmanager",
        index: i,
        layout,
        java,
        jvmArgs: [...cdsJvmArgs(layout, "taskmanager", i, java), ...taskManagerJvmArgs(cfg, layout, i)],
      }),
    );
  }
  log(`Logs: ${layout.logDir}`);

  const timeoutMs = options.timeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  const fail = async (message: string, logFile: string): Promise<never> => {
    await stopCluster({ home: layout.home, port }).catch(() => undefined);
    throw new ClusterStartError(`${message}\nLog: ${logFile}\n${logExcerpt(logFile, logStart.get(logFile) ?? 0)}`, logFile);
  };
  for (;;) {
    if (!isProcessAlive(jobManager.pid)) await fail(`the Flink JobManager (pid ${jobManager.pid}) exited during startup`, jobManager.logFile);
    const deadTm = taskManagers.find((t) => !isProcessAlive(t.pid));
    if (deadTm) await fail(`Flink TaskManager ${deadTm.index} (pid ${deadTm.pid}) exited during startup`, deadTm.logFile);
    try {
      const ov = await rest.overview();
      if (ov.taskmanagers >= nTm && ov["slots-total"] >= nTm * slots) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      const ov = await rest.overview().catch(() => undefined);
      await fail(
        ov
          ? `only ${ov.taskmanagers} of ${nTm} TaskManager(s) registered within ${timeoutMs} ms`
          : `the Flink REST API did not answer on port ${port} within ${timeoutMs} ms`,
        ov ? taskManagers[0]!.logFile : jobManager.logFile,
      );
    }
    await sleep(200);
  }
  log(`Flink is ready at http://localhost:${port} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return {
    home: layout.home,
    port,
    restUrl: `http://localhost:${port}`,
    flinkVersion: installed.flinkVersion,
    jobManager,
    taskManagers,
    logDir: layout.logDir,
    confDir: layout.confDir,
    alreadyRunning: false,
    startupMs: Date.now() - t0,
  };
}

/**
 * A running cluster whose TaskManagers died (killed, out of memory): starts the missing ones
 * again, with the config the cluster was started with, and waits until they registered. The
 * JobManager must be alive (it answers REST). Returns the indices started.
 */
async function restartMissingTaskManagers(layout: ClusterLayout, live: PidFileEntry[], rest: FlinkRestClient, options: StartClusterOptions): Promise<number[]> {
  const shape = readShape(layout);
  const liveTm = new Set(live.filter((e) => e.kind === "taskmanager").map((e) => e.index));
  const expected = shape?.taskManagers ?? Math.max(options.taskManagers ?? 1, liveTm.size);
  const missing = Array.from({ length: expected }, (_, i) => i).filter((i) => !liveTm.has(i));
  if (!missing.length || !live.some((e) => e.kind === "jobmanager")) return [];
  const cfg = shape?.config ?? resolveClusterConfig({ ...options.config, port: layout.port, rpcPort: 0, slots: options.slots ?? 2 });
  const log = options.log ?? (() => {});
  log(`Starting ${missing.length} missing TaskManager(s) of the cluster on port ${layout.port}: ${missing.join(", ")}`);
  const java = javaExecutable();
  const logStart = new Map(missing.map((i) => [i, lineCount(layout.taskManagerLog(i))]));
  // A TaskManager killed a moment ago may still be registered until its heartbeat times out:
  // wait for new registrations, not for a count.
  const before = new Set((await rest.taskManagers().catch(() => [])).map((t) => t.id));
  const started = missing.map((i) =>
    spawnFlinkProcess({ kind: "taskmanager", index: i, layout, java, jvmArgs: [...cdsJvmArgs(layout, "taskmanager", i, java), ...taskManagerJvmArgs(cfg, layout, i)] }),
  );
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    const dead = started.find((t) => !isProcessAlive(t.pid));
    if (dead) {
      throw new ClusterStartError(
        `Flink TaskManager ${dead.index} (pid ${dead.pid}) exited during startup\nLog: ${dead.logFile}\n${logExcerpt(dead.logFile, logStart.get(dead.index) ?? 0)}`,
        dead.logFile,
      );
    }
    const tms = await rest.taskManagers().catch(() => undefined);
    const fresh = tms?.filter((t) => !before.has(t.id)).length ?? 0;
    if (fresh >= missing.length) return missing;
    if (Date.now() > deadline) {
      throw new ClusterStartError(`only ${fresh} of ${missing.length} restarted TaskManager(s) registered within ${options.timeoutMs ?? 90_000} ms`, started[0]!.logFile);
    }
    await sleep(200);
  }
}

/** What runs on the port: pid files of this home, and (if REST answers) overview, TaskManagers, jobs. */
export async function clusterStatus(options: ClusterOptions = {}): Promise<ClusterStatus> {
  const port = options.port ?? DEFAULT_REST_PORT;
  const layout = clusterLayout(options.home, port);
  const processes = readPidFiles(layout);
  const rest = new FlinkRestClient(port);
  const status: ClusterStatus = {
    running: false,
    managed: processes.some((p) => p.alive),
    home: layout.home,
    port,
    restUrl: rest.baseUrl,
    logDir: layout.logDir,
    processes,
  };
  if (!(await rest.isReachable())) return status;
  try {
    const [overview, taskManagers, jobs, config] = await Promise.all([rest.overview(), rest.taskManagers(), rest.jobsOverview(), rest.config()]);
    Object.assign(status, { running: true, overview, taskManagers, jobs, flinkVersion: config["flink-version"] });
  } catch {
    /* answered /config but not the rest: report as not running */
  }
  const shape = status.managed ? readShape(layout) : undefined;
  if (shape) status.expectedTaskManagers = shape.taskManagers;
  if (status.running && status.overview) {
    const alive = processes.filter((p) => p.kind === "taskmanager" && p.alive).length;
    const registered = status.overview.taskmanagers;
    const expected = shape?.taskManagers ?? Math.max(1, alive);
    if (registered < expected || (shape && alive < expected)) {
      status.degraded =
        `${registered} of ${expected} TaskManager(s) registered` +
        (shape ? `, ${alive} running` : "") +
        (registered === 0 ? ": no slots, so jobs cannot run" : "") +
        `; \`flowbook flink start --port ${port}\` starts the missing ones`;
    }
  }
  return status;
}

/**
 * Stop this home's cluster on the port (SIGTERM, then SIGKILL after `graceMs`, default 20 s:
 * the first cluster of a home writes its class-data archives on exit); removes pid files.
 */
export async function stopCluster(options: ClusterOptions & { graceMs?: number } = {}): Promise<StopResult> {
  const layout = clusterLayout(options.home, options.port ?? DEFAULT_REST_PORT);
  const res = await stopProcesses(layout, options.graceMs ?? 20_000);
  rmSync(shapeFile(layout), { force: true });
  finishCdsDumps(layout, res.killed);
  return res;
}
