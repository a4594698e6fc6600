// Session latency: the first cell after the session starts, and a warm 50-line cell.
//
//   npx tsx bench/session/cells.ts          (from source: tsx compiles the API on first use)
//   npx tsx bench/session/cells.ts --dist   (the built package in dist/, as users run it;
//                                            --dist=DIR for a build elsewhere: tsc --outDir DIR)
//
// Targets (issue): a warm 50-line cell evaluates in < 30 ms; the first cell completes < 1 s
// after the session starts. Type checking runs beside evaluation (a worker); its own
// latency is printed too.
const distArg = process.argv.find((a) => a === "--dist" || a.startsWith("--dist="));
const dist = distArg === undefined ? undefined : distArg === "--dist" ? "dist" : distArg.slice(7);
const mode = (process.argv.find((a) => a.startsWith("--typecheck="))?.slice(12) ?? "warn") as "warn" | "off" | "error";
const { createSession } = (await import(dist ? new URL(`../../${dist}/src/session/session.js`, import.meta.url).href : "../../src/session/session.js")) as typeof import("../../src/session/session.js");

const t0 = performance.now();
const session = createSession({ typeCheck: mode, stdout: () => undefined });
const first = await session.execute("const p = Pipeline.create();\nconst nums = p.apply(Create.of(1, 2, 3));\nnums");
const tFirst = performance.now() - t0;
if (first.status !== "ok") throw new Error(first.error!.traceback.join("\n"));
const firstWarnings = await first.typeErrors;
const tFirstChecked = performance.now() - t0;

function cell(i: number): string {
  const lines: string[] = [];
  lines.push(`const base${i}: number = ${i};`);
  for (let k = 0; k < 44; k++) lines.push(`const v${i}_${k} = (x: number): number => x * ${k} + base${i}; // helper ${k}`);
  lines.push(`function sum${i}(xs: number[]): number {`);
  lines.push(`  return xs.reduce((a, b) => a + b, 0);`);
  lines.push(`}`);
  lines.push(`const doubled${i} = nums.apply("Double${i}", MapElements.via((x: number) => v${i}_2(x)));`);
  lines.push(`sum${i}([v${i}_1(1), v${i}_2(2), v${i}_3(3)])`);
  return lines.join("\n");
}

const evalTimes: number[] = [];
const checkTimes: number[] = [];
for (let i = 0; i < 25; i++) {
  const a = performance.now();
  const r = await session.execute(cell(i));
  const b = performance.now();
  if (r.status !== "ok") throw new Error(r.error!.traceback.join("\n"));
  const w = await r.typeErrors;
  if (w.length) throw new Error(w.map((x) => x.text.join("\n")).join("\n"));
  const c = performance.now();
  if (i >= 5) {
    evalTimes.push(b - a);
    checkTimes.push(c - a);
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(`source: ${dist ? dist + "/" : "src/ (tsx)"}, typeCheck: ${mode}`);
console.log(`first cell: ${tFirst.toFixed(0)} ms after the session started (target < 1000 ms); its type check done at ${tFirstChecked.toFixed(0)} ms (${firstWarnings.length} warnings)`);
console.log(`warm 50-line cell: evaluate median ${median(evalTimes).toFixed(1)} ms, min ${Math.min(...evalTimes).toFixed(1)} ms (target < 30 ms)`);
if (mode !== "off") console.log(`warm 50-line cell: evaluate + type check median ${median(checkTimes).toFixed(1)} ms`);
await session.dispose();
