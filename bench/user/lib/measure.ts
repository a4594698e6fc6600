/**
 * One whole process, measured from spawn to exit: wall time, peak RSS (GNU time's
 * "Maximum resident set size" — the largest single process — when /usr/bin/time exists, and
 * the sum over the process tree sampled from /proc), stdout/stderr, the time a stdout
 * pattern first appeared, and a memory watchdog that kills the tree above a limit
 * (the machine is shared: a GroupByKey that grows with its input must not take it down).
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Resolves the time (ms since spawn) at which stdout first satisfies this test. */
  mark?: (stdout: string) => boolean;
  /** Kill the process tree when its RSS sum goes above this (MB). */
  memLimitMb?: number;
  /** Sampling period of /proc (ms). */
  sampleMs?: number;
  /** Extra pids whose trees are sampled too (a Flink TaskManager), reported apart. */
  alsoSample?: number[];
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
  /** Seconds from spawn to `mark`, if it matched. */
  markSeconds?: number;
  /** GNU time's maximum RSS (largest process of the tree), MB. */
  maxRssMb?: number;
  /** Largest sampled sum of RSS over the process tree, MB. */
  treeRssMb: number;
  /** Largest sampled RSS sum over `alsoSample`'s trees, MB. */
  otherRssMb: number;
  killedForMemory: boolean;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

const GNU_TIME = "/usr/bin/time";
const PAGE_KB = 4;

/** pid → ppid for every process, from /proc/<pid>/stat. */
function processTable(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ppid = Number(fields[1]);
      const list = children.get(ppid);
      if (list) list.push(Number(name));
      else children.set(ppid, [Number(name)]);
    } catch {
      /* gone */
    }
  }
  return children;
}

function rssKb(pid: number): number {
  try {
    // statm: size resident shared ... (pages)
    return Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * PAGE_KB;
  } catch {
    return 0;
  }
}

function treeRssKb(root: number, table: Map<number, number[]>): number {
  let sum = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    sum += rssKb(pid);
    for (const c of table.get(pid) ?? []) stack.push(c);
  }
  return sum;
}

/** Process groups still running: killed if the benchmark itself is interrupted. */
const live = new Set<number>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const pid of live) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  };
  process.on("exit", killAll);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

export function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  hookExit();
  const useTime = existsSync(GNU_TIME);
  const timeFile = join(tmpdir(), `flowbook-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [cmd, ...args] = useTime ? [GNU_TIME, "-v", "-o", timeFile, ...argv] : argv;
  const t0 = performance.now();
  const child = spawn(cmd!, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  live.add(child.pid!);
  let stdout = "";
  let stderr = "";
  let markSeconds: number | undefined;
  let treeKb = 0;
  let otherKb = 0;
  let killedForMemory = false;
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    if (markSeconds === undefined && options.mark?.(stdout)) markSeconds = (performance.now() - t0) / 1000;
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const killTree = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  };
  const sample = () => {
    const table = processTable();
    const kb = treeRssKb(child.pid!, table);
    treeKb = Math.max(treeKb, kb);
    if (options.alsoSample?.length) otherKb = Math.max(otherKb, options.alsoSample.reduce((s, p) => s + treeRssKb(p, table), 0));
    if (options.memLimitMb && kb / 1024 > options.memLimitMb && !killedForMemory) {
      killedForMemory = true;
      killTree();
    }
  };
  const sampler = setInterval(sample, options.sampleMs ?? 100);
  let timedOut = false;
  const timeout = options.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        killTree();
      }, options.timeoutMs)
    : undefined;
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const seconds = (performance.now() - t0) / 1000;
      live.delete(child.pid!);
      clearInterval(sampler);
      if (timeout) clearTimeout(timeout);
      let maxRssMb: number | undefined;
      let exitCode = code;
      if (useTime && existsSync(timeFile)) {
        const text = readFileSync(timeFile, "utf8");
        rmSync(timeFile, { force: true });
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
        if (m) maxRssMb = Number(m[1]) / 1024;
        // The command's own status (GNU time exits with it too); a signal makes it null.
        const st = /Exit status: (\d+)/.exec(text);
        if (/Command terminated by signal/.test(text)) exitCode = null;
        else if (st) exitCode = Number(st[1]);
      }
      resolve({ code: exitCode, signal, seconds, markSeconds, maxRssMb, treeRssMb: treeKb / 1024, otherRssMb: otherKb / 1024, killedForMemory, timedOut, stdout, stderr });
    });
  });
}

/** Peak memory as printed: GNU time's figure and the sampled tree sum, whichever is larger. */
export function peakMb(r: RunResult): number {
  return Math.max(r.maxRssMb ?? 0, r.treeRssMb);
}

export function describeFailure(name: string, r: RunResult): string {
  const why = r.killedForMemory
    ? `killed above the memory limit (${peakMb(r).toFixed(0)} MB) after ${r.seconds.toFixed(1)} s`
    : r.timedOut
      ? `killed at the time limit, after ${r.seconds.toFixed(1)} s (peak ${peakMb(r).toFixed(0)} MB)`
      : `exited ${r.code ?? r.signal} after ${r.seconds.toFixed(1)} s`;
  const tail = (r.stderr || r.stdout).trim().split("\n").slice(-15).join("\n");
  return `${name} ${why}${tail ? `:\n${tail}` : ""}`;
}

/** Samples the RSS sum of some process trees (a Flink TaskManager and its Node workers) until stopped. */
export function sampleTrees(pids: number[], everyMs = 200): { stop(): number } {
  let peakKb = 0;
  const tick = () => {
    const table = processTable();
    peakKb = Math.max(peakKb, pids.reduce((s, p) => s + treeRssKb(p, table), 0));
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return peakKb / 1024;
    },
  };
}
