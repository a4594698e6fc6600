/**
 * bench/wordcount: WordCount on a ~111 MB corpus through flowbook's local runner and
 * through a hand-written single-threaded Node program, in one run; checks both give
 * the same counts and prints throughput (MB/s), the ratio, and peak memory.
 * Usage: npm run bench:wordcount [-- --mb 111 --parallelism N]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { corpus } from "./corpus.js";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const mb = Number(opt("mb") ?? 111);
const parallelism = opt("parallelism");

const file = await corpus(mb * 1_000_000);
const size = statSync(file).size;
const work = mkdtempSync(join(tmpdir(), "flowbook-bench-"));

function child(script: string, ...rest: string[]): { seconds: number; maxRssMb: number } {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(here, script), ...rest], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out.trim().split("\n").pop()!);
}

const base = child("baseline.ts", file, join(work, "baseline.json"));
const fb = child("flowbook_run.ts", file, join(work, "counts"), ...(parallelism ? [parallelism] : []));

// Same counts?
const expected = new Map(Object.entries(JSON.parse(readFileSync(join(work, "baseline.json"), "utf8")) as Record<string, number>));
const actual = new Map<string, number>();
for (const f of readdirSync(work).filter((n) => n.startsWith("counts-"))) {
  for (const line of readFileSync(join(work, f), "utf8").split("\n")) {
    if (!line) continue;
    const i = line.lastIndexOf(": ");
    actual.set(line.slice(0, i), Number(line.slice(i + 2)));
  }
}
let mismatches = 0;
for (const [w, n] of expected) if (actual.get(w) !== n) mismatches++;
for (const w of actual.keys()) if (!expected.has(w)) mismatches++;
rmSync(work, { recursive: true, force: true });

const mbs = (s: number) => size / 1e6 / s;
const row = (name: string, r: { seconds: number; maxRssMb: number }) =>
  `${name.padEnd(34)} ${r.seconds.toFixed(2).padStart(7)} s ${mbs(r.seconds).toFixed(1).padStart(8)} MB/s ${r.maxRssMb.toFixed(0).padStart(7)} MB peak RSS`;
console.log(`WordCount over ${(size / 1e6).toFixed(1)} MB (${file})`);
console.log(row("hand-written Node (1 thread)", base));
console.log(row(`flowbook local runner`, fb));
console.log(`ratio (flowbook / hand-written throughput): ${(base.seconds / fb.seconds).toFixed(2)}`);
console.log(`counts: ${expected.size} distinct words, ${mismatches === 0 ? "identical" : `${mismatches} MISMATCHES`}`);
if (mismatches) process.exitCode = 1;
