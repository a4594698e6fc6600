/**
 * bench/nexmark: Nexmark queries 0, 5 and 11 as users write them, run by `flowbook run` on the
 * local runner and on a local Flink cluster, side by side with native Flink DataStream jobs
 * for the same queries on the same cluster (flink/examples-nexmark). Prints events per second
 * and ratios; exits 1 if a side failed or if results differ between flowbook and the native job.
 *
 *   node --import tsx bench/nexmark/run.ts [q0|q5|q11|all] [--events N] [--quick] [--seed S]
 *        [--runners local,flink] [--mode bounded|unbounded|both] [--rate R] [--repeat N]
 *        [--port 18231] [--timeout-s S] [--keep]
 *
 * Needs `npm run build` (it runs dist/src/cli/main.js); the Flink side needs `npm run setup`
 * (Flink's jars, the bridge jar) and builds flink/examples-nexmark if its jar is missing.
 * See bench/nexmark/README.md.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { startCluster, stopCluster } from "../../src/runners/flink/cluster/cluster.js";
import { bridgeJarPath } from "../../src/runners/flink/flink_runner.js";
import type { JobOverview } from "../../src/runners/flink/rest/client.js";
import { FlinkRestClient } from "../../src/runners/flink/rest/client.js";
import { best, flowbookRun, machineNote, median, WorkDir } from "../user/lib/common.js";
import { repoRoot } from "../user/lib/corpus.js";
import { describeFailure, run } from "../user/lib/measure.js";
import { compare } from "../user/lib/outputs.js";
import { queryResult, type QueryResult } from "./results.js";
import { nativeClass, type Query, QUERIES, queryScript } from "./scripts.js";

const HELP = `usage: node --import tsx bench/nexmark/run.ts [q0|q5|q11|all] [options]

  --events N          events per run (default 1000000; --quick: 100000)
  --seed S            generator seed (default 0)
  --runners LIST      local,flink (default both; flink is skipped, saying why, without its jars)
  --mode M            bounded (GenerateSequence.to(N): batch jobs, the default), unbounded
                      (.withRate(R): streaming jobs that end with the sequence), or both
  --rate R            events a second of the unbounded source (default 1000000: unthrottled here)
  --repeat N          runs of each side (best compared, median shown)
  --port P            the local Flink cluster's REST port (default 18231)
  --timeout-s S       kill a flowbook run after S seconds (default 1800)
  --keep              keep the temporary directory (scripts, outputs)`;

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const VALUED = ["--events", "--seed", "--runners", "--mode", "--rate", "--repeat", "--port", "--timeout-s"];
const value = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const names = argv.filter((a, i) => !a.startsWith("--") && !(i > 0 && VALUED.includes(argv[i - 1]!)));
if (flag("help") || names.length > 1 || (names[0] && names[0] !== "all" && !QUERIES.includes(names[0] as Query))) {
  console.log(HELP);
  process.exit(flag("help") ? 0 : 2);
}
const queries: Query[] = !names[0] || names[0] === "all" ? [...QUERIES] : [names[0] as Query];
const events = Number(value("events", flag("quick") ? "100000" : "1000000"));
const seed = Number(value("seed", "0"));
const runners = value("runners", "local,flink").split(",");
const modeArg = value("mode", "bounded");
const modes = modeArg === "both" ? (["bounded", "unbounded"] as const) : ([modeArg] as ("bounded" | "unbounded")[]);
const rate = Number(value("rate", "1000000"));
const repeat = Math.max(1, Number(value("repeat", "1")) || 1);
const port = Number(value("port", "18231"));
const timeoutS = Number(value("timeout-s", "1800"));
if (!Number.isSafeInteger(events) || events <= 0 || !modes.every((m) => m === "bounded" || m === "unbounded")) {
  console.log(HELP);
  process.exit(2);
}

const NATIVE_POM = join(repoRoot, "flink/examples-nexmark/pom.xml");
const NATIVE_JAR = join(repoRoot, "flink/examples-nexmark/target/flowbook-flink-nexmark.jar");
/** The Flink runner's default parallelism; the cluster gets as many slots, the native jobs the same. */
const PARALLELISM = 2;

/** One timed run of one side. */
interface Measured {
  seconds: number;
  /** Flink's own duration of the job (start → end), when it ran on Flink. */
  jobSeconds?: number;
  load: number;
}

interface Side {
  name: string;
  runs: Measured[];
  result?: QueryResult;
  failure?: string;
  /** Refused by the runner (what it cannot run yet), not a failure of the benchmark. */
  refused?: string;
}

const load1 = () => loadavg()[0]!;
const fmtRate = (n: number, s: number) => `${Math.round(n / s).toLocaleString("en-US")} ev/s`;

/** What flink-setup has not built: undefined when the Flink side can run. */
function flinkMissing(): string | undefined {
  if (!existsSync(bridgeJarPath())) return `the Flink bridge jar is missing: ${bridgeJarPath()} (run \`npm run setup\`)`;
  if (!existsSync(NATIVE_JAR)) {
    console.log("building flink/examples-nexmark (the native jobs)…");
    const r = spawnSync("flock", ["/tmp/flowbook-mvn.lock", "mvn", "-q", "-B", "-ntp", "-f", NATIVE_POM, "package"], { cwd: repoRoot, stdio: "inherit" });
    if (r.status !== 0 || !existsSync(NATIVE_JAR)) return `could not build ${NATIVE_JAR}`;
  }
  return undefined;
}

/** The newest job on the cluster that started after `since` (the one a flowbook run submitted). */
async function newestJob(client: FlinkRestClient, since: number): Promise<JobOverview | undefined> {
  const jobs = (await client.jobsOverview()).filter((j) => j["start-time"] >= since);
  return jobs.sort((a, b) => b["start-time"] - a["start-time"])[0];
}

/**
 * The refusals that are known limits, reported and not failed: the Flink runner's batch
 * grouping fires each window once (Q11's trigger fires more), and unbounded sources on a
 * runner that does not stream yet. Any other error fails the benchmark.
 */
const REFUSAL = /fires each window once over bounded input|reads bounded sequences only|has no unbounded sources yet/;

async function main(): Promise<boolean> {
  console.log(`bench/nexmark (${machineNote()})`);
  console.log(`${events.toLocaleString("en-US")} events, seed ${seed}; queries ${queries.join(", ")}; mode ${modes.join(", ")}; runners ${runners.join(", ")}; ${repeat} run(s) of each side`);
  const work = new WorkDir(flag("keep"));
  copyFileSync(join(repoRoot, "bench/nexmark/generator.ts"), work.path("nexmark.ts"));

  let missing = runners.includes("flink") ? flinkMissing() : "not asked for (--runners)";
  let client: FlinkRestClient | undefined;
  let clusterStarted = false;
  let tmPids: number[] = [];
  if (!missing) {
    console.log(`starting a local Flink cluster on port ${port} (1 TaskManager, ${PARALLELISM} slots)…`);
    try {
      const cluster = await startCluster({
        port,
        slots: PARALLELISM,
        taskManagers: 1,
        config: { taskManagerMemory: { network: 384 }, extra: { "taskmanager.network.sort-shuffle.min-buffers": 64 } },
      });
      clusterStarted = !cluster.alreadyRunning;
      tmPids = cluster.taskManagers.map((t) => t.pid);
      client = new FlinkRestClient(port);
      console.log(`Flink ${cluster.flinkVersion}`);
    } catch (e) {
      missing = `the cluster did not start: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (missing && runners.includes("flink")) console.log(`Flink side skipped: ${missing}`);

  let ok = true;
  const summary: string[] = [];
  let jarId: string | undefined;
  try {
    if (client) jarId = await client.uploadJar(NATIVE_JAR);
    for (const mode of modes) {
      for (const q of queries) {
        const r = await benchQuery(q, mode, work, client, jarId, tmPids);
        ok = r.ok && ok;
        summary.push(...r.summary);
      }
    }
  } finally {
    if (client && jarId) await client.deleteJar(jarId).catch(() => {});
    work.done();
    if (clusterStarted) {
      await stopCluster({ port, graceMs: 5_000 });
      console.log(`(cluster on port ${port} stopped)`);
    }
  }
  console.log("\nsummary (events per second; ratio = flowbook's rate / the native job's rate, >1: flowbook faster)");
  for (const s of summary) console.log(`  ${s}`);
  return ok;
}

async function benchQuery(
  q: Query,
  mode: "bounded" | "unbounded",
  work: WorkDir,
  client: FlinkRestClient | undefined,
  jarId: string | undefined,
  tmPids: number[],
): Promise<{ ok: boolean; summary: string[] }> {
  const title = `${q.toUpperCase()} (${{ q0: "pass-through", q5: "hot items: sliding windows + a combiner", q11: "user sessions: sessions + a count trigger" }[q]}), ${mode}`;
  console.log(`\n${title}`);
  const unbounded = mode === "unbounded";
  // An unbounded GenerateSequence stamps each number with the wall clock and its watermark
  // follows it: event times from 1 January 2026 would all be late. Unbounded runs count event
  // time from an hour ahead (a multiple of 10 s), the same for every side of this query.
  const baseTime = unbounded ? Math.ceil((Date.now() + 3_600_000) / 10_000) * 10_000 : undefined;
  const scriptFor = (n: number, out: string) => queryScript(q, { events: n, seed, out: `${out}/part`, rate: unbounded ? rate : undefined, baseTime });
  const local: Side = { name: "flowbook run (local runner), spawn → exit", runs: [] };
  const fbFlink: Side = { name: "flowbook run --runner flink, spawn → exit", runs: [] };
  const native: Side = { name: "native Flink DataStream job, submit → FINISHED", runs: [] };
  const flinkArgs = ["--runner", "flink", "--flinkMaster", `localhost:${port}`];

  const runFlowbook = async (side: Side, extra: string[], tag: string, i: number, n = events): Promise<string | undefined> => {
    const out = work.path(`${q}-${mode}-${tag}-${i}`);
    rmSync(out, { recursive: true, force: true });
    const script = work.write(`${q}-${mode}-${tag}-${i}.ts`, scriptFor(n, out));
    const load = load1();
    const since = Date.now();
    const r = await run(flowbookRun(script, ...extra), { cwd: work.dir, timeoutMs: timeoutS * 1000, alsoSample: tmPids });
    if (r.code !== 0) {
      const text = describeFailure(side.name, r);
      if (REFUSAL.test(r.stderr + r.stdout) && !r.timedOut) side.refused = (r.stderr || r.stdout).trim().split("\n").find((l) => REFUSAL.test(l))?.trim() ?? text;
      else side.failure = text;
      return undefined;
    }
    if (n !== events) return out; // a warm-up
    const job = extra.length && client ? await newestJob(client, since - 1000) : undefined;
    side.runs.push({ seconds: r.seconds, jobSeconds: job ? job.duration / 1000 : undefined, load });
    return out;
  };

  const runNative = async (i: number, n = events): Promise<string | undefined> => {
    const out = work.path(`${q}-${mode}-native-${i}`);
    const load = load1();
    const t0 = performance.now();
    const args = ["--events", String(n), "--seed", String(seed), "--output", out, "--parallelism", String(PARALLELISM), ...(unbounded ? ["--streaming", "--base-time", String(baseTime)] : [])];
    const jobId = await client!.runJar(jarId!, { entryClass: nativeClass(q), programArgsList: args });
    const state = await client!.waitForJob(jobId, { pollMs: 50, timeoutMs: timeoutS * 1000 });
    const seconds = (performance.now() - t0) / 1000;
    if (state !== "FINISHED") {
      const ex = await client!.jobExceptions(jobId).catch(() => undefined);
      native.failure = `the native job ended ${state}${ex ? `: ${JSON.stringify(ex).slice(0, 600)}` : ""}`;
      return undefined;
    }
    if (n !== events) return out;
    const details = await client!.jobDetails(jobId);
    native.runs.push({ seconds, jobSeconds: details.duration / 1000, load });
    return out;
  };

  const outs: { local?: string; fbFlink?: string; native?: string } = {};
  if (client && jarId) {
    // Warm-up (untimed): the cluster has loaded both jobs' classes and started Node workers once.
    await runNative(-1, 20_000);
    await runFlowbook(fbFlink, flinkArgs, "flink", -1, 20_000);
  }
  for (let i = 0; i < repeat; i++) {
    if (runners.includes("local") && !local.failure && !local.refused) outs.local = (await runFlowbook(local, [], "local", i)) ?? outs.local;
    if (client && jarId) {
      if (!native.failure) outs.native = (await runNative(i)) ?? outs.native;
      if (!fbFlink.failure && !fbFlink.refused) outs.fbFlink = (await runFlowbook(fbFlink, flinkArgs, "flink", i)) ?? outs.fbFlink;
    }
  }
  if (outs.local) local.result = await queryResult(q, outs.local);
  if (outs.fbFlink) fbFlink.result = await queryResult(q, outs.fbFlink);
  if (outs.native) native.result = await queryResult(q, outs.native);

  let ok = true;
  const summary: string[] = [];
  for (const side of [native, fbFlink, local]) {
    if (side === native && !client) continue;
    if (side === local && !runners.includes("local")) continue;
    if (side.failure) {
      console.log(`  ${side.name}: FAILED — ${side.failure}`);
      ok = false;
      continue;
    }
    if (side.refused) {
      console.log(`  ${side.name}: not run — the runner refuses it: ${side.refused}`);
      continue;
    }
    if (!side.runs.length) continue;
    const secs = side.runs.map((r) => r.seconds);
    const jobs = side.runs.map((r) => r.jobSeconds).filter((s): s is number => s !== undefined);
    const b = side.runs.find((r) => r.seconds === best(secs))!;
    const t = `${best(secs).toFixed(2)} s${secs.length > 1 ? ` (median ${median(secs).toFixed(2)})` : ""}`;
    const job = jobs.length ? `; Flink job ${best(jobs).toFixed(2)} s = ${fmtRate(events, best(jobs))}` : "";
    console.log(`  ${side.name.padEnd(48)} ${t.padStart(22)} = ${fmtRate(events, best(secs)).padStart(14)}${job}  [load ${b.load.toFixed(1)}; ${side.result?.summary ?? "no result"}]`);
  }

  // Results: each flowbook side against the native job (against each other without Flink).
  const reference = native.result ? native : undefined;
  const checks: [Side, Side][] = reference ? [[fbFlink, reference], [local, reference]] : [[local, fbFlink]];
  const verdicts: string[] = [];
  for (const [a, b] of checks) {
    if (!a.result || !b.result) continue;
    const v = compare(b.result.lines, a.result.lines);
    verdicts.push(`${a === local ? "local runner" : "flowbook on Flink"} vs ${b === native ? "native Flink" : "flowbook on Flink"}: ${v.text}`);
    if (!v.same) ok = false;
  }
  console.log(`  results${q === "q11" ? " (sessions: panes merged per bidder)" : ""}: ${verdicts.length ? verdicts.join("; ") : "not compared (fewer than two sides ran)"}`);

  const rateOf = (s: Side, job: boolean) => {
    const xs = s.runs.map((r) => (job ? r.jobSeconds : r.seconds)).filter((x): x is number => x !== undefined);
    return xs.length ? events / best(xs) : undefined;
  };
  const nat = rateOf(native, false);
  const natJob = rateOf(native, true);
  for (const [side, label] of [[fbFlink, "flowbook on Flink"], [local, "flowbook local"]] as const) {
    if ((side === local && !runners.includes("local")) || (side === fbFlink && !client)) continue;
    const r = rateOf(side, false);
    if (r === undefined) {
      summary.push(`${q.toUpperCase().padEnd(4)} ${mode.padEnd(9)} ${label.padEnd(18)} n/a${side.refused ? " (refused by the runner)" : side.failure ? " (failed)" : ""}`);
      continue;
    }
    const rj = rateOf(side, true);
    const vsNative = nat ? `  ratio ${(r / nat).toFixed(2)}` : "";
    const vsJob = side === fbFlink && rj && natJob ? `, jobs alone ${(rj / natJob).toFixed(2)}` : "";
    summary.push(`${q.toUpperCase().padEnd(4)} ${mode.padEnd(9)} ${label.padEnd(18)} ${fmtRate(events, events / r).padStart(14)}${nat ? ` vs native ${fmtRate(events, events / nat)}` : ""}${vsNative}${vsJob}  (load ${side.runs[0]!.load.toFixed(1)})`);
  }
  if (nat) console.log(`  ratio (flowbook's events/s ÷ the native job's): ${[fbFlink, local].map((s) => { const r = rateOf(s, false); return r ? `${s === local ? "local runner" : "flowbook on Flink"} ${(r / nat).toFixed(2)}` : undefined; }).filter(Boolean).join(", ") || "n/a"}`);
  return { ok, summary };
}

const ok = await main().catch((e) => {
  console.error(e instanceof Error ? e.stack : String(e));
  return false;
});
process.exitCode = ok ? 0 : 1;
