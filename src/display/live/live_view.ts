/**
 * One live display of a run's live sample (PipelineResult.onLiveSample): shows it at once,
 * updates it in place as batches come (at most every `minIntervalMs`, each update marking
 * the rows it changed), and stops the run it watches — cancel() — at the first of: its
 * duration, its n elements, the run ending by itself (the source ended), the run cancelled
 * by someone else (an interrupt), the run failing. Then it draws the final state once more
 * with the reason, and resolves (or rejects with the run's error).
 */
import type { PipelineResult } from "../../sdk/runner.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import type { MimeBundle } from "../mime.js";
import { LivePanes } from "./live_panes.js";
import type { LiveStatus, LiveStopReason } from "./live_status.js";

export interface LiveViewOptions {
  result: PipelineResult;
  pcollectionId: string;
  displayId: string;
  durationMs: number;
  n: number;
  /** The display's bundle for the panes now (a table, or a chart: may take a while). */
  render: (panes: LivePanes, status: LiveStatus) => MimeBundle | Promise<MimeBundle>;
  emit: (kind: "display" | "update", displayId: string, bundle: MimeBundle) => void;
  /** Redraws at most this often (default 250 ms). */
  minIntervalMs?: number;
  /** Called with the elements taken from each batch (at most n in all), in the order they came: collect's. */
  onElements?: (elements: readonly WindowedValue<unknown>[]) => void;
}

export interface LiveOutcome {
  reason: LiveStopReason;
  elements: number;
  rows: number;
  elapsedMs: number;
  /** Updates drawn, the first display and the final one included. */
  draws: number;
}

/** The outcome, with what the display shows in the end: its bundle and its rows' elements (the latest panes). */
export interface LiveEnd {
  outcome: LiveOutcome;
  bundle: MimeBundle;
  panes: LivePanes;
}

export async function runLiveView(o: LiveViewOptions): Promise<LiveEnd> {
  const { result } = o;
  if (typeof result.onLiveSample !== "function") {
    await result.cancel().catch(() => undefined);
    throw new Error("this runner cannot show an unbounded PCollection live (its PipelineResult has no onLiveSample)");
  }
  const started = Date.now();
  const panes = new LivePanes();
  const minInterval = o.minIntervalMs ?? 250;
  let stopped: { reason: LiveStopReason; error?: string } | undefined;
  let draws = 0;
  let shown: MimeBundle = {};
  let lastDraw = 0;
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  // Draws run one after another (a chart takes a while), the newest state each time.
  let drawing: Promise<void> = Promise.resolve();

  const status = (): LiveStatus => ({ durationMs: o.durationMs, n: o.n, elapsedMs: Date.now() - started, elements: panes.elements, ...(stopped ? { stopped } : {}) });
  const draw = (kind: "display" | "update"): Promise<void> => {
    dirty = false;
    lastDraw = Date.now();
    drawing = drawing.then(async () => {
      panes.endUpdate();
      const bundle = await o.render(panes, status());
      draws++;
      shown = bundle;
      o.emit(kind, o.displayId, bundle);
    });
    return drawing;
  };
  const schedule = () => {
    if (stopped || timer) return;
    dirty = true;
    const wait = Math.max(0, lastDraw + minInterval - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      if (dirty && !stopped) void draw("update").catch(() => undefined);
    }, wait);
  };

  let stop!: (reason: LiveStopReason, error?: string) => void;
  const stopping = new Promise<void>((resolve) => {
    stop = (reason, error) => {
      if (stopped) return;
      stopped = error === undefined ? { reason } : { reason, error };
      resolve();
    };
  });

  // The first draw says what it waits for, before any element; the run and the clock go on
  // meanwhile (a chart's first draw loads vega: seconds), and later draws queue behind it.
  void draw("display").catch(() => undefined);
  const unsubscribe = result.onLiveSample(o.pcollectionId, (batch) => {
    if (stopped) return;
    const room = o.n - panes.elements;
    const taken = room < batch.elements.length ? batch.elements.slice(0, room) : batch.elements;
    panes.add(taken, batch.watermark);
    o.onElements?.(taken);
    if (panes.elements >= o.n) stop("count");
    else schedule();
  });
  const durationTimer = setTimeout(() => stop("duration"), o.durationMs);
  let failure: unknown;
  const ended = result.waitUntilFinish().then(
    (state) => stop(state === "CANCELLED" ? "interrupted" : "ended"),
    (e: unknown) => {
      failure = e;
      stop(result.state === "CANCELLED" ? "interrupted" : "failed", e instanceof Error ? e.message : String(e));
    },
  );
  await stopping;
  clearTimeout(durationTimer);
  clearTimeout(timer);
  timer = undefined;
  // Our own reasons stop the run we started; the others found it stopped already.
  if (stopped!.reason === "duration" || stopped!.reason === "count") await result.cancel().catch(() => undefined);
  await ended;
  unsubscribe();
  await draw("update").catch(() => undefined);
  if (stopped!.reason === "failed") throw failure;
  const outcome = { reason: stopped!.reason, elements: panes.elements, rows: panes.rows().length, elapsedMs: Date.now() - started, draws };
  return { outcome, bundle: shown, panes };
}
