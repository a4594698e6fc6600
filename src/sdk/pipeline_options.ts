import type { PipelineRunner } from "./runner.js";

/** Options of a pipeline; runner-specific ones sit beside the common ones, as in Beam. */
export interface PipelineOptions {
  /** "direct" (the embedded local runner, the default), "flink", or a runner object. */
  runner?: string | PipelineRunner;
  /** The pipeline's name (Flink's job name). */
  name?: string;
  /** Parallelism: local worker threads, or Flink's default operator parallelism. */
  parallelism?: number;
  /**
   * Check that elements round-trip through their PCollection's coder (local runner: default
   * true, `false` turns the check off; Flink's Node workers: off unless this is true or
   * `checks` is set). A checked element goes on as its decoded copy, so a
   * step that keeps it cannot see a later step's change to it. Which elements are checked:
   * see `checks`.
   */
  enforceEncodability?: boolean;
  /**
   * Check that DoFns do not mutate their inputs (local runner: default true, `false` turns
   * the check off; Flink's Node workers: off unless this is true or `checks` is set). Which elements are checked: see `checks`.
   */
  enforceImmutability?: boolean;
  /**
   * Which elements the two checks above look at (on Flink, setting it also turns them on).
   * - `"sample"` (the default): in each task, every element an operator sees at first (the
   *   first 1 000), then about one in 500, at pseudo-random gaps (the same ones on every
   *   run). A coder or a DoFn that is wrong for every element, or for most, fails as before;
   *   one that is wrong for a rare element may pass unnoticed. An element the sample skips
   *   goes on as itself, not as a decoded copy: two steps that keep and change the same
   *   object then share it, as with the checks off. The cost is a few percent of the work.
   * - `"all"`: every element, as Dataflow's DirectPipelineRunner does; several times slower
   *   on cheap per-element work (WordCount).
   */
  checks?: "sample" | "all";
  /**
   * Local runner: `true` runs every task in the calling thread, one after another; `false`
   * always on the worker threads. Unset (the default): worker threads, except for a sample
   * run (show, collect) that stops reading once it has its elements, which runs in the
   * calling thread while the worker threads are not started yet.
   */
  inProcess?: boolean;
  /**
   * Local runner: the memory (MiB) a run's shuffles, GroupByKey groups and combiner tables
   * may hold, shared among the worker threads. Above it they spill to disk (sorted runs in
   * the OS temp directory, under `flowbook-spill-<pid>-<run id>`, removed when the run ends)
   * and are merged when read, so memory stays bounded by this, not by the input. Default:
   * 384 MiB or a quarter of the machine's memory, whichever is less.
   */
  memoryBudgetMb?: number;
  /** Flink runner: the cluster's REST address, "host:port". */
  flinkMaster?: string;
  [option: string]: unknown;
}

/** Parses `--name=value` / `--name value` arguments into options (Beam's PipelineOptionsFactory.fromArgs). */
export function optionsFromArgs(args: readonly string[]): PipelineOptions {
  const out: PipelineOptions = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) continue;
    const key = m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    let value: string | undefined = m[2];
    if (value === undefined) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith("--")) {
        value = next;
        i++;
      } else value = "true";
    }
    out[key] = value === "true" ? true : value === "false" ? false : /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return out;
}
