/**
 * Shuffles bounded by a memory budget: writers that spill sorted runs (writer.ts), the runs
 * they hand over (runs.ts), the merge that reads them key by key (key_groups.ts), and the
 * run's spill directory (spill_dir.ts).
 */
export { forEachKeyGroup, forEachSortedRecord, KeyGroup } from "./key_groups.js";
export { forEachRunChunk, RunReader, runsSize, type ShuffleRun } from "./runs.js";
export { ShuffleWriter, UnsortedRunWriter, type ShuffleSink, type SpillConfig } from "./writer.js";
export { createSpillDir, removeSpillDir, spillDirFor, SPILL_DIR_PREFIX } from "./spill_dir.js";
export { compareBytes } from "./order.js";
