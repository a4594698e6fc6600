/**
 * The configuration of a local Flink 2.x standalone cluster: `config.yaml`, `log4j.properties`,
 * and the JVM arguments of its two kinds of process.
 *
 * Without flink-dist there are no bin/ scripts, so what `taskmanager.sh` would compute with
 * BashJavaUtils is done here: every TaskManager memory component is set explicitly (with
 * `jvm-overhead.min == jvm-overhead.max`), and the JVM's -Xmx / -XX:MaxDirectMemorySize /
 * -XX:MaxMetaspaceSize follow from the same numbers.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ClusterLayout } from "./layout.js";

/**
 * What Java 17 needs for Flink, copied from Flink's own `flink-dist/src/main/resources/config.yaml`
 * (`env.java.opts.all`).
 */
export const FLINK_JAVA17_OPTS: readonly string[] = [
  "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
  "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
  "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
  "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
  "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
  "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
  "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
  "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.net=ALL-UNNAMED",
  "--add-opens=java.base/java.io=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=java.base/java.text=ALL-UNNAMED",
  "--add-opens=java.base/java.time=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
];

/** TaskManager memory components, in MiB. */
export interface TaskManagerMemory {
  frameworkHeap: number;
  taskHeap: number;
  frameworkOffHeap: number;
  taskOffHeap: number;
  network: number;
  managed: number;
  metaspace: number;
  jvmOverhead: number;
}

/** JobManager memory components, in MiB. */
export interface JobManagerMemory {
  heap: number;
  offHeap: number;
  metaspace: number;
  jvmOverhead: number;
}

export interface ClusterConfigOptions {
  /** REST (and web UI) port. Default 8081. */
  port: number;
  /** JobManager RPC port; TaskManagers find the JobManager through it. */
  rpcPort: number;
  /** Slots per TaskManager. Default 2. */
  slots: number;
  /** Default job parallelism. Default 1. */
  defaultParallelism?: number;
  /** Restart attempts of a failing job (fixed-delay). Default 2. */
  restartAttempts?: number;
  /** Delay between restarts. Default "500 ms". */
  restartDelay?: string;
  /** Override parts of the TaskManager memory. */
  taskManagerMemory?: Partial<TaskManagerMemory>;
  /** Override parts of the JobManager memory. */
  jobManagerMemory?: Partial<JobManagerMemory>;
  /**
   * Network buffers every blocking result partition of a BATCH job reserves
   * (`taskmanager.network.sort-shuffle.min-buffers`). Default 64 (Flink's own is 512).
   */
  sortShuffleMinBuffers?: number;
  /** Extra config entries (flat Flink keys), written last. */
  extra?: Record<string, string | number | boolean>;
}

export interface ClusterConfig extends Required<Omit<ClusterConfigOptions, "taskManagerMemory" | "jobManagerMemory" | "extra">> {
  taskManagerMemory: TaskManagerMemory;
  jobManagerMemory: JobManagerMemory;
  extra: Record<string, string | number | boolean>;
}

/**
 * Fill in defaults. Task heap grows with the slot count (192 MiB per slot, at least 256), and
 * so does network memory (128 MiB + 64 MiB per slot).
 *
 * Network buffers: in a BATCH job every blocking result partition (one per shuffle a task
 * feeds: a keyBy, a rebalance, a broadcast) reserves `sortShuffleMinBuffers` buffers of
 * 32 KiB while its task runs. Flink's default, 512 (16 MiB), is sized for big clusters; a
 * flowbook pipeline whose one stage feeds a dozen GroupByKeys, combines, side inputs or
 * PAsserts needs that for each of them at once and failed with "Insufficient number of
 * network buffers". With 64 (2 MiB per partition) and 256 MiB for the default 2 slots, a
 * TaskManager holds 8192 buffers: 128 such partitions running at once.
 */
export function resolveClusterConfig(o: ClusterConfigOptions): ClusterConfig {
  const slots = o.slots;
  if (!Number.isInteger(slots) || slots < 1) throw new Error(`slots must be a positive integer, got ${slots}`);
  return {
    port: o.port,
    rpcPort: o.rpcPort,
    slots,
    defaultParallelism: o.defaultParallelism ?? 1,
    restartAttempts: o.restartAttempts ?? 2,
    restartDelay: o.restartDelay ?? "500 ms",
    taskManagerMemory: {
      frameworkHeap: 128,
      taskHeap: Math.max(256, 192 * slots),
      frameworkOffHeap: 128,
      taskOffHeap: 0,
      network: 128 + 64 * slots,
      managed: 64 * slots,
      metaspace: 256,
      jvmOverhead: 192,
      ...o.taskManagerMemory,
    },
    jobManagerMemory: { heap: 512, offHeap: 128, metaspace: 256, jvmOverhead: 192, ...o.jobManagerMemory },
    sortShuffleMinBuffers: o.sortShuffleMinBuffers ?? 64,
    extra: { ...o.extra },
  };
}

/** The flat Flink settings of this cluster (keys as in Flink's docs). */
export function flinkSettings(cfg: ClusterConfig, layout: ClusterLayout): Record<string, string | number | boolean> {
  const tm = cfg.taskManagerMemory;
  const jm = cfg.jobManagerMemory;
  const mb = (n: number) => `${n}m`;
  return {
    // Everything on the loopback interface.
    "jobmanager.rpc.address": "localhost",
    "jobmanager.rpc.port": cfg.rpcPort,
    "jobmanager.bind-host": "localhost",
    "taskmanager.bind-host": "localhost",
    "taskmanager.host": "localhost",
    "rest.address": "localhost",
    "rest.bind-address": "localhost",
    "rest.port": cfg.port,
    "rest.bind-port": String(cfg.port),
    // Blob server, TM RPC and data ports: any free port (0 = ephemeral).
    "blob.server.port": "0",
    "taskmanager.rpc.port": "0",
    "taskmanager.data.port": 0,

    "taskmanager.numberOfTaskSlots": cfg.slots,
    "parallelism.default": cfg.defaultParallelism,
    "taskmanager.cpu.cores": cfg.slots,

    // TaskManager memory, every component explicit (what BashJavaUtils would otherwise derive).
    "taskmanager.memory.framework.heap.size": mb(tm.frameworkHeap),
    "taskmanager.memory.task.heap.size": mb(tm.taskHeap),
    "taskmanager.memory.framework.off-heap.size": mb(tm.frameworkOffHeap),
    "taskmanager.memory.task.off-heap.size": mb(tm.taskOffHeap),
    "taskmanager.memory.network.min": mb(tm.network),
    "taskmanager.memory.network.max": mb(tm.network),
    "taskmanager.memory.managed.size": mb(tm.managed),
    "taskmanager.memory.jvm-metaspace.size": mb(tm.metaspace),
    "taskmanager.memory.jvm-overhead.min": mb(tm.jvmOverhead),
    "taskmanager.memory.jvm-overhead.max": mb(tm.jvmOverhead),
    // Buffers each blocking (sort-shuffle) result partition reserves; see resolveClusterConfig.
    "taskmanager.network.sort-shuffle.min-buffers": cfg.sortShuffleMinBuffers,

    // JobManager memory.
    "jobmanager.memory.heap.size": mb(jm.heap),
    "jobmanager.memory.off-heap.size": mb(jm.offHeap),
    "jobmanager.memory.jvm-metaspace.size": mb(jm.metaspace),
    "jobmanager.memory.jvm-overhead.min": mb(jm.jvmOverhead),
    "jobmanager.memory.jvm-overhead.max": mb(jm.jvmOverhead),
    "jobmanager.execution.failover-strategy": "region",

    // Checkpoints on the file system, under the cluster's own data dir: Flink's default keeps
    // them in the JobManager's heap, at most 5 MB a state, so a streaming job holding real
    // windows failed its checkpoints, and a lost JobManager lost them all. Savepoints of a
    // stop that names no directory go next to them. Flink 2's keys (1.x: state.checkpoint-storage,
    // state.checkpoints.dir, state.savepoints.dir); a job's flinkCheckpointDir overrides the dir.
    "execution.checkpointing.storage": "filesystem",
    "execution.checkpointing.dir": pathToFileURL(layout.checkpointsDir).href,
    "execution.checkpointing.savepoint-dir": pathToFileURL(layout.savepointsDir).href,

    // Fast registration and failure handling, suitable for a local cluster and tests.
    "cluster.registration.error-delay": "500 ms",
    "cluster.registration.initial-timeout": "100 ms",
    "restart-strategy.type": "fixed-delay",
    "restart-strategy.fixed-delay.attempts": cfg.restartAttempts,
    "restart-strategy.fixed-delay.delay": cfg.restartDelay,

    // A running job's progress and console output reach the client (the runner polls twice a
    // second) within about a second: TaskManagers report accumulators with their heartbeat,
    // the REST handlers cache a job's graph for web.refresh-interval and metrics for
    // metrics.fetcher.update-interval (Flink's defaults: 10 s, 3 s, 10 s).
    "heartbeat.interval": "1 s",
    // A TaskManager that dies is noticed within seconds anyway (its RPCs fail: Flink's
    // heartbeat.rpc-failure-threshold); one that hangs (stopped, swapping) after this instead
    // of Flink's 50 s. Generous for a busy 2-core machine, short enough for a client to report it.
    "heartbeat.timeout": "15 s",
    "web.refresh-interval": "1 s",
    "metrics.fetcher.update-interval": "1 s",

    // Temp and upload dirs inside the home, absolute.
    "io.tmp.dirs": layout.tmpDir,
    "web.tmpdir": join(layout.tmpDir, "web"),
    "web.upload.dir": join(layout.tmpDir, "jars"),
    "web.submit.enable": true,
    "web.cancel.enable": true,
    "env.java.opts.all": FLINK_JAVA17_OPTS.join(" "),

    ...cfg.extra,
  };
}

function yamlScalar(v: string | number | boolean): string {
  if (typeof v !== "string") return String(v);
  // Quote everything that is not a plain word, so YAML never reinterprets it.
  return /^[A-Za-z0-9_.\/-]+$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v) && !/^[0-9.]+$/.test(v)
    ? v
    : JSON.stringify(v);
}

/** Render Flink 2.x `config.yaml` (flat keys are valid in Flink 2's standard YAML). */
export function renderConfigYaml(cfg: ClusterConfig, layout: ClusterLayout): string {
  const lines = [
    "# Written by flowbook (src/runners/flink/cluster/config.ts) for a local standalone cluster.",
    "# Regenerated on every `flowbook flink start`; edits here are lost.",
  ];
  for (const [k, v] of Object.entries(flinkSettings(cfg, layout))) lines.push(`${k}: ${yamlScalar(v)}`);
  return lines.join("\n") + "\n";
}

/** log4j2 properties: one appending file per process (`-Dlog.file`), as Flink's own conf/log4j.properties. */
export function renderLog4jProperties(): string {
  return `# Written by flowbook for a local Flink cluster.
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender

logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.kafka.name = org.apache.kafka
logger.kafka.level = INFO
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = INFO
logger.shaded_zookeeper.name = org.apache.flink.shaded.zookeeper3
logger.shaded_zookeeper.level = INFO

appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = \${sys:log.file}
appender.main.filePattern = \${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 100MB
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 5

# Suppress the irrelevant (wrong) warnings from the Netty channel handler
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
`;
}

/** Write `config.yaml` and `log4j.properties` into the cluster's config dir; create its dirs. */
export function writeClusterConfig(cfg: ClusterConfig, layout: ClusterLayout): { configYaml: string; log4j: string } {
  for (const d of [layout.confDir, layout.logDir, layout.runDir, layout.tmpDir, join(layout.tmpDir, "jars"), join(layout.tmpDir, "web"), layout.checkpointsDir, layout.savepointsDir]) {
    mkdirSync(d, { recursive: true });
  }
  const configYaml = join(layout.confDir, "config.yaml");
  const log4j = join(layout.confDir, "log4j.properties");
  writeFileSync(configYaml, renderConfigYaml(cfg, layout));
  writeFileSync(log4j, renderLog4jProperties());
  return { configYaml, log4j };
}

function commonJvmArgs(layout: ClusterLayout, logFile: string): string[] {
  const log4j = join(layout.confDir, "log4j.properties");
  return [
    ...FLINK_JAVA17_OPTS,
    `-Djava.io.tmpdir=${layout.tmpDir}`,
    `-Dlog.file=${logFile}`,
    `-Dlog4j.configuration=file:${log4j}`,
    `-Dlog4j.configurationFile=file:${log4j}`,
    "-XX:+IgnoreUnrecognizedVMOptions",
  ];
}

/** JVM arguments (before the main class) of the JobManager. */
export function jobManagerJvmArgs(cfg: ClusterConfig, layout: ClusterLayout): string[] {
  const jm = cfg.jobManagerMemory;
  return [
    `-Xmx${jm.heap}m`,
    `-Xms${jm.heap}m`,
    `-XX:MaxMetaspaceSize=${jm.metaspace}m`,
    ...commonJvmArgs(layout, layout.jobManagerLog),
  ];
}

/** JVM arguments (before the main class) of TaskManager `index`. */
export function taskManagerJvmArgs(cfg: ClusterConfig, layout: ClusterLayout, index: number): string[] {
  const tm = cfg.taskManagerMemory;
  const heap = tm.frameworkHeap + tm.taskHeap;
  const direct = tm.frameworkOffHeap + tm.taskOffHeap + tm.network;
  return [
    `-Xmx${heap}m`,
    `-Xms${heap}m`,
    `-XX:MaxDirectMemorySize=${direct}m`,
    `-XX:MaxMetaspaceSize=${tm.metaspace}m`,
    ...commonJvmArgs(layout, layout.taskManagerLog(index)),
  ];
}
