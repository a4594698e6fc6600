import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./corpus.js";
import { peakMb, type RunResult } from "./measure.js";

export interface BenchOptions {
  /** ≈ 11 MB instead of ≈ 111 MB. */
  quick: boolean;
  /** gbk: also the ≈ 1.1 GB corpus. */
  large: boolean;
  /** Runs of each side; the table shows the best, the median too when > 1. */
  repeat: number;
  /** A watchdog kills a process tree above this RSS (MB). */
  memLimitMb: number;
  /** Kill a flowbook run after this many seconds (0: never), reported as timed out. */
  timeoutS: number;
  /** flink-wordcount: the local cluster's REST port. */
  port: number;
  /** Keep the temporary directory (scripts, outputs). */
  keep: boolean;
}

export const cli = join(repoRoot, "dist/src/cli/main.js");

/** `flowbook run SCRIPT [...]`, as a user runs it (the built CLI). */
export function flowbookRun(script: string, ...rest: string[]): string[] {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (benchmarks measure what ships)`);
  return [process.execPath, cli, "run", script, ...rest];
}

export class WorkDir {
  readonly dir = mkdtempSync(join(tmpdir(), "flowbook-user-bench-"));
  constructor(private readonly keep: boolean) {}
  write(name: string, text: string): string {
    const f = join(this.dir, name);
    writeFileSync(f, text);
    return f;
  }
  path(name: string): string {
    return join(this.dir, name);
  }
  done(): void {
    if (this.keep) console.log(`(kept ${this.dir})`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

export const best = (xs: number[]) => Math.min(...xs);
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

export function secs(xs: number[]): string {
  return xs.length > 1 ? `${best(xs).toFixed(2)} s (median ${median(xs).toFixed(2)})` : `${xs[0]!.toFixed(2)} s`;
}

/** One line of a result table: name, time(s), throughput, peak memory. */
export function row(name: string, times: number[], bytes: number | undefined, runs: RunResult[], memNote = ""): string {
  const t = best(times);
  const rate = bytes ? `${(bytes / 1e6 / t).toFixed(1).padStart(7)} MB/s` : "".padStart(12);
  const peak = runs.length ? `${`${Math.max(...runs.map(peakMb)).toFixed(0)} MB`.padStart(9)} peak RSS${memNote}` : "";
  return `  ${name.padEnd(48)} ${secs(times).padStart(24)} ${rate} ${peak}`;
}

/** One ratio a benchmark printed, for run.ts's closing summary. */
export interface Ratio {
  /** What flowbook ran against what ("WordCount over 111.5 MB vs hand-written Node"). */
  what: string;
  baselineSeconds: number;
  flowbookSeconds: number;
}

/** Every ratio printed in this process, in order. */
export const ratios: Ratio[] = [];

/**
 * The line a benchmark prints for its ratio; `what` names the comparison for the closing
 * summary (run.ts), where every benchmark's ratio stands beside the others.
 */
export function ratioLine(baselineSeconds: number, flowbookSeconds: number, note = "", what?: string): string {
  if (what) ratios.push({ what, baselineSeconds, flowbookSeconds });
  const r = baselineSeconds / flowbookSeconds;
  const times = r < 1 ? ` — flowbook took ${(1 / r).toFixed(1)}× as long` : "";
  return `ratio (baseline time / flowbook time): ${r.toFixed(2)}${times}${note}`;
}

/** The machine as the run found it: the numbers mean little without it. */
export function machineNote(): string {
  const [l1] = loadavg();
  return `${cpus().length} cores, load average ${l1!.toFixed(1)} at start, Node ${process.version}`;
}
