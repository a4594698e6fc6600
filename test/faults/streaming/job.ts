/**
 * The windowed streaming job the fault runs kill things under, and what it must write,
 * computed apart from any runner. Numbers 0 … N-1 come from GenerateSequence at a rate (an
 * unbounded source that ends at N), each stamped with the time it was generated; they go
 * into one-second fixed windows, keyed n % 3, and each window's sum of n + 1 per key is
 * written as a line `start,key,sum` by TextIO (n + 1: no window result sums to 0).
 *
 * Which window a number falls in depends on when it was generated (and a restore generates
 * again what came after its checkpoint, later), so the check is on what does not depend on
 * time: each (window, key) written at most once (a duplicated window result), and per key
 * the sums adding up to the sum of n + 1 over its numbers (a lost one). The source's own
 * timestamps keep the job free of late data whatever the restarts cost: a timestamp set
 * from n by WithTimestamps would fall behind the source's watermark after a restart.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  DoFn,
  Duration,
  FixedWindows,
  GenerateSequence,
  IntervalWindow,
  KV,
  MapElements,
  ParDo,
  Pipeline,
  Sum,
  TextIO,
  Window,
  type PipelineOptions,
  type ProcessContext,
} from "../../../src/index.js";

export interface JobShape {
  /** How many numbers. */
  n: number;
  /** Numbers per second the source emits. */
  rate: number;
}

export const WINDOW_MS = 1000;
export const KEYS = 3;

class FormatWindowSum extends DoFn<KV<string, number>, string> {
  processElement(c: ProcessContext<KV<string, number>, string>) {
    const w = c.window() as IntervalWindow;
    c.output(`${w.start},${c.element().key},${c.element().value}`);
  }
}

/** The pipeline, writing to `<outDir>/sums…txt`. */
export function windowedSumPipeline(options: PipelineOptions, shape: JobShape, outDir: string): Pipeline {
  const p = Pipeline.create(options);
  p.apply("Numbers", GenerateSequence.from(0).to(shape.n).withRate(shape.rate, Duration.seconds(1)))
    .apply("Seconds", Window.into<number>(FixedWindows.of(Duration.millis(WINDOW_MS))))
    .apply("ByKey", MapElements.via((n: number) => KV.of(`k${n % 3}`, n + 1)))
    .apply("SumPerKey", Sum.integersPerKey<string>())
    .apply("Format", ParDo.of(new FormatWindowSum()))
    .apply("Write", TextIO.write().to(join(outDir, "sums")).withSuffix(".txt"));
  return p;
}

/** Per key, the sum of n + 1 over its numbers: what its window sums must add up to. */
export function expectedTotals(shape: JobShape): Map<string, number> {
  const totals = new Map<string, number>();
  for (let n = 0; n < shape.n; n++) totals.set(`k${n % KEYS}`, (totals.get(`k${n % KEYS}`) ?? 0) + n + 1);
  return totals;
}

export interface Verdict {
  ok: boolean;
  /** Window results written more than once ("start,key" → times). */
  duplicated: string[];
  /** Per key: expected total, written total (differs when a window result was lost or doubled). */
  totals: Array<{ key: string; want: number; got: number }>;
  lines: number;
  files: number;
}

/** Checks what the job wrote to `outDir` against `shape`. */
export function verify(shape: JobShape, outDir: string): Verdict {
  const seen = new Map<string, number>();
  const got = new Map<string, number>();
  const lines = writtenLines(outDir);
  for (const l of lines) {
    const [start, key, sum] = l.split(",");
    const wk = `${start},${key}`;
    seen.set(wk, (seen.get(wk) ?? 0) + 1);
    got.set(key!, (got.get(key!) ?? 0) + Number(sum));
  }
  const duplicated = [...seen].filter(([, c]) => c > 1).map(([wk, c]) => `${wk} ×${c}`);
  const totals = [...expectedTotals(shape)].map(([key, want]) => ({ key, want, got: got.get(key) ?? 0 }));
  const ok = duplicated.length === 0 && totals.every((t) => t.want === t.got) && got.size === totals.length;
  return { ok, duplicated, totals, lines: lines.length, files: finalFiles(outDir).length };
}

/** How much of the input the committed window results cover (0 … 1): the sum of their sums over the expected one. */
export function committedFraction(shape: JobShape, outDir: string): number {
  const v = verify(shape, outDir);
  const want = v.totals.reduce((a, t) => a + t.want, 0);
  return v.totals.reduce((a, t) => a + t.got, 0) / want;
}

/** Final files under `outDir` (not the sink's temp directories), sorted. */
export function finalFiles(outDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return [];
  }
  return names.filter((f) => !f.startsWith(".")).sort();
}

/** Every line of the final files, sorted. */
export function writtenLines(outDir: string): string[] {
  return finalFiles(outDir).flatMap((f) => readFileSync(join(outDir, f), "utf8").split("\n").filter((l) => l !== "")).sort();
}

/**
 * Watches `outDir` while a job runs: each final file's bytes when first seen. A file that
 * later changes or vanishes was not whole when it appeared, or was written again (by a
 * restore). `stop()` returns those, with how many files were seen.
 */
export function watchFinalFiles(outDir: string, everyMs = 100): { stop(): { seen: number; rewritten: string[] } } {
  const first = new Map<string, string>();
  const look = () => {
    for (const f of finalFiles(outDir)) {
      if (first.has(f)) continue;
      try {
        first.set(f, readFileSync(join(outDir, f)).toString("base64"));
      } catch {
        // renamed away between the listing and the read: caught by the final look
      }
    }
  };
  const timer = setInterval(look, everyMs);
  return {
    stop() {
      clearInterval(timer);
      look();
      const rewritten: string[] = [];
      for (const [f, bytes] of first) {
        let now: string | undefined;
        try {
          now = readFileSync(join(outDir, f)).toString("base64");
        } catch {
          now = undefined;
        }
        if (now !== bytes) rewritten.push(f);
      }
      return { seen: first.size, rewritten };
    },
  };
}
