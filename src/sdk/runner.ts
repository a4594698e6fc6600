import type { PipelineGraph } from "../graph/types.js";
import type { MetricResults } from "./metrics/metric_results.js";
import type { PipelineOptions } from "./pipeline_options.js";
import type { WindowedValue } from "./values/windowed_value.js";

export type PipelineState = "STOPPED" | "RUNNING" | "DONE" | "FAILED" | "CANCELLED" | "UNKNOWN";

/** What a runner is asked to do: run a graph, and bring back samples of some PCollections. */
export interface RunRequest {
  graph: PipelineGraph;
  options: PipelineOptions;
  /** PCollection id → how many elements to bring back (for show/collect). */
  collect?: Record<string, number>;
  /**
   * PCollection ids sampled LIVE (show/chart of an unbounded PCollection): the runner hands
   * their elements to `PipelineResult.onLiveSample` listeners as they are produced — each
   * pane a grouping fires, each element a ParDo outputs — instead of keeping them for
   * `collected()`. No limit and nothing kept after delivery (memory stays bounded however long
   * the run goes); the display decides when it has seen enough and calls `cancel()`. The run
   * otherwise runs as it would (until its sources end, or cancel). A live PCollection may also
   * be named in `collect` or read by other transforms: both still get every element.
   */
  live?: string[];
}

/**
 * Elements of a live-sampled PCollection (RunRequest.live) produced since the batch before,
 * in the order they were produced. Each element as the runner saw it: value, event
 * timestamp, windows (one element in several windows is one WindowedValue, as elsewhere) and
 * pane — `pane.timing` EARLY / ON_TIME / LATE, `pane.index`, `isFirst`/`isLast` — so a
 * display can keep the latest pane per key and window.
 */
export interface LiveSampleBatch {
  /** The PCollection's id, as named in RunRequest.live. */
  pcollection: string;
  elements: WindowedValue<unknown>[];
  /** Wall-clock ms when the runner handed the batch over. */
  at: number;
  /** The producing stage's output watermark then (event time, ms), where the runner tracks it. */
  watermark?: number;
}

/** Elements brought back from a run, as the runner saw them. */
export interface CollectedSample {
  elements: WindowedValue<unknown>[];
  /** True when the PCollection had more elements than were brought back. */
  truncated: boolean;
  /**
   * How many elements the PCollection had, when the runner counted them all (the run read
   * its whole input); absent when it did not know, e.g. a sample run that stopped its
   * sources once it had enough elements. Lets a display say "5 of 12 631".
   */
  total?: number;
}

/**
 * What a run reports while it runs (the front ends' progress displays, a cell's output).
 * Counters are cumulative: each `progress` event replaces the one before it.
 */
export type RunEvent =
  | { kind: "run-started"; at: number; runner: string; jobName?: string; jobId?: string }
  | {
      kind: "stage-started" | "stage-finished";
      at: number;
      stage: string;
      name: string;
      /** The stage's input watermark then (event time, ms; Beam's smallest timestamp is −∞, its largest +∞), where the runner tracks it. */
      inputWatermark?: number;
      /** Its output watermark then: at +∞ (the largest timestamp) a stage will produce nothing more. */
      outputWatermark?: number;
    }
  | {
      kind: "progress";
      at: number;
      transforms: TransformProgress[];
      /** Every stage's watermarks now, where the runner tracks them. */
      watermarks?: StageWatermark[];
    }
  | {
      kind: "output";
      at: number;
      stream: "stdout" | "stderr";
      /** Whole lines as printed (with their newlines): a DoFn's console, ConsoleIO. */
      text: string;
      /** The transform whose code printed it, when known. */
      transform?: string;
    }
  | { kind: "run-finished"; at: number; state: PipelineState; durationMs: number; error?: string };

/** A stage's watermarks (event time, ms): what it may still receive, and what it may still produce. */
export interface StageWatermark {
  stage: string;
  input: number;
  output: number;
}

/** One transform's counts so far in a run (a runner fills what it knows). */
export interface TransformProgress {
  /** The transform's full name. */
  transform: string;
  elementsIn?: number;
  elementsOut?: number;
  bytesRead?: number;
  /** A source's input size in bytes, when known: with bytesRead, how far its reading is. */
  bytesTotal?: number;
  bytesWritten?: number;
  /** Milliseconds the transform's own code ran (summed over workers; not the transforms it feeds), where the runner measures it. */
  busyMs?: number;
}

/** A running or finished pipeline (Beam's PipelineResult). */
export interface PipelineResult {
  readonly state: PipelineState;
  /** Resolves with the final state; rejects with the pipeline's error if it failed. */
  waitUntilFinish(timeoutMillis?: number): Promise<PipelineState>;
  cancel(): Promise<PipelineState>;
  metrics(): MetricResults;
  /** Elements of a PCollection named in RunRequest.collect (after the run is done). */
  collected(pcollectionId: string): CollectedSample | undefined;
  /**
   * Calls `listener` with the run's events, in order, until the returned function is called.
   * Events emitted before the first listener subscribed are kept and replayed to it (so one
   * subscribing right after run() misses nothing); every `output` event is emitted before
   * `run-finished`, and `run-finished` before waitUntilFinish() resolves. Optional: a
   * runner a user wrote may report nothing.
   */
  onEvent?(listener: (event: RunEvent) => void): () => void;
  /**
   * Live samples (RunRequest.live): calls `listener` with each batch of PCollection
   * `pcollectionId` until the returned function is called. The contract, for runners:
   *
   * - a batch per bundle (a task, a checkpointed chunk, a timer firing) that produced
   *   elements of the PCollection, at least every second or so while it produces; never an
   *   empty batch;
   * - batches produced before the first listener subscribed are kept and replayed to it (as
   *   onEvent does), so one subscribing right after run() misses nothing; after that they go
   *   to the listeners and are dropped;
   * - every batch comes before `run-finished` and before waitUntilFinish() resolves, whether
   *   the sources ended (DONE), the run was cancelled (CANCELLED: `cancel()` is how a live
   *   display stops the run it started, and how an interrupt stops it) or it failed;
   * - elements keep their panes exactly as downstream transforms see them.
   *
   * Optional: a runner without it cannot show an unbounded PCollection live (show says which
   * runner). A PCollection id not named in RunRequest.live gets no batches.
   */
  onLiveSample?(pcollectionId: string, listener: (batch: LiveSampleBatch) => void): () => void;
  /**
   * Stops the run with a savepoint in `savepointDir` and resolves with the savepoint's path
   * (state STOPPED); a pipeline created with `fromSavepoint: path` resumes from it. Optional:
   * the Flink runner has it (src/runners/flink/job_control.ts), the local runner does not.
   */
  stop?(options: { savepointDir: string; timeoutMs?: number }): Promise<string>;
}

export interface PipelineRunner {
  readonly name: string;
  run(request: RunRequest): PipelineResult;
}

const runners = new Map<string, () => PipelineRunner>();

export function registerRunner(name: string, factory: () => PipelineRunner): void {
  runners.set(name, factory);
}

export function resolveRunner(runner: string | PipelineRunner | undefined): PipelineRunner {
  if (runner && typeof runner === "object") return runner;
  const name = (runner ?? "direct").toLowerCase().replace(/runner$/, "");
  const factory = runners.get(name === "local" ? "direct" : name);
  if (!factory) throw new Error(`unknown runner '${runner}' (known: ${[...runners.keys()].join(", ")})`);
  return factory();
}

type RunListener = (result: PipelineResult, graph: RunRequest["graph"]) => void;
const runListeners = new Set<RunListener>();

/**
 * Calls `listener` with every PipelineResult a Pipeline.run() returns, until the returned
 * function is called: how a session cancels the pipelines of an interrupted cell and waits
 * for those a script started without awaiting.
 */
export function onPipelineRun(listener: RunListener): () => void {
  runListeners.add(listener);
  return () => runListeners.delete(listener);
}

export function notifyPipelineRun(result: PipelineResult, graph: RunRequest["graph"]): void {
  for (const l of runListeners) l(result, graph);
}
