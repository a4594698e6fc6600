/**
 * A user's script through `flowbook run` and a hand-written Node program, both writing
 * `word: n` lines, each as a whole process, in the same run: times, peak memory, the
 * ratio, and whether the two wrote the same lines.
 */
import { mkdirSync, rmSync } from "node:fs";
import { type BenchOptions, best, flowbookRun, ratioLine, row, WorkDir } from "../lib/common.js";
import { type Corpus, mb } from "../lib/corpus.js";
import { describeFailure, peakMb, run, type RunResult } from "../lib/measure.js";
import { compare, linesUnder } from "../lib/outputs.js";

export interface SideBySide {
  title: string;
  corpus: Corpus;
  /** The user's script, given the input file and the output prefix. */
  script: (input: string, outPrefix: string) => string;
  /** The hand-written program's text (argv: INPUT OUTPUT). */
  baseline: string;
  baselineName: string;
  /** Extra `node` flags for the baseline (the large GroupByKey needs a bigger heap). */
  baselineNodeFlags?: string[];
  opts: BenchOptions;
}

export interface SideBySideResult {
  baseline: RunResult[];
  flowbook: RunResult[];
  ok: boolean;
}

export async function sideBySide(b: SideBySide): Promise<SideBySideResult> {
  const work = new WorkDir(b.opts.keep);
  const baseOut = work.path("baseline-out");
  const fbOut = work.path("flowbook-out");
  const script = work.write("script.ts", b.script(b.corpus.file, `${fbOut}/counts`));
  const baseline = work.write("baseline.mjs", b.baseline);
  const baseRuns: RunResult[] = [];
  const fbRuns: RunResult[] = [];
  const verdicts: string[] = [];
  let ok = true;
  try {
    for (let i = 0; i < b.opts.repeat; i++) {
      rmSync(baseOut, { recursive: true, force: true });
      rmSync(fbOut, { recursive: true, force: true });
      mkdirSync(baseOut);
      const base = await run([process.execPath, ...(b.baselineNodeFlags ?? []), baseline, b.corpus.file, `${baseOut}/counts.txt`], { cwd: work.dir, memLimitMb: b.opts.memLimitMb });
      baseRuns.push(base);
      if (base.code !== 0) {
        console.log(`  ${describeFailure(b.baselineName, base)}`);
        ok = false;
      }
      const fb = await run(flowbookRun(script), { cwd: work.dir, memLimitMb: b.opts.memLimitMb, timeoutMs: b.opts.timeoutS * 1000 });
      fbRuns.push(fb);
      if (fb.code !== 0) {
        console.log(`  ${describeFailure("flowbook run", fb)}`);
        ok = false;
      }
      if (base.code === 0 && fb.code === 0) {
        const v = compare(linesUnder(baseOut), linesUnder(fbOut));
        verdicts.push(v.text);
        if (!v.same) ok = false;
      }
    }
  } finally {
    work.done();
  }
  const done = (rs: RunResult[]) => rs.filter((r) => r.code === 0);
  console.log(`${b.title} over ${mb(b.corpus.bytes)} (${b.corpus.file}), ${b.opts.repeat} run${b.opts.repeat > 1 ? "s" : ""} of each, spawn to exit`);
  const failed = (rs: RunResult[]) => (rs.some((r) => r.code !== 0) ? ` (${rs.filter((r) => r.code !== 0).length} failed)` : "");
  if (done(baseRuns).length) console.log(row(b.baselineName, done(baseRuns).map((r) => r.seconds), b.corpus.bytes, done(baseRuns), failed(baseRuns)));
  if (done(fbRuns).length) console.log(row("flowbook run (default options, local runner)", done(fbRuns).map((r) => r.seconds), b.corpus.bytes, done(fbRuns), failed(fbRuns)));
  for (const r of fbRuns.filter((r) => r.code !== 0)) {
    const what = r.killedForMemory
      ? `KILLED above --mem-limit-mb ${b.opts.memLimitMb}`
      : r.timedOut
        ? `KILLED at --timeout-s ${b.opts.timeoutS}`
        : `FAILED (${r.code ?? r.signal})`;
    console.log(`  flowbook run: ${what} after ${r.seconds.toFixed(1)} s (peak ${peakMb(r).toFixed(0)} MB so far)`);
  }
  if (done(baseRuns).length && done(fbRuns).length) {
    console.log(ratioLine(best(done(baseRuns).map((r) => r.seconds)), best(done(fbRuns).map((r) => r.seconds)), "  (>1: flowbook faster)", `${b.title}, ${mb(b.corpus.bytes)}: flowbook run vs ${b.baselineName}`));
  } else {
    console.log(`ratio (baseline time / flowbook time): n/a (a side did not finish)`);
  }
  console.log(`outputs: ${verdicts.length ? [...new Set(verdicts)].join("; ") : "not compared (a side failed)"}`);
  return { baseline: baseRuns, flowbook: fbRuns, ok };
}
