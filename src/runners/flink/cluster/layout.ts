/**
 * Where a local Flink cluster keeps its things.
 *
 * One Flink "home" (the cache directory: `--home`, `FLOWBOOK_FLINK_HOME`, or
 * `<repo>/.cache/flink`) holds the fetched jars in `lib/` and can host several clusters side
 * by side, one per REST port: each gets its own config dir, log files, pid files and tmp dir,
 * all named by the port. So a test cluster on 18081 and a user's cluster on 8081 share the
 * jars but nothing else.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_REST_PORT = 8081;

/** The flowbook repository (or installed package) root: the nearest package.json named flowbook. */
export function flowbookRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "flowbook") return dir;
      } catch {
        /* not ours; keep walking */
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the flowbook package root (package.json named flowbook)");
    dir = parent;
  }
}

/** The Flink home: explicit argument, else FLOWBOOK_FLINK_HOME, else `<repo>/.cache/flink`. Always absolute. */
export function resolveFlinkHome(home?: string): string {
  const chosen = home ?? process.env.FLOWBOOK_FLINK_HOME;
  if (chosen && chosen.trim() !== "") return resolve(chosen);
  return join(flowbookRoot(), ".cache", "flink");
}

/** The Maven project that lists the cluster's runtime jars. */
export function clusterPomPath(): string {
  return join(flowbookRoot(), "flink", "cluster", "pom.xml");
}

export interface ClusterLayout {
  /** Absolute Flink home (the cache directory). */
  home: string;
  /** REST port; it names this cluster's files. */
  port: number;
  /** Fetched jars: the cluster's whole classpath. */
  libDir: string;
  /** This cluster's config dir (`config.yaml`, `log4j.properties`), given to `--configDir`. */
  confDir: string;
  /** Log directory (shared by all clusters of this home; file names carry the port). */
  logDir: string;
  /** Pid files. */
  runDir: string;
  /** This cluster's `java.io.tmpdir`, `io.tmp.dirs` and web upload dir. */
  tmpDir: string;
  /**
   * This cluster's durable data: `checkpoints/` and `savepoints/`, kept across restarts of the
   * cluster (unlike tmpDir, it is never cleaned by flowbook).
   */
  dataDir: string;
  /** Where the cluster's jobs checkpoint by default (`<dataDir>/checkpoints`). */
  checkpointsDir: string;
  /** Where savepoints go when a stop names no directory (`<dataDir>/savepoints`). */
  savepointsDir: string;
  jobManagerLog: string;
  jobManagerOut: string;
  jobManagerPidFile: string;
  taskManagerLog(index: number): string;
  taskManagerOut(index: number): string;
  taskManagerPidFile(index: number): string;
}

export function clusterLayout(home: string | undefined, port: number = DEFAULT_REST_PORT): ClusterLayout {
  const h = resolveFlinkHome(home);
  const logDir = join(h, "log");
  const runDir = join(h, "run");
  const base = `flink-${port}`;
  return {
    home: h,
    port,
    libDir: join(h, "lib"),
    confDir: join(h, "conf", String(port)),
    logDir,
    runDir,
    tmpDir: join(h, "tmp", String(port)),
    dataDir: join(h, "data", String(port)),
    checkpointsDir: join(h, "data", String(port), "checkpoints"),
    savepointsDir: join(h, "data", String(port), "savepoints"),
    jobManagerLog: join(logDir, `${base}-jobmanager.log`),
    jobManagerOut: join(logDir, `${base}-jobmanager.out`),
    jobManagerPidFile: join(runDir, `${base}-jobmanager.pid`),
    taskManagerLog: (i) => join(logDir, `${base}-taskmanager-${i}.log`),
    taskManagerOut: (i) => join(logDir, `${base}-taskmanager-${i}.out`),
    taskManagerPidFile: (i) => join(runDir, `${base}-taskmanager-${i}.pid`),
  };
}
