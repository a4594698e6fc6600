/**
 * GroupByKey as a user writes it (every word as key, its length as value, then each
 * group's size), against a hand-written in-memory grouping; peak memory for both (the RSS
 * of the whole process tree, worker threads included) and their ratio. ≈ 111 MB, and with
 * --large also ≈ 1.1 GB (made in a temporary directory, removed after).
 */
import { type BenchOptions, best } from "../lib/common.js";
import { corpus } from "../lib/corpus.js";
import { peakMb } from "../lib/measure.js";
import { groupByKeyBaseline, groupByKeyScript } from "../lib/programs.js";
import { sideBySide } from "./side_by_side.js";

export async function gbk(opts: BenchOptions): Promise<boolean> {
  const sizes = opts.quick ? [10] : opts.large ? [100, 1000] : [100];
  let ok = true;
  for (const copies of sizes) {
    const c = await corpus(copies, { temporary: copies >= 1000 });
    const r = await sideBySide({
      title: "GroupByKey (word → its length; then each group's size)",
      corpus: c,
      script: groupByKeyScript,
      baseline: groupByKeyBaseline,
      baselineName: "hand-written Node (1 thread, Map of arrays)",
      // Plain arrays of every value: ~6 GB of heap at 1.1 GB, above Node's default cap.
      baselineNodeFlags: [`--max-old-space-size=${Math.max(4096, opts.memLimitMb)}`],
      opts,
    }).finally(() => c.dispose?.());
    const fb = r.flowbook.filter((x) => x.code === 0);
    const base = r.baseline.filter((x) => x.code === 0);
    const peak = Math.max(...r.flowbook.map(peakMb));
    if (base.length && r.flowbook.length) {
      const basePeak = Math.max(...base.map(peakMb));
      console.log(`peak memory (process tree RSS): flowbook ${peak.toFixed(0)} MB, hand-written ${basePeak.toFixed(0)} MB — ratio (flowbook / hand-written) ${(peak / basePeak).toFixed(2)}`);
    }
    const half = fb.length && base.length ? best(base.map((x) => x.seconds)) / best(fb.map((x) => x.seconds)) >= 0.5 : false;
    console.log(
      `target (issue 13, point 3): flowbook peak < 1 GB (${fb.length ? `${peak.toFixed(0)} MB` : `did not finish; ${peak.toFixed(0)} MB when it stopped`}: ${fb.length && peak < 1024 ? "met" : "NOT MET"}), ` +
        `at least half the hand-written program's speed (${half ? "met" : "NOT MET"})`,
    );
    ok &&= r.ok;
    if (copies !== sizes[sizes.length - 1]) console.log("");
  }
  return ok;
}
