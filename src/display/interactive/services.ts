/**
 * What the interactive calls (show, collect, chart, graph, explain, display) need from the
 * host. The calls themselves run wherever the user's objects live — in a session's vm2
 * sandbox, or in plain Node — and hand everything heavy to these services: running a
 * sample (on the host's runners, with the session's PCollection cache), rendering charts
 * (vega), graphs (Graphviz) and Flink plans, and emitting displays to the front end.
 * Only strings and numbers cross (JSON text, latin1 bytes), so vm2's proxies cost nothing
 * per element. A session connects its own; src/index.ts connects the process's.
 */
import type { MimeBundle } from "../mime.js";

/** Elements of a PCollection, encoded with its windowed-value coder (latin1 bytes). */
export interface EncodedSample {
  latin1: string;
  count: number;
  /** More elements exist than were brought back. */
  truncated: boolean;
  /** How many elements the PCollection is known to have, at least (≥ count). */
  totalAtLeast: number;
  /** True when the sample came from the cache (no run started). */
  cached: boolean;
}

export interface SampleRequest {
  /** The pipeline's graph (Pipeline.toJSON()), as JSON text. */
  graphJson: string;
  pcollectionId: string;
  /** How many elements to bring back. */
  n: number;
  /** The pipeline's options (runner, flinkMaster, …), as JSON text. */
  optionsJson: string;
}

export interface LiveRequest {
  graphJson: string;
  pcollectionId: string;
  optionsJson: string;
  /** The display to show and update ("" with `collect`). */
  displayId: string;
  /** The PCollection's name (the table's title). */
  name: string;
  durationMs: number;
  n: number;
  /** A chart's spec (shorthand or Vega-Lite) as JSON text; without it, the pane table. */
  chartJson?: string;
  /** collect(): no display; the sample holds the elements in the order they came (not the latest panes). */
  collect?: boolean;
}

export interface InteractiveServices {
  /**
   * A sample of one PCollection: runs only its ancestors (never a sink), or reuses what an
   * earlier run computed for the same ancestors. Rejects with the run's error.
   */
  sample(request: SampleRequest): Promise<EncodedSample>;
  /**
   * A live display of an unbounded PCollection (show or chart): starts a live sample run,
   * shows display `displayId` at once and updates it in place as panes come, stops the run
   * at the request's duration or n elements (or when it ends or is interrupted), draws the
   * final state with the reason, and resolves with a LiveOutcome as JSON text; rejects with
   * the run's error. Optional: a host without it cannot show unbounded PCollections.
   */
  live?(request: LiveRequest, context: string): Promise<string>;
  /** A chart: `{ spec, rows, totalRows?, truncated? }` as JSON text → its bundle as JSON text. */
  renderChart(requestJson: string, context: string): Promise<string>;
  /** The pipeline graph (JSON text) drawn: `options` is `{ depth?, highlight? }` (transform or PCollection ids) as JSON text. */
  renderGraph(graphJson: string, optionsJson: string, context: string): Promise<string>;
  /**
   * The Flink plan of a pipeline graph (JSON text), drawn; throws naming what cannot be
   * translated. Options beside the pipeline's: `flink: true` draws Flink's job graph beside it
   * (asked from the cluster); `run: <id from watchRun>` adds what each operator did in that run.
   */
  renderPlan(graphJson: string, optionsJson: string, context: string): Promise<string>;
  /**
   * Watches the next run of a pipeline graph (JSON text) from its start, for `explain(p, { run:
   * true })`: returns an id that renderPlan's `run` option takes. Optional: a host without it
   * cannot show runs.
   */
  watchRun?(graphJson: string): string;
  /**
   * A stepper over the recorded Flink translation of a pipeline graph (JSON text; `explain(p,
   * { step: true })`), kept by the host: `{ id, bundle, state }` as JSON text, the bundle
   * showing its first step. Throws naming what cannot be translated.
   */
  openStepper(graphJson: string, optionsJson: string, context: string): Promise<string>;
  /** Moves stepper `id` (a StepCommand as JSON text): `{ bundle, state }` as JSON text, at once (no await: the move updates its display within the call). */
  stepper(id: string, commandJson: string, context: string): string;
  /** A value as util.inspect shows it (the session's formatValue). */
  inspect(value: unknown, width: number): string;
  /** Shows a bundle (JSON text) as a new display, or in place of display `displayId`. */
  emit(kind: "display" | "update", displayId: string, bundleJson: string): void;
  /** Clears the running cell's output (`wait`: when its next output comes). */
  clear(wait: boolean): void;
  /** Columns of text/plain where the front end shows it. */
  width(): number;
}

let services: InteractiveServices | undefined;

/** Connects the host's services (a session does it for its sandbox; src/index.ts for Node). */
export function connectInteractiveServices(s: InteractiveServices): void {
  services = s;
}

export function interactiveServices(): InteractiveServices {
  if (!services) throw new Error("flowbook's interactive calls need a host: import them from 'flowbook' or run them in a session");
  return services;
}

export type { MimeBundle };
