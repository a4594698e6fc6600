/** WordCount as the README teaches it, `flowbook run`, against a hand-written word count. */
import { type BenchOptions } from "../lib/common.js";
import { corpus } from "../lib/corpus.js";
import { wordCountBaseline, wordCountScript } from "../lib/programs.js";
import { sideBySide } from "./side_by_side.js";

export async function wordcount(opts: BenchOptions): Promise<boolean> {
  const c = await corpus(opts.quick ? 10 : 100);
  const r = await sideBySide({
    title: "WordCount",
    corpus: c,
    script: wordCountScript,
    // "Faster with more cores": the same script on one worker thread, beside the default (one per core).
    oneThread: (input, outPrefix) => wordCountScript(input, outPrefix, "{ parallelism: 1 }"),
    baseline: wordCountBaseline,
    baselineName: "hand-written Node (1 thread, Map)",
    opts,
  });
  console.log("target (issue 13, point 5): ratio ≥ 1.00 on this machine");
  return r.ok;
}
