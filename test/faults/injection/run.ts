/**
 * The fault-injection suite (issue 12, point 10), one command:
 *
 *   node --import tsx --import ./src/session/register.ts test/faults/injection/run.ts [--runs N] [--runner direct|flink] [--seed S] [--ci]
 *
 * For each runner, every case of cases.ts, one line per case with its verdict (ok, WRONG, HANG,
 * LOST: output missing), over N runs with random kill points (seeded: `--seed`, printed). Flink
 * cases run on a cluster the suite starts (port 18154, `FLOWBOOK_FAULTS_FLINK_PORT`) and stops.
 * Exits 1 on any verdict other than ok. `--ci`: only the cases marked for CI; `--only TEXT`: only
 * the cases whose name contains TEXT.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startCluster } from "../../../src/runners/flink/cluster/cluster.js";
import { clusterLayout } from "../../../src/runners/flink/cluster/layout.js";
import { readPidFiles } from "../../../src/runners/flink/cluster/processes.js";
import { ROOT, startTestCluster, type TestCluster } from "../../runners/flink/fixture.js";
import { rng } from "../../support/random.js";
import { CASES, type Case, type CaseEnv, type ClusterControl, type Expectation, type Outcome, type RunnerName } from "./cases.js";

export interface Verdict {
  run: number;
  runner: RunnerName;
  case: string;
  verdict: "ok" | "WRONG" | "HANG" | "LOST";
  ms: number;
  note: string;
}

export function judge(outcome: Outcome, e: Expectation): { verdict: Verdict["verdict"]; note: string } {
  const short = (s: string) => s.replace(/\s+/g, " ").slice(0, 160);
  if (outcome.state === "FAILED") {
    if (e.kind === "done") return { verdict: "WRONG", note: `failed: ${short(outcome.message)}` };
    const missing = (e.match ?? []).filter((m) => !m.test(outcome.message));
    if (missing.length) return { verdict: "WRONG", note: `failed, but the message lacks ${missing.join(", ")}: ${short(outcome.message)}` };
    return { verdict: "ok", note: `failed as it must: ${short(outcome.message)}` };
  }
  if (e.kind === "fail") return { verdict: "WRONG", note: `finished (${outcome.output.length} lines) where it must fail${outcome.output.length ? `: ${short(outcome.output[0]!)}` : ""}` };
  const want = e.output ?? [];
  const got = outcome.output;
  if (got.length < want.length) return { verdict: "LOST", note: `${want.length - got.length} of ${want.length} lines missing` };
  if (JSON.stringify(got) !== JSON.stringify(want)) return { verdict: "WRONG", note: `output differs (${got.length} lines, ${want.length} expected)` };
  return { verdict: "ok", note: `finished, all ${want.length} lines exact` };
}

async function runCase(c: Case, env: CaseEnv, run: number): Promise<Verdict> {
  const bound = c.timeoutMs ?? (env.runner === "flink" ? 60_000 : 30_000);
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<"hang">((r) => (timer = setTimeout(() => r("hang"), bound)));
  try {
    const r = await Promise.race([c.run(env), hang]);
    if (r === "hang") return { run, runner: env.runner, case: c.name, verdict: "HANG", ms: Date.now() - t0, note: `no answer within ${bound} ms` };
    const j = judge(r.outcome, r.expect);
    return { run, runner: env.runner, case: c.name, verdict: j.verdict, ms: Date.now() - t0, note: (r.detail ? `[${r.detail}] ` : "") + j.note };
  } catch (e) {
    return { run, runner: env.runner, case: c.name, verdict: "WRONG", ms: Date.now() - t0, note: `the case itself threw: ${(e as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

export interface SuiteOptions {
  runs: number;
  runners: RunnerName[];
  seed: number;
  ci: boolean;
  /** Only the cases whose name contains this. */
  only?: string;
  log: (line: string) => void;
  flinkPort?: number;
}

export async function runSuite(o: SuiteOptions): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  let cluster: TestCluster | undefined;
  const port = o.flinkPort ?? Number(process.env.FLOWBOOK_FAULTS_FLINK_PORT ?? 18154);
  const base = mkdtempSync(join(tmpdir(), "flowbook-faults-"));
  try {
    if (o.runners.includes("flink")) {
      cluster = await startTestCluster(port, 2);
    }
    const control: ClusterControl | undefined = cluster && {
      port,
      killTaskManager() {
        const tm = readPidFiles(clusterLayout(undefined, port)).find((e) => e.kind === "taskmanager" && e.alive);
        if (tm) process.kill(tm.pid, "SIGKILL");
      },
      async restore() {
        await startCluster({ port, slots: 2, taskManagers: 1 });
      },
    };
    for (let run = 1; run <= o.runs; run++) {
      const random = rng(o.seed + run * 7919);
      for (const runner of o.runners) {
        for (const c of CASES) {
          if (!c.runners.includes(runner) || (o.ci && !c.ci) || (o.only !== undefined && !c.name.includes(o.only))) continue;
          const dir = mkdtempSync(join(base, "case-"));
          const options = runner === "flink" ? { ...cluster!.options } : { runner: "direct", parallelism: 2 };
          const env: CaseEnv = { runner, options: options as CaseEnv["options"], dir, random, cluster: control, root: ROOT };
          const v = await runCase(c, env, run);
          verdicts.push(v);
          o.log(`run ${String(run).padStart(2)}  ${runner.padEnd(6)}  ${v.verdict.padEnd(5)}  ${(v.ms / 1000).toFixed(1).padStart(5)} s  ${c.name} — ${v.note}`);
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await cluster?.stop();
    rmSync(base, { recursive: true, force: true });
  }
  return verdicts;
}

export function summary(verdicts: Verdict[]): string {
  const by = new Map<string, number>();
  for (const v of verdicts) by.set(`${v.runner} ${v.verdict}`, (by.get(`${v.runner} ${v.verdict}`) ?? 0) + 1);
  const runs = new Set(verdicts.map((v) => v.run)).size;
  return `${verdicts.length} case runs over ${runs} run(s): ` + [...by].sort().map(([k, n]) => `${k}: ${n}`).join(", ");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { runs: { type: "string" }, runner: { type: "string" }, seed: { type: "string" }, ci: { type: "boolean" }, only: { type: "string" } },
  });
  const runners = (values.runner ? [values.runner] : ["direct", "flink"]) as RunnerName[];
  for (const r of runners) if (r !== "direct" && r !== "flink") throw new Error(`--runner direct|flink, got ${r}`);
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const runs = values.runs !== undefined ? Number(values.runs) : 1;
  console.log(`fault injection: ${runs} run(s), runners ${runners.join(", ")}, seed ${seed}${values.ci ? ", CI subset" : ""}`);
  const verdicts = await runSuite({ runs, runners, seed, ci: !!values.ci, ...(values.only !== undefined ? { only: values.only } : {}), log: (l) => console.log(l) });
  console.log(summary(verdicts));
  const bad = verdicts.filter((v) => v.verdict !== "ok");
  if (bad.length) {
    console.log(`FAILED: ${bad.length} case run(s) not ok`);
    for (const v of bad) console.log(`  run ${v.run} ${v.runner} ${v.verdict} ${v.case}: ${v.note}`);
  }
  return bad.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(2);
    },
  );
}
