/**
 * The calls users make to look at their data — `show`, `collect`, `chart`, `graph`,
 * `explain`, `display` — as Beam's interactive_beam is the one module its users touch.
 * They run where the user's objects live (a session's vm2 sandbox, or plain Node): the
 * elements are decoded and tables drawn here, in the user's realm; sampling runs,
 * charts, graphs and plans go to the host's services (services.ts) as JSON text.
 */
import type { PipelineGraph } from "../../graph/types.js";
import type { Pipeline } from "../../sdk/pipeline.js";
import type { PCollection } from "../../sdk/pcollection.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import { durationMillis, type DurationLike } from "../../sdk/values/time.js";
import { DISPLAY, type DisplayContext, type MimeBundle } from "../mime.js";
import type { DisplayHandle } from "../outputs.js";
import { toMimeBundle } from "../mime_bundle.js";
import { decodeSample } from "../samples/encoded_sample.js";
import { renderTable, rowsOf, tableOf, type TableOptions } from "../table/index.js";
import { interactiveServices } from "./services.js";

export interface CollectOptions {
  /** At most this many elements (default: all, up to 100 000). */
  n?: number;
  /**
   * An unbounded PCollection is collected for at most this long (default 10 s), or until
   * `n` elements came; then its run is cancelled. The elements in the order they came.
   */
  duration?: DurationLike;
}

export interface ShowOptions extends CollectOptions {
  /** Event timestamps, windows and panes as columns (default off). */
  timestamps?: boolean;
  windows?: boolean;
  panes?: boolean;
  /**
   * An unbounded PCollection shows live, for at most this long (default 10 s) or until
   * `n` elements came (default 20), whichever is first; then its run is cancelled.
   */
  duration?: DurationLike;
}

export interface ChartOptions {
  /** At most this many rows go into the chart (default 5 000; said on the chart when cut). */
  maxRows?: number;
  /** An unbounded PCollection charts live for at most this long (default 10 s)… */
  duration?: DurationLike;
  /** …or until this many elements came (default 1 000). */
  n?: number;
}

/** How long a live show or chart of an unbounded PCollection runs, and how many elements it takes, when not told. */
export const LIVE_DEFAULTS = { durationMs: 10_000, showN: 20, chartN: 1_000 } as const;

export interface GraphOptions {
  /** Composite transforms deeper than this show collapsed (default: all expanded). */
  depth?: number;
}

const COLLECT_LIMIT = 100_000;
const CHART_ROWS = 5_000;
/** A top-N chart ranks every element, not the first 5 000: it reads this many (said when cut). */
const TOP_SCAN = 1_000_000;
/**
 * A sample is computed with at least this many elements (the chart's bound), so a chart or
 * a larger show after a show reuses the same run.
 */
const SAMPLE_AT_LEAST = CHART_ROWS;

/** A display handle, and what it shows (a cell's result that is a handle shows nothing more). */
export class Displayed<T = unknown> implements DisplayHandle {
  constructor(
    readonly displayId: string,
    /** What was displayed: the sample, the plan, the chart's spec. */
    readonly value: T,
  ) {}
  update(value: unknown): void {
    emit("update", this.displayId, shown(value));
  }
}

let nextDisplay = 0;
const displayPrefix = Math.random().toString(36).slice(2, 10);
function newDisplayId(): string {
  return `flowbook-${displayPrefix}-${++nextDisplay}`;
}

function context(): DisplayContext & { inspect: (v: unknown) => string } {
  const s = interactiveServices();
  const width = s.width();
  return { width, inspect: (v) => s.inspect(v, width) };
}

/**
 * A cell's last value as a bundle: a Pipeline as its graph (drawn, not run), anything else
 * as bundleOf shows it. (A PCollection shows as itself: computing it is show's business.)
 */
export async function resultBundleOf(value: unknown): Promise<MimeBundle> {
  if (isPipeline(value)) return (await graphOf(value, {})).bundle;
  if (isPromiseLike(value)) return promiseBundle(value);
  return bundleOf(value);
}

/** A promise left unawaited, as Node's REPL shows one: its state after a turn of the event loop. */
async function promiseBundle(p: PromiseLike<unknown>): Promise<MimeBundle> {
  const pending = {};
  const settled = await Promise.race([
    Promise.resolve(p).then((v) => ({ v }), (e: unknown) => ({ e })),
    new Promise<object>((resolve) => setTimeout(() => resolve(pending), 0)),
  ]);
  const { inspect } = context();
  const state = settled === pending ? "<pending>" : "v" in settled ? inspect(settled.v) : `<rejected> ${inspect((settled as { e: unknown }).e)}`;
  return { "text/plain": `Promise { ${state} }` };
}

/** Clears the cell's output (Jupyter's clear_output); `wait`: not before the next output comes, so a loop redrawing does not flicker. */
export function clearOutput(wait = false): void {
  interactiveServices().clear(wait === true);
}

/** The bundle `value` shows as: THE function both front ends use (mime_bundle.ts), here with the host's inspect. */
export function bundleOf(value: unknown): MimeBundle {
  // A handle is on screen already: as a cell's last value it shows nothing more.
  if (value instanceof Displayed) return {};
  return toMimeBundle(value, context());
}

/** Each display's newest content: a value computed late must not replace a newer one. */
const latest = new Map<string, number>();
let emitted = 0;

function emit(kind: "display" | "update", displayId: string, value: unknown): void {
  const seq = ++emitted;
  latest.set(displayId, seq);
  const bundle = isPromiseLike(value) ? { "text/plain": "…" } : bundleOf(value);
  interactiveServices().emit(kind, displayId, JSON.stringify(bundle));
  // A PCollection or a Pipeline shows once computed; the display fills in then, unless it was updated meanwhile.
  if (isPromiseLike(value)) {
    const fill = (v: unknown) => latest.get(displayId) === seq && emit("update", displayId, v);
    value.then(fill, fill);
  }
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" && typeof (v as { then?: unknown }).then === "function";
}

function isPCollection(v: unknown): v is PCollection<unknown> {
  return v !== null && typeof v === "object" && typeof (v as PCollection<unknown>).producerId === "string" && typeof (v as PCollection<unknown>).pipeline === "object";
}

function isPipeline(v: unknown): v is Pipeline {
  return v !== null && typeof v === "object" && typeof (v as Pipeline).toJSON === "function" && typeof (v as Pipeline).apply === "function" && typeof (v as Pipeline).run === "function";
}

/**
 * Shows any value, and returns a handle to update it in place: a PCollection shows a
 * sample of its elements, a Pipeline its graph, an object with a `[Symbol.for("flowbook.display")]()`
 * method the bundle that returns, an array of objects a table, anything else as inspected.
 */
export function display(value: unknown): Displayed {
  const id = newDisplayId();
  emit("display", id, shown(value));
  return new Displayed(id, value);
}

/** What a display shows of a value: a PCollection's sample, a Pipeline's graph (both once computed), else the value. */
function shown(value: unknown): unknown {
  if (isPCollection(value) && value.isBounded === false) {
    throw new TypeError(`display() shows a sample of a bounded PCollection; ${value.name} is unbounded: await show(${value.name}, { duration, n }) shows it live`);
  }
  if (isPCollection(value)) return sampleOf(value, {});
  if (isPipeline(value)) return graphOf(value, {});
  return value;
}

// --- samples ---------------------------------------------------------------------------

/** The graph a PCollection belongs to, and the id it goes by in it. */
function graphFor(pc: PCollection<unknown>): { graph: PipelineGraph; graphJson: string; id: string } {
  const graph = pc.pipeline.toJSON();
  return { graph, graphJson: JSON.stringify(graph), id: pc.pipeline.currentPCollectionId(pc.id) };
}

interface Sample<T> {
  elements: WindowedValue<T>[];
  truncated: boolean;
  totalAtLeast: number;
  /** How many elements the PCollection has, when the run brought them all back. */
  total?: number;
}

async function sampleElements<T>(pc: PCollection<T>, n: number): Promise<Sample<T>> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (typeof pc.pipeline.options.runner === "object") return runnerObjectSample(pc, n);
  const { graph, graphJson, id } = graphFor(pc as PCollection<unknown>);
  const asked = Math.max(n, SAMPLE_AT_LEAST);
  const encoded = await interactiveServices().sample({ graphJson, pcollectionId: id, n: asked, optionsJson: JSON.stringify(graph.options ?? {}) });
  const { elements } = decodeSample(graph, id, encoded);
  const total = encoded.truncated ? undefined : elements.length;
  return { elements: elements.slice(0, n) as WindowedValue<T>[], truncated: encoded.truncated || elements.length > n, totalAtLeast: encoded.totalAtLeast, total };
}

/** A runner object a user made (not one the host has): run it here, uncached. */
async function runnerObjectSample<T>(pc: PCollection<T>, n: number): Promise<Sample<T>> {
  const result = pc.pipeline.run({ collect: { [pc.id]: n } });
  await result.waitUntilFinish();
  const sample = result.collected(pc.id);
  const elements = (sample?.elements ?? []) as WindowedValue<T>[];
  const truncated = (sample?.truncated ?? false) || elements.length > n;
  return { elements: elements.slice(0, n), truncated, totalAtLeast: truncated ? n + 1 : elements.length };
}

/** Computes what `pc` needs (only its ancestors, never a sink; reused when cached) and returns its elements with their timestamps and windows. */
export async function collectWindowed<T>(pc: PCollection<T>, options: CollectOptions = {}): Promise<{ elements: WindowedValue<T>[]; truncated: boolean }> {
  if (isPCollection(pc) && pc.isBounded === false) {
    // No end to wait for: what arrives within the duration (or the first n), then the run is cancelled.
    const { elements } = await runLive(pc as PCollection<unknown>, { ...liveBounds(options.duration, options.n, COLLECT_LIMIT, "collect"), collect: true });
    return { elements: elements as WindowedValue<T>[], truncated: true };
  }
  const { elements, truncated } = await sampleElements(pc, options.n ?? COLLECT_LIMIT);
  return { elements, truncated };
}

/** The elements of a PCollection (at most `n`), computed as `show` computes them. */
export async function collect<T>(pc: PCollection<T>, options: CollectOptions = {}): Promise<T[]> {
  return (await collectWindowed(pc, options)).elements.map((e) => e.value);
}

/** A sample of a PCollection: a table in every front end (text fitted to the width, HTML, JSON rows). */
export class PCollectionSample<T> {
  constructor(
    readonly name: string,
    readonly elements: WindowedValue<T>[],
    readonly truncated: boolean,
    readonly totalAtLeast = elements.length,
    readonly options: TableOptions = {},
    /** How many elements the PCollection has, when known exactly. */
    readonly total?: number,
    /** A live show of an unbounded PCollection: why it stopped, how many elements came (the elements are the final rows: the latest panes). */
    readonly live?: LiveSummary,
  ) {}
  /** The elements' values. */
  get values(): T[] {
    return this.elements.map((e) => e.value);
  }
  [DISPLAY](ctx: DisplayContext = {}): MimeBundle {
    const table = tableOf(this.elements, { ...this.options, name: this.name, truncated: this.truncated, totalAtLeast: this.totalAtLeast, total: this.total });
    return renderTable(table, ctx);
  }
  toString(): string {
    return String(this[DISPLAY]({ width: 100 })["text/plain"]);
  }
  /** How util.inspect (a terminal, a notebook's text/plain) shows it: as its text table. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

async function sampleOf<T>(pc: PCollection<T>, options: ShowOptions): Promise<PCollectionSample<T>> {
  const { elements, truncated, totalAtLeast, total } = await sampleElements(pc, options.n ?? 20);
  return new PCollectionSample(pc.name, elements, truncated, totalAtLeast, { timestamps: options.timestamps, windows: options.windows, panes: options.panes }, total);
}

/**
 * Shows up to `n` elements (default 20) of a PCollection as a table; resolves when shown.
 * An unbounded PCollection shows live: a table of the latest pane per key and window
 * (per element for non-KVs) with each pane's window, timing (EARLY / ON_TIME / LATE), index
 * and timestamp, the rows the latest update changed marked `*`, updated in place until
 * `duration` (default 10 s) or `n` elements (default 20); then its run is cancelled and the
 * final table says why it stopped. Resolves then: the handle's sample holds the final rows'
 * elements, and `live` says why it stopped.
 */
export async function show<T>(pc: PCollection<T>, options: ShowOptions = {}): Promise<Displayed<PCollectionSample<T>>> {
  if (!isPCollection(pc)) throw new TypeError(`show() takes a PCollection, got ${describe(pc)}`);
  if (pc.isBounded === false) return showLive(pc, liveBounds(options.duration, options.n, LIVE_DEFAULTS.showN, "show"), options);
  const sample = await sampleOf(pc, options);
  const id = newDisplayId();
  emit("display", id, sample);
  return new Displayed(id, sample);
}

// --- live displays of unbounded PCollections ----------------------------------------------

/** Why a live display stopped: its duration, its n elements, the source ended, an interrupt, a failed run. */
export type LiveStopReason = "duration" | "count" | "ended" | "interrupted" | "failed";

/** What a live show or chart did, once it stopped (its display shows the final state). */
export interface LiveSummary {
  reason: LiveStopReason;
  /** Elements that arrived (each a pane's output for a grouping). */
  elements: number;
  /** Rows the table ended with (per key and window, or per element). */
  rows: number;
  elapsedMs: number;
}

interface LiveBounds {
  durationMs: number;
  n: number;
  chart?: Record<string, unknown>;
  /** collect: no display; the elements in the order they came, not the table's rows. */
  collect?: boolean;
}

function liveBounds(duration: DurationLike | undefined, n: number | undefined, defaultN: number, call: string): LiveBounds {
  const durationMs = duration === undefined ? LIVE_DEFAULTS.durationMs : durationMillis(duration);
  if (!Number.isFinite(durationMs) || durationMs <= 0) throw new RangeError(`${call}(): duration must be a positive Duration (e.g. Duration.seconds(10)), got ${String(duration)}`);
  if (n !== undefined && (!Number.isInteger(n) || n <= 0)) throw new RangeError(`${call}(): n must be a positive integer for an unbounded PCollection, got ${n}`);
  return { durationMs, n: n ?? defaultN };
}

/** What the host's live view ended with: why, its final bundle, and its rows' elements (the latest panes), encoded. */
interface LiveEnd {
  outcome: LiveSummary;
  bundle: MimeBundle;
  sample: import("./services.js").EncodedSample;
}

async function runLive(pc: PCollection<unknown>, bounds: LiveBounds): Promise<{ displayId: string; end: LiveEnd; elements: WindowedValue<unknown>[] }> {
  const s = interactiveServices();
  if (!s.live) throw new Error(`${pc.name} is unbounded: showing it live needs a host with live displays (a session, or the 'flowbook' package)`);
  if (typeof pc.pipeline.options.runner === "object") throw new Error(`${pc.name} is unbounded: a runner object made in a cell cannot be shown live; set the runner by name`);
  const { graph, graphJson, id } = graphFor(pc);
  const displayId = bounds.collect ? "" : newDisplayId();
  const request = {
    graphJson,
    pcollectionId: id,
    optionsJson: JSON.stringify(graph.options ?? {}),
    displayId,
    name: pc.name,
    durationMs: bounds.durationMs,
    n: bounds.n,
    ...(bounds.chart ? { chartJson: JSON.stringify(bounds.chart) } : {}),
    ...(bounds.collect ? { collect: true } : {}),
  };
  const end = JSON.parse(await s.live(request, JSON.stringify({ width: s.width() }))) as LiveEnd & { outcome: LiveSummary & { draws?: number } };
  const { draws: _draws, ...outcome } = end.outcome;
  end.outcome = outcome;
  return { displayId, end, elements: decodeSample(graph, id, end.sample).elements };
}

async function showLive<T>(pc: PCollection<T>, bounds: LiveBounds, options: ShowOptions): Promise<Displayed<PCollectionSample<T>>> {
  const { displayId, end, elements } = await runLive(pc as PCollection<unknown>, bounds);
  const sample = new PCollectionSample(pc.name, elements as WindowedValue<T>[], false, elements.length, { timestamps: true, windows: true, panes: true, ...pick(options) }, undefined, end.outcome);
  return new Displayed(displayId, sample);
}

async function chartLive(pc: PCollection<unknown>, bounds: LiveBounds): Promise<Displayed<Rendered>> {
  const { displayId, end } = await runLive(pc, bounds);
  return new Displayed(displayId, new Rendered("chart", end.bundle, end.outcome));
}

function pick(o: ShowOptions): Pick<ShowOptions, "timestamps" | "windows" | "panes"> {
  const out: Pick<ShowOptions, "timestamps" | "windows" | "panes"> = {};
  if (o.timestamps !== undefined) out.timestamps = o.timestamps;
  if (o.windows !== undefined) out.windows = o.windows;
  if (o.panes !== undefined) out.panes = o.panes;
  return out;
}

// --- pictures --------------------------------------------------------------------------

/** A picture the host rendered: shown as its bundle. */
export class Rendered {
  constructor(
    readonly kind: "chart" | "graph" | "plan",
    readonly bundle: MimeBundle,
    /** A live chart of an unbounded PCollection: why it stopped (the bundle is its final state). */
    readonly live?: LiveSummary,
  ) {}
  [DISPLAY](): MimeBundle {
    return this.bundle;
  }
  toString(): string {
    return String(this.bundle["text/plain"] ?? `[${this.kind}]`);
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function parseBundle(json: string): MimeBundle {
  return JSON.parse(json) as MimeBundle;
}


/**
 * Charts a PCollection with Vega-Lite: a full spec, or a shorthand such as
 * `{ bar: { x: "key", y: "value" }, top: 20 }`, `{ line: { x: "timestamp", y: "value" } }`,
 * `{ histogram: "field", bins: 30 }`, `{ point: { x, y, color } }`. KVs chart as `key`
 * and `value`, objects by their fields, the event time as `timestamp`.
 */
export async function chart<T>(pc: PCollection<T>, spec: Record<string, unknown>, options: ChartOptions = {}): Promise<Displayed<Rendered>> {
  if (!isPCollection(pc)) throw new TypeError(`chart() takes a PCollection, got ${describe(pc)}`);
  if (spec === null || typeof spec !== "object") throw new TypeError(`chart() takes a Vega-Lite spec or a shorthand such as { bar: { x: "key", y: "value" } }, got ${describe(spec)}`);
  if (pc.isBounded === false) return chartLive(pc as PCollection<unknown>, { ...liveBounds(options.duration, options.n, LIVE_DEFAULTS.chartN, "chart"), chart: spec });
  const max = options.maxRows ?? (spec.top !== undefined ? TOP_SCAN : CHART_ROWS);
  const { elements, truncated, totalAtLeast, total } = await sampleElements(pc, max);
  const rows = rowsOf(elements, { timestamps: true });
  const s = interactiveServices();
  const request = JSON.stringify({ spec, rows, truncated, totalRows: total ?? totalAtLeast });
  const rendered = new Rendered("chart", parseBundle(await s.renderChart(request, JSON.stringify({ width: s.width() }))));
  const id = newDisplayId();
  emit("display", id, rendered);
  return new Displayed(id, rendered);
}

async function graphOf(x: Pipeline | PCollection<unknown>, options: GraphOptions): Promise<Rendered> {
  const p = isPCollection(x) ? x.pipeline : x;
  const graph = p.toJSON();
  const highlight = isPCollection(x) ? [p.currentPCollectionId(x.id)] : undefined;
  const s = interactiveServices();
  return new Rendered("graph", parseBundle(await s.renderGraph(JSON.stringify(graph), JSON.stringify({ ...options, highlight }), JSON.stringify({ width: s.width() }))));
}

/** Shows a pipeline's graph (of a PCollection: its pipeline's, with it highlighted): an SVG laid out by Graphviz, and a text tree. */
export async function graph(x: Pipeline | PCollection<unknown>, options: GraphOptions = {}): Promise<Displayed<Rendered>> {
  if (!isPipeline(x) && !isPCollection(x)) throw new TypeError(`graph() takes a Pipeline or a PCollection, got ${describe(x)}`);
  const rendered = await graphOf(x, options);
  const id = newDisplayId();
  emit("display", id, rendered);
  return new Displayed(id, rendered);
}

/** Where a translation stepper is (`st.step`): the step's position, its event and transform, the last move's note. */
export interface StepState {
  /** 0-based. */
  position: number;
  total: number;
  /** "enter", "leave", "translate" or "finish". */
  kind: string;
  transform?: string;
  kindName?: string;
  note?: string;
  breakpoints: string[];
  atEnd: boolean;
}

/**
 * A walk through the Flink translation of a pipeline, one display updated in place by each
 * move (Jupyter's update_display_data): `const st = await explain(p, { step: true })`, then
 *
 * - `st.next()` steps over (a composite's parts in one step, to its leave), `st.into()` steps
 *   into a composite, `st.out()` goes to the end of the composite around the step,
 * - `st.continue()` runs to the next breakpoint (or the end), `st.back()` undoes the last move,
 * - `st.runTo("CountWords")` runs to a transform (its name, the end of its full name, or a
 *   kind such as "GroupByKey"), `st.break("GroupByKey")` sets a breakpoint (`st.unbreak(q)`),
 * - `st.why()` shows every decision of the step with its reason.
 *
 * Each move returns the stepper (chain them: `st.next().next()`), which shows nothing more as
 * a cell's value; `st.step` says where it is.
 */
export class TranslationStepper extends Displayed<StepState> {
  private state: StepState;
  constructor(
    displayId: string,
    private readonly hostId: string,
    state: StepState,
    private text: string,
  ) {
    super(displayId, state);
    this.state = state;
  }
  /** Where the stepper is now. */
  get step(): StepState {
    return this.state;
  }
  get position(): number {
    return this.state.position;
  }
  get breakpoints(): string[] {
    return this.state.breakpoints;
  }
  /** Steps over: to the next step; over a composite's parts to its end. */
  next(): this {
    return this.move({ move: "next" });
  }
  /** Steps into a composite (elsewhere: to the next step). */
  into(): this {
    return this.move({ move: "into" });
  }
  /** To the end of the composite around the current step. */
  out(): this {
    return this.move({ move: "out" });
  }
  /** Undoes the last move (with none: one step back). */
  back(): this {
    return this.move({ move: "back" });
  }
  /** To the next step a breakpoint matches (or one refusing a transform), else the end. */
  continue(): this {
    return this.move({ move: "continue" });
  }
  /** To the next step translating `query`: a transform's name (or the end of its full name) or a kind. */
  runTo(query: string): this {
    return this.move({ move: "runTo", query: String(query) });
  }
  /** Every decision of the current step, with its reason (until the next move). */
  why(): this {
    return this.move({ move: "why" });
  }
  /** A breakpoint on a transform's name or a kind (`continue` stops there); without one, lists them. */
  break(query = ""): this {
    return this.move({ move: "break", query: String(query) });
  }
  /** Removes a breakpoint (all of them without one). */
  unbreak(query?: string): this {
    return this.move(query === undefined ? { move: "unbreak" } : { move: "unbreak", query: String(query) });
  }
  private move(command: Record<string, unknown>): this {
    const s = interactiveServices();
    const r = JSON.parse(s.stepper(this.hostId, JSON.stringify(command), JSON.stringify({ width: s.width() }))) as { bundle: MimeBundle; state: StepState };
    this.state = r.state;
    this.text = String(r.bundle["text/plain"] ?? "");
    s.emit("update", this.displayId, JSON.stringify(r.bundle));
    return this;
  }
  override toString(): string {
    return this.text;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `TranslationStepper { step ${this.state.position + 1} of ${this.state.total}: ${this.state.kind}${this.state.transform ? ` ${this.state.transform}` : ""} }`;
  }
}

/**
 * Shows how the Flink runner would run a pipeline (whatever runner it is set to): the plan as
 * a tree and an SVG. With `{ step: true }`, a stepper through the translation instead
 * (TranslationStepper: `st.next()`, `st.into()`, `st.out()`, `st.back()`, `st.continue()`,
 * `st.runTo(name)`, `st.break(name or kind)`, `st.why()`), each move updating one display.
 *
 * - `{ flink: true }`: what Flink made of the plan — Flink's own job graph, asked from the
 *   cluster in the pipeline's `flinkMaster` without running anything: its vertices (tasks)
 *   after operator chaining, each drawn as a frame around the plan operators it runs, with
 *   the exchanges between them (HASH, BROADCAST; blocking or pipelined).
 * - `{ run: true }`: EXPLAIN ANALYZE — runs the pipeline on its runner (local or Flink),
 *   waits for it, and draws the plan with what each operator did: records in and out, bytes,
 *   and on Flink the busy time of the vertex it ran in and, for user code, each transform's own
 *   time in the Node workers (the operator where most time went is marked ▲ and outlined); the
 *   local runner's stages are listed with their times. With
 *   `flink: true` too, on Flink, the job graph of the job that ran with each vertex's numbers.
 *   A failed run still shows how far it got, then the call throws its error.
 *
 * Other options override the pipeline's (`parallelism`, `flinkMaster`).
 */
export async function explain(p: Pipeline, options: { step: true } & Record<string, unknown>): Promise<TranslationStepper>;
export async function explain(p: Pipeline, options?: Record<string, unknown>): Promise<Displayed<Rendered>>;
export async function explain(p: Pipeline, options: Record<string, unknown> = {}): Promise<Displayed<Rendered> | TranslationStepper> {
  if (!isPipeline(p)) throw new TypeError(`explain() takes a Pipeline, got ${describe(p)}`);
  const s = interactiveServices();
  if (options.step) {
    const { step: _step, ...rest } = options;
    const opened = JSON.parse(await s.openStepper(JSON.stringify(p.toJSON()), JSON.stringify(rest), JSON.stringify({ width: s.width() }))) as { id: string; bundle: MimeBundle; state: StepState };
    const id = newDisplayId();
    s.emit("display", id, JSON.stringify(opened.bundle));
    return new TranslationStepper(id, opened.id, opened.state, String(opened.bundle["text/plain"] ?? ""));
  }
  if (options.run !== undefined && options.run !== true && options.run !== false) {
    // A result cannot be read back after the fact (its events went to whoever listened): say what works.
    throw new TypeError("explain(p, { run: true }) runs the pipeline and shows what each operator did; pass true (a PipelineResult of an earlier run cannot be read back)");
  }
  if (options.run) {
    // EXPLAIN ANALYZE: run the pipeline (on its runner), then draw the plan with what each operator did.
    if (!s.watchRun) throw new Error("explain(p, { run: true }) needs a host that watches runs (a session, or the 'flowbook' package)");
    const graphJson = JSON.stringify(p.toJSON());
    const watch = s.watchRun(graphJson);
    const result = p.run(); // a pipeline that cannot start throws here, as run() does
    let failure: unknown;
    try {
      await result.waitUntilFinish();
    } catch (e) {
      failure = e; // the plan still shows how far it got; the cell fails after it
    }
    let rendered: Rendered;
    try {
      rendered = new Rendered("plan", parseBundle(await s.renderPlan(graphJson, JSON.stringify({ ...options, run: watch }), JSON.stringify({ width: s.width() }))));
    } catch (e) {
      throw failure ?? e;
    }
    const id = newDisplayId();
    emit("display", id, rendered);
    if (failure !== undefined) throw failure;
    return new Displayed(id, rendered);
  }
  const rendered = new Rendered("plan", parseBundle(await s.renderPlan(JSON.stringify(p.toJSON()), JSON.stringify(options), JSON.stringify({ width: s.width() }))));
  const id = newDisplayId();
  emit("display", id, rendered);
  return new Displayed(id, rendered);
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === "object") return `an object of class ${(x as object).constructor?.name ?? "Object"}`;
  return `${typeof x} ${String(x).slice(0, 40)}`;
}
