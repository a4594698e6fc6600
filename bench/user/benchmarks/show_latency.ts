/**
 * `await show(words, { n: 5 })` right after the tokenizer, in a script run by `flowbook run`:
 * time from spawn to the table's fifth row on stdout (and to exit), against a hand-written
 * program that reads the first 5 words and prints them.
 */
import { readFileSync } from "node:fs";
import { type BenchOptions, best, flowbookRun, ratioLine, row, WorkDir } from "../lib/common.js";
import { corpus, mb, seedFile } from "../lib/corpus.js";
import { describeFailure, run, type RunResult } from "../lib/measure.js";
import { showBaseline, showScript } from "../lib/programs.js";

/** The table's rows: the lines after its rule (a line of ─), up to n. */
function tableRows(stdout: string, n: number): string[] | undefined {
  const lines = stdout.split("\n");
  const rule = lines.findIndex((l) => /^[─\s]+$/.test(l) && l.includes("─"));
  if (rule < 0) return undefined;
  // A row is complete once the line after it has begun (or the output ended: checked at exit).
  const rows = lines.slice(rule + 1, rule + 1 + n + 1);
  return rows.length > n ? rows.slice(0, n).map((l) => l.trim()) : undefined;
}

function printedWords(stdout: string, n: number): string[] | undefined {
  const lines = stdout.split("\n");
  return lines.length > n ? lines.slice(0, n).map((l) => l.trim()) : undefined;
}

export async function showLatency(opts: BenchOptions): Promise<boolean> {
  const c = await corpus(opts.quick ? 10 : 100);
  const work = new WorkDir(opts.keep);
  const script = work.write("show.ts", showScript(c.file));
  const floorScript = work.write("no_show.ts", showScript(c.file, false));
  const baseline = work.write("first5.mjs", showBaseline);
  const vocabulary = new Set(readFileSync(seedFile, "utf8").split(/[^a-zA-Z']+/).filter(Boolean));
  const baseRuns: RunResult[] = [];
  const fbRuns: RunResult[] = [];
  const floorRuns: RunResult[] = [];
  const verdicts = new Set<string>();
  let ok = true;
  try {
    for (let i = 0; i < opts.repeat; i++) {
      const base = await run([process.execPath, baseline, c.file], { cwd: work.dir, mark: (s) => printedWords(s, 5) !== undefined });
      const fb = await run(flowbookRun(script), { cwd: work.dir, mark: (s) => tableRows(s, 5) !== undefined, memLimitMb: opts.memLimitMb, timeoutMs: opts.timeoutS * 1000 });
      const floor = await run(flowbookRun(floorScript), { cwd: work.dir });
      for (const [name, r] of [["first-5-words program", base], ["flowbook run", fb], ["flowbook run (no show)", floor]] as const) {
        if (r.code !== 0) {
          console.log(`  ${describeFailure(name, r)}`);
          ok = false;
        }
      }
      if (base.code !== 0 || fb.code !== 0 || floor.code !== 0) continue;
      baseRuns.push(base);
      fbRuns.push(fb);
      floorRuns.push(floor);
      const expected = printedWords(base.stdout, 5) ?? [];
      const shown = tableRows(`${fb.stdout}\n`, 5);
      if (!shown) {
        verdicts.add(`no table of 5 rows in flowbook's output:\n${fb.stdout.slice(0, 800)}`);
        ok = false;
      } else if (shown.join(" ") === expected.join(" ")) verdicts.add(`identical: the first 5 words (${expected.join(", ")})`);
      else if (shown.every((w) => vocabulary.has(w))) verdicts.add(`flowbook showed 5 other words of the corpus (${shown.join(", ")}; a sample need not be the first), the baseline the first 5`);
      else {
        verdicts.add(`DIFFER: flowbook showed ${JSON.stringify(shown)}, not words of the corpus`);
        ok = false;
      }
    }
  } finally {
    work.done();
  }
  console.log(`show(words, { n: 5 }) right after the tokenizer, over ${mb(c.bytes)} (${c.file}), ${opts.repeat} run${opts.repeat > 1 ? "s" : ""} of each`);
  if (!baseRuns.length) return false;
  const toMark = (rs: RunResult[]) => rs.map((r) => r.markSeconds ?? r.seconds);
  console.log(row("hand-written Node: spawn → 5 words printed", toMark(baseRuns), undefined, baseRuns));
  console.log(row("flowbook run: spawn → table's 5 rows printed", toMark(fbRuns), undefined, fbRuns));
  console.log(row("flowbook run: spawn → exit", fbRuns.map((r) => r.seconds), undefined, fbRuns));
  console.log(row("flowbook run, same script without show: → exit", floorRuns.map((r) => r.seconds), undefined, floorRuns));
  console.log(ratioLine(best(toMark(baseRuns)), best(toMark(fbRuns)), "  (time to the 5 words on screen; >1: flowbook faster)", `show(words, { n: 5 }), ${mb(c.bytes)}: spawn → 5 rows, vs a hand-written first-5-words`));
  console.log(`outputs: ${[...verdicts].join("; ")}`);
  const showSeconds = best(toMark(fbRuns)) - best(floorRuns.map((r) => r.seconds));
  console.log(
    `target (issue 13, point 4): show returns in < 0.5 s — here ≈ ${showSeconds.toFixed(2)} s ` +
      `(spawn → table, less the same script's run without show) (${showSeconds < 0.5 ? "met" : "NOT MET"})`,
  );
  return ok;
}
