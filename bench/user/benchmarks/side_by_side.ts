/**
 * A user's script through `flowbook run` and a hand-written Node program, both writing
 * `word: n` lines, each as a whole process, in the same run: times, peak memory, the
 * ratio, and whether the two wrote the same lines.
 */
import { mkdirSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { type BenchOptions, best, flowbookRun, median, ratioLine, row, WorkDir } from "../lib/common.js";
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
  /** The script on one worker thread (`parallelism: 1`): run in each round too, to show what more cores give. */
  oneThread?: (input: string, outPrefix: string) => string;
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
  const oneOut = work.path("one-thread-out");
  const oneScript = b.oneThread && work.write("one_thread.ts", b.oneThread(b.corpus.file, `${oneOut}/counts`));
  const baseRuns: RunResult[] = [];
  const fbRuns: RunResult[] = [];
  const oneRuns: RunResult[] = [];
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
      if (oneScript) {
        rmSync(oneOut, { recursive: true, force: true });
        const one = await run(flowbookRun(oneScript), { cwd: work.dir, memLimitMb: b.opts.memLimitMb, timeoutMs: b.opts.timeoutS * 1000 });
        oneRuns.push(one);
        if (one.code !== 0) {
          console.log(`  ${describeFailure("flowbook run (1 thread)", one)}`);
          ok = false;
        } else if (base.code === 0) {
          const v = compare(linesUnder(baseOut), linesUnder(oneOut));
          if (!v.same) {
            verdicts.push(`1 thread: ${v.text}`);
            ok = false;
          }
        }
      }
    }
  } finally {
    work.done();
  }
  const done = (rs: RunResult[]) => rs.filter((r) => r.code === 0);
  console.log(`${b.title} over ${mb(b.corpus.bytes)} (${b.corpus.file}), ${b.opts.repeat} run${b.opts.repeat > 1 ? "s" : ""} of each, spawn to exit`);
  const failed = (rs: RunResult[]) => (rs.some((r) => r.code !== 0) ? ` (${rs.filter((r) => r.code !== 0).length} failed)` : "");
  if (done(baseRuns).length) console.log(row(b.baselineName, done(baseRuns).map((r) => r.seconds), b.corpus.bytes, done(baseRuns), failed(baseRuns)));
  if (done(fbRuns).length) console.log(row(`flowbook run (default options: ${cpus().length} threads)`, done(fbRuns).map((r) => r.seconds), b.corpus.bytes, done(fbRuns), failed(fbRuns)));
  if (done(oneRuns).length) console.log(row("flowbook run (parallelism: 1)", done(oneRuns).map((r) => r.seconds), b.corpus.bytes, done(oneRuns), failed(oneRuns)));
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
    // A shared machine's speed drifts within minutes: each round's two runs, back to back, saw the same machine.
    const rounds = baseRuns.flatMap((base, i) => (base.code === 0 && fbRuns[i]?.code === 0 ? [base.seconds / fbRuns[i]!.seconds] : []));
    if (rounds.length > 1) console.log(`  ratio of medians ${(median(done(baseRuns).map((r) => r.seconds)) / median(done(fbRuns).map((r) => r.seconds))).toFixed(2)}; each round's ratio: ${rounds.map((r) => r.toFixed(2)).join(", ")}`);
    if (done(oneRuns).length) {
      const one = best(done(oneRuns).map((r) => r.seconds));
      const many = best(done(fbRuns).map((r) => r.seconds));
      console.log(`more cores: 1 thread ${one.toFixed(2)} s → ${cpus().length} threads ${many.toFixed(2)} s (${(one / many).toFixed(2)}× faster); 1 thread against the hand-written program: ${(best(done(baseRuns).map((r) => r.seconds)) / one).toFixed(2)}`);
    }
  } else {
    console.log(`ratio (baseline time / flowbook time): n/a (a side did not finish)`);
  }
  console.log(`outputs: ${verdicts.length ? [...new Set(verdicts)].join("; ") : "not compared (a side failed)"}`);
  return { baseline: baseRuns, flowbook: fbRuns, ok };
}
