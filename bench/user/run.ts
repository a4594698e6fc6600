/**
 * bench/user: what users run, timed against hand-written Node programs in the same run.
 *
 *   node --import tsx bench/user/run.ts wordcount | gbk | show-latency | flink-wordcount | local | all
 *        [--quick] [--large] [--repeat N] [--mem-limit-mb MB] [--timeout-s S] [--port 18141] [--keep]
 *
 * Needs `npm run build` (it runs dist/src/cli/main.js, as `flowbook run`); flink-wordcount
 * also `npm run setup`. See bench/user/README.md.
 */
import { type BenchOptions, machineNote, ratios } from "./lib/common.js";

const HELP = `usage: node --import tsx bench/user/run.ts BENCH [options]

BENCH: wordcount | gbk | show-latency | flink-wordcount
       local (the three local ones) | all (the four; flink-wordcount if \`npm run setup\` built Flink's jars)
  --quick            ≈ 11 MB corpus (tinyshakespeare ×10) instead of ≈ 111 MB (×100)
  --large            gbk: also ≈ 1.1 GB (×1000)
  --repeat N         runs of each side (default 1); the best is compared, the median shown
  --mem-limit-mb MB  kill a side whose process tree passes MB of RSS (default 6000)
  --timeout-s S      kill a flowbook run after S seconds, reported as such (default: none)
  --port P           flink-wordcount: the local cluster's REST port (default 18141)
  --keep             keep the temporary directory (scripts, outputs)`;

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const names = argv.filter((a, i) => !a.startsWith("--") && !(i > 0 && ["--repeat", "--mem-limit-mb", "--timeout-s", "--port"].includes(argv[i - 1]!)));
if (flag("help") || names.length !== 1) {
  console.log(HELP);
  process.exit(names.length === 1 || flag("help") ? 0 : 2);
}
const opts: BenchOptions = {
  quick: flag("quick"),
  large: flag("large"),
  repeat: Math.max(1, Number(value("repeat", "1")) || 1),
  memLimitMb: Number(value("mem-limit-mb", "6000")),
  timeoutS: Math.max(0, Number(value("timeout-s", "0")) || 0),
  port: Number(value("port", "18141")),
  keep: flag("keep"),
};

const benches: Record<string, () => Promise<boolean>> = {
  wordcount: async () => (await import("./benchmarks/wordcount.js")).wordcount(opts),
  gbk: async () => (await import("./benchmarks/gbk.js")).gbk(opts),
  "show-latency": async () => (await import("./benchmarks/show_latency.js")).showLatency(opts),
  "flink-wordcount": async () => (await import("./benchmarks/flink_wordcount.js")).flinkWordcount(opts),
};
const LOCAL = ["wordcount", "gbk", "show-latency"];
const chosen = names[0] === "all" ? [...LOCAL, "flink-wordcount"] : names[0] === "local" ? LOCAL : [names[0]!];
for (const n of chosen) if (!benches[n]) {
  console.error(`unknown benchmark ${n}\n\n${HELP}`);
  process.exit(2);
}

console.log(`bench/user (${machineNote()})`);
let ok = true;
const skipped: string[] = [];
for (const n of chosen) {
  console.log("");
  if (n === "flink-wordcount" && names[0] === "all") {
    const missing = await (await import("./benchmarks/flink_wordcount.js")).flinkSetupMissing();
    if (missing) {
      console.log(`flink-wordcount: skipped (${missing})`);
      skipped.push(`flink-wordcount (${missing})`);
      continue;
    }
  }
  try {
    ok = (await benches[n]!()) && ok;
  } catch (e) {
    console.error(`${n}: ${e instanceof Error ? e.message : String(e)}`);
    ok = false;
  }
}
if (chosen.length > 1 || ratios.length > 1) {
  // Every ratio of the run side by side: what users run against the hand-written program.
  console.log("\nsummary (ratio = baseline time / flowbook time; >1: flowbook faster)");
  for (const r of ratios) {
    console.log(`  ${(r.baselineSeconds / r.flowbookSeconds).toFixed(2).padStart(6)}  ${r.what}  (${r.baselineSeconds.toFixed(2)} s vs ${r.flowbookSeconds.toFixed(2)} s)`);
  }
  for (const s of skipped) console.log(`    n/a   ${s}`);
}
process.exitCode = ok ? 0 : 1;
