/**
 * bench/flink-wordcount: WordCount over the ~111 MB corpus, side by side —
 *   1. a native Flink Java WordCount (flink/examples-wordcount, DataStream API, BATCH),
 *   2. flowbook on the same Flink cluster (the Flink runner: Java sources, shuffles and the
 *      native count; the user's DoFns in Node workers),
 *   3. flowbook's local runner —
 * with throughput, the ratios, whether flowbook's two runners give identical counts, and the
 * latency from submission to the first record on a warm cluster (target < 3 s).
 *
 * Usage: npm run bench:flink-wordcount [-- --mb 111 --parallelism 2 --port 18096 --repeat 1]
 *   (node --import tsx --import ./src/session/register.ts bench/flink-wordcount/run.ts ...)
 * Starts a local cluster on --port (1 TaskManager × parallelism slots) and stops it after,
 * unless one already runs there. Needs scripts/flink-setup.sh to have run (jars built).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Create, DoFn, Metrics, ParDo, Pipeline, StringUtf8Coder, TextIO, type ProcessContext } from "../../src/index.js";
import { CountWords, FormatAsTextFn } from "../../src/examples/word_count.js";
import { startCluster, stopCluster } from "../../src/runners/flink/cluster/cluster.js";
import { bridgeJarPath, FlinkPipelineResult } from "../../src/runners/flink/flink_runner.js";
import { FlinkRestClient } from "../../src/runners/flink/rest/client.js";
import { corpus } from "../wordcount/corpus.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const mb = Number(opt("mb", "111"));
const parallelism = Number(opt("parallelism", "2"));
const port = Number(opt("port", "18096"));
const repeat = Math.max(1, Number(opt("repeat", "1")));
const workerBundle = join(root, "dist/flink-worker/flowbook-worker.mjs");
const nativeJar = join(root, "flink/examples-wordcount/target/flowbook-flink-wordcount.jar");

/** Stamps the time the first element reached user code, as a gauge. */
class FirstRecordFn extends DoFn<number, number> {
  private stamped = false;
  processElement(c: ProcessContext<number, number>) {
    if (!this.stamped) {
      this.stamped = true;
      Metrics.gauge("bench", "firstRecordAt").set(Date.now());
    }
    c.output(c.element());
  }
}

function readCounts(dir: string, prefix: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of readdirSync(dir).filter((n) => n.startsWith(prefix))) {
    for (const line of readFileSync(join(dir, f), "utf8").split("\n")) {
      if (!line) continue;
      const i = line.lastIndexOf(": ");
      m.set(line.slice(0, i), Number(line.slice(i + 2)));
    }
  }
  return m;
}

function sameCounts(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

const best = (xs: number[]) => Math.min(...xs);

async function main(): Promise<void> {
  for (const [what, f] of [["bridge jar", bridgeJarPath()], ["native WordCount jar", nativeJar]] as const) {
    if (!existsSync(f)) throw new Error(`${what} missing: ${f} (run scripts/flink-setup.sh)`);
  }
  execFileSync(process.execPath, [join(root, "scripts/bundle-workers.mjs"), "--quiet"], { stdio: "inherit" });
  const file = await corpus(mb * 1_000_000);
  const size = statSync(file).size;
  const work = mkdtempSync(join(tmpdir(), "flowbook-flink-bench-"));
  const cluster = await startCluster({
    port,
    slots: Math.max(2, parallelism),
    taskManagers: 1,
    config: { taskManagerMemory: { network: 384 }, extra: { "taskmanager.network.sort-shuffle.min-buffers": 64 } },
  });
  const client = new FlinkRestClient(port);
  const flinkOptions = { runner: "flink", flinkMaster: `localhost:${port}`, flinkWorkerCommand: workerBundle, parallelism };
  try {
    // Warm up: the jars uploaded, the TaskManager's JVM and the worker bundle's file cache warm.
    const warm = Pipeline.create({ ...flinkOptions, name: "bench-warmup" });
    warm.apply(Create.of(1, 2, 3)).apply("Warm", ParDo.of(new FirstRecordFn()));
    await warm.run().waitUntilFinish();
    const nativeJarId = await client.uploadJar(nativeJar);

    // Submission → first record, on the warm cluster.
    const latencies: number[] = [];
    const running: number[] = [];
    for (let i = 0; i < Math.max(3, repeat); i++) {
      const p = Pipeline.create({ ...flinkOptions, name: "bench-latency", parallelism: 1 });
      p.apply(Create.of(1)).apply("Stamp", ParDo.of(new FirstRecordFn()));
      const t0 = Date.now();
      const r = p.run() as FlinkPipelineResult;
      const jobId = await r.jobIdPromise;
      await client.waitForJob(jobId, { until: new Set(["RUNNING", "FINISHED", "FAILED"]), pollMs: 20 });
      running.push(Date.now() - t0);
      await r.waitUntilFinish();
      const g = r.metrics().queryMetrics({ name: "firstRecordAt" }).gauges[0];
      if (!g) throw new Error("the latency job reported no first record");
      latencies.push(g.committed.value - t0);
    }

    const flinkSecs: number[] = [];
    const nativeSecs: number[] = [];
    const localSecs: number[] = [];
    let flinkCounts = new Map<string, number>();
    let localCounts = new Map<string, number>();
    let nativeWords = 0;
    for (let i = 0; i < repeat; i++) {
      // 1. Native Flink Java WordCount.
      const nativeOut = join(work, `native-${i}`);
      let t0 = performance.now();
      const jobId = await client.runJar(nativeJarId, {
        entryClass: "dev.flowbook.examples.wordcount.WordCount",
        programArgsList: ["--input", file, "--output", nativeOut, "--parallelism", String(parallelism)],
      });
      const state = await client.waitForJob(jobId, { pollMs: 50 });
      nativeSecs.push((performance.now() - t0) / 1000);
      if (state !== "FINISHED") throw new Error(`the native WordCount job ended ${state}`);
      nativeWords = [...readdirSync(nativeOut, { recursive: true })].filter((f) => String(f).endsWith(".txt"))
        .reduce((n, f) => n + readFileSync(join(nativeOut, String(f)), "utf8").split("\n").filter(Boolean).length, 0);

      // 2. flowbook on Flink.
      const fbOut = join(work, `flink-${i}`);
      const p = Pipeline.create({ ...flinkOptions, name: "bench-flowbook-wordcount", enforceEncodability: false, enforceImmutability: false });
      p.apply("ReadLines", TextIO.read().from(file))
        .apply("CountWords", new CountWords())
        .apply("Format", ParDo.of(new FormatAsTextFn()))
        .setCoder(StringUtf8Coder.of())
        .apply("Write", TextIO.write().to(join(fbOut, "counts")));
      t0 = performance.now();
      await p.run().waitUntilFinish();
      flinkSecs.push((performance.now() - t0) / 1000);
      flinkCounts = readCounts(fbOut, "counts");

      // 3. flowbook's local runner (its own process, as bench/wordcount runs it).
      const localOut = join(work, `local-${i}`);
      const out = execFileSync(process.execPath, ["--import", "tsx", join(root, "bench/wordcount/flowbook_run.ts"), file, join(localOut, "counts"), String(parallelism)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
      localSecs.push((JSON.parse(out.trim().split("\n").pop()!) as { seconds: number }).seconds);
      localCounts = readCounts(localOut, "counts");
    }

    const n = best(nativeSecs);
    const f = best(flinkSecs);
    const l = best(localSecs);
    const rate = (s: number) => size / 1e6 / s;
    const row = (name: string, s: number, vsNative: string, vsLocal: string) =>
      `${name.padEnd(42)} ${s.toFixed(2).padStart(7)} s ${rate(s).toFixed(1).padStart(7)} MB/s ${vsNative.padStart(11)} ${vsLocal.padStart(11)}`;
    const info = await client.config();
    console.log(`WordCount over ${(size / 1e6).toFixed(1)} MB (${file}), parallelism ${parallelism}, Flink ${info["flink-version"]} (1 TaskManager), best of ${repeat}`);
    console.log(`${"".padEnd(42)} ${"time".padStart(9)} ${"throughput".padStart(12)} ${"÷ native".padStart(11)} ${"÷ local".padStart(11)}`);
    console.log(row("native Flink Java WordCount (DataStream)", n, "1.00", (l / n).toFixed(2)));
    console.log(row("flowbook on Flink (Flink runner)", f, (n / f).toFixed(2), (l / f).toFixed(2)));
    console.log(row("flowbook local runner", l, (n / l).toFixed(2), "1.00"));
    console.log(`(ratios are throughput ratios: above 1 means faster than the column's baseline)`);
    const lat = best(latencies) / 1000;
    console.log(`submission → first record on the warm cluster: ${lat.toFixed(2)} s best, ${(latencies.reduce((a, b) => a + b, 0) / latencies.length / 1000).toFixed(2)} s mean of ${latencies.length} (target < 3 s: ${lat < 3 ? "met" : "NOT MET"}); submission → job RUNNING ${(best(running) / 1000).toFixed(2)} s`);
    const same = sameCounts(flinkCounts, localCounts);
    console.log(`counts: flowbook on Flink and the local runner ${same ? "identical" : "DIFFER"} (${flinkCounts.size} words); the native Java job tokenizes as Flink's example does (lower case, \\W+): ${nativeWords} words`);
    if (!same || lat >= 3) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (!cluster.alreadyRunning) await stopCluster({ port, graceMs: 5_000 });
  }
}

await main();
