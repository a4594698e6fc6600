/**
 * WordCount as the README teaches it, `flowbook run --runner flink` against a local Flink
 * cluster, side by side with Flink's native Java WordCount on the same cluster
 * (flink/examples-wordcount, the job bench/flink-wordcount submits) and the hand-written
 * Node program. Cluster, REST client and jar paths are the Flink runner's own.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startCluster, stopCluster } from "../../../src/runners/flink/cluster/cluster.js";
import { bridgeJarPath } from "../../../src/runners/flink/flink_runner.js";
import { FlinkRestClient } from "../../../src/runners/flink/rest/client.js";
import { type BenchOptions, best, flowbookRun, ratioLine, ratios, row, WorkDir } from "../lib/common.js";
import { corpus, mb, repoRoot, seedFile } from "../lib/corpus.js";
import { describeFailure, run, type RunResult, sampleTrees } from "../lib/measure.js";
import { compare, linesUnder } from "../lib/outputs.js";
import { wordCountBaseline, wordCountScript } from "../lib/programs.js";

const NATIVE_JAR = join(repoRoot, "flink/examples-wordcount/target/flowbook-flink-wordcount.jar");
const NATIVE_CLASS = "dev.flowbook.examples.wordcount.WordCount";
/** flowbook's Flink runner's default parallelism; the cluster gets as many slots and the native job the same. */
const PARALLELISM = 2;

/** What `npm run setup` has not built yet (undefined when the benchmark can run). */
export async function flinkSetupMissing(): Promise<string | undefined> {
  for (const [what, f] of [["the Flink bridge jar", bridgeJarPath()], ["the native WordCount jar", NATIVE_JAR]] as const) {
    if (!existsSync(f)) return `${what} is missing: ${f} (run \`npm run setup\`)`;
  }
  return undefined;
}

export async function flinkWordcount(opts: BenchOptions): Promise<boolean> {
  const missing = await flinkSetupMissing();
  if (missing) throw new Error(missing);
  const c = await corpus(opts.quick ? 10 : 100);
  const work = new WorkDir(opts.keep);
  const port = opts.port;
  const flinkArgs = ["--runner", "flink", "--flinkMaster", `localhost:${port}`];
  const baseline = work.write("wordcount.mjs", wordCountBaseline);
  const fbOut = work.path("flowbook-out");
  const script = work.write("wordcount.ts", wordCountScript(c.file, `${fbOut}/counts`));
  const warmScript = work.write("warmup.ts", wordCountScript(seedFile, `${work.path("warm-out")}/counts`));

  console.log(`starting a local Flink cluster on port ${port} (1 TaskManager, ${PARALLELISM} slots)…`);
  const cluster = await startCluster({
    port,
    slots: PARALLELISM,
    taskManagers: 1,
    // As bench/flink-wordcount configures it: enough network buffers for the sort shuffles.
    config: { taskManagerMemory: { network: 384 }, extra: { "taskmanager.network.sort-shuffle.min-buffers": 64 } },
  });
  const tmPids = cluster.taskManagers.map((t) => t.pid);
  const client = new FlinkRestClient(port);
  const baseRuns: RunResult[] = [];
  const fbRuns: RunResult[] = [];
  const nativeSecs: number[] = [];
  const nativePeaks: number[] = [];
  const verdicts = new Set<string>();
  let ok = true;

  const runNative = async (input: string, out: string): Promise<{ seconds: number; state: string }> => {
    const t0 = performance.now();
    const jarId = await client.uploadJar(NATIVE_JAR);
    const jobId = await client.runJar(jarId, { entryClass: NATIVE_CLASS, programArgsList: ["--input", input, "--output", out, "--parallelism", String(PARALLELISM)] });
    const state = await client.waitForJob(jobId, { pollMs: 50, timeoutMs: 3_600_000 });
    return { seconds: (performance.now() - t0) / 1000, state };
  };

  try {
    // Warm-up (untimed): the cluster's JVMs have loaded and compiled both jobs' classes once.
    const warmFb = await run(flowbookRun(warmScript, ...flinkArgs), { cwd: work.dir });
    if (warmFb.code !== 0) throw new Error(describeFailure("the warm-up flowbook run --runner flink", warmFb));
    const warmNative = await runNative(seedFile, work.path("warm-native"));
    if (warmNative.state !== "FINISHED") throw new Error(`the warm-up native job ended ${warmNative.state}`);

    for (let i = 0; i < opts.repeat; i++) {
      const baseOut = work.path(`baseline-out-${i}`);
      mkdirSync(baseOut);
      const base = await run([process.execPath, baseline, c.file, `${baseOut}/counts.txt`], { cwd: work.dir });
      if (base.code !== 0) throw new Error(describeFailure("the hand-written word count", base));
      baseRuns.push(base);

      const nativeOut = work.path(`native-out-${i}`);
      const sampler = sampleTrees(tmPids);
      const nat = await runNative(c.file, nativeOut);
      nativePeaks.push(sampler.stop());
      if (nat.state !== "FINISHED") {
        console.log(`  the native Flink job ended ${nat.state}`);
        ok = false;
      } else nativeSecs.push(nat.seconds);
      if (i === 0 && nat.state === "FINISHED") {
        // Its tokens are Flink's example's (lower case, \W+): checked against the same rule in Node.
        const check = work.path("native-check");
        mkdirSync(check);
        const r = await run([process.execPath, baseline, c.file, `${check}/counts.txt`, "--flink-tokens"], { cwd: work.dir });
        const v = compare(linesUnder(check), linesUnder(nativeOut));
        verdicts.add(`native Flink job vs the hand-written count with Flink's tokenizer (lower case, \\W+): ${r.code === 0 ? v.text : "not checked"}`);
        if (!v.same) ok = false;
      }

      rmSync(fbOut, { recursive: true, force: true });
      const fb = await run(flowbookRun(script, ...flinkArgs), { cwd: work.dir, alsoSample: tmPids, memLimitMb: opts.memLimitMb, timeoutMs: opts.timeoutS * 1000 });
      if (fb.code !== 0) {
        console.log(`  ${describeFailure("flowbook run --runner flink", fb)}`);
        ok = false;
        continue;
      }
      fbRuns.push(fb);
      const v = compare(linesUnder(baseOut), linesUnder(fbOut));
      verdicts.add(`flowbook on Flink vs the hand-written Node count: ${v.text}`);
      if (!v.same) ok = false;
    }
  } finally {
    work.done();
    if (!cluster.alreadyRunning) await stopCluster({ port, graceMs: 5_000 });
    console.log(`(cluster on port ${port} ${cluster.alreadyRunning ? "was already running: left running" : "stopped"})`);
  }

  console.log(`WordCount on Flink ${cluster.flinkVersion} (1 TaskManager, parallelism ${PARALLELISM}, warm cluster) over ${mb(c.bytes)} (${c.file}), ${opts.repeat} run${opts.repeat > 1 ? "s" : ""} of each`);
  if (nativeSecs.length) {
    console.log(row("native Flink Java WordCount (upload → FINISHED)", nativeSecs, c.bytes, [], ""));
    console.log(`    TaskManager process tree peak RSS: ${Math.max(...nativePeaks).toFixed(0)} MB`);
  }
  if (fbRuns.length) {
    console.log(row("flowbook run --runner flink (spawn → exit)", fbRuns.map((r) => r.seconds), c.bytes, fbRuns, " (client process)"));
    console.log(`    TaskManager process tree (JVM + Node workers) peak RSS: ${Math.max(...fbRuns.map((r) => r.otherRssMb)).toFixed(0)} MB`);
  }
  if (baseRuns.length) console.log(row("hand-written Node (1 thread, Map)", baseRuns.map((r) => r.seconds), c.bytes, baseRuns));
  if (nativeSecs.length && fbRuns.length) {
    const f = best(fbRuns.map((r) => r.seconds));
    console.log(ratioLine(best(nativeSecs), f, "  (baseline: the native Flink job; >1: flowbook faster)", `WordCount on Flink, ${mb(c.bytes)}: flowbook run --runner flink vs the native Flink job`));
    if (baseRuns.length) {
      const b = best(baseRuns.map((r) => r.seconds));
      ratios.push({ what: `WordCount on Flink, ${mb(c.bytes)}: flowbook run --runner flink vs hand-written Node`, baselineSeconds: b, flowbookSeconds: f });
      console.log(`ratio (hand-written Node time / flowbook on Flink time): ${(b / f).toFixed(2)}`);
    }
  } else console.log("ratio (baseline time / flowbook time): n/a (a side did not finish)");
  console.log(`outputs: ${[...verdicts].join("; ")}`);
  return ok;
}
