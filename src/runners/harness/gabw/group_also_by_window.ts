/**
 * Group-also-by-window: GroupByKey's reading half as an operator over keyed state and timers,
 * run by trigger state machines. It follows Beam's runners-core ReduceFnRunner (with
 * WatermarkHold, PaneInfoTracker, NonEmptyPanes, MergingActiveWindowSet and
 * LateDataDroppingDoFnRunner's filter) case by case:
 *
 * - Elements arrive with their windows assigned; a bundle of one key's elements is processed
 *   as Beam's processElements: data later than its window's end + allowed lateness is dropped
 *   (counted as `droppedDueToLateness`), windows of merging window fns merge first, each
 *   element goes into each (merged) window whose trigger is not finished (else it is dropped,
 *   counted as `droppedDueToClosedWindow`), and after the bundle every window that should fire
 *   fires.
 * - Timers: an end-of-window timer, rolled forward to a garbage-collection timer at the
 *   window's end + allowed lateness; triggers set their own. At garbage collection a window
 *   emits its final pane (if needed) and all its state is dropped.
 * - Panes: EARLY before the input watermark passes the window's end, one ON_TIME pane, LATE
 *   after; first/last flags and indices as PaneInfoTracker; empty panes per the closing and
 *   on-time behaviours; accumulating or discarding per the windowing strategy.
 * - Output timestamps per the TimestampCombiner, held by watermark holds so the output is never
 *   late downstream; `watermarkHold()` is what a scheduler needs for this stage's output
 *   watermark.
 *
 * The caller drives time: `advanceInputWatermark`, `advanceProcessingTime`. For bounded input
 * the final watermark is +∞. Pure TypeScript, no Node imports: usable on any thread.
 */
import type { ClosingBehaviorKind, OnTimeBehaviorKind, TriggerSpec } from "../../../graph/types.js";
import type { KV } from "../../../sdk/values/kv.js";
import { PaneInfo, type PaneTiming } from "../../../sdk/values/pane.js";
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MIN } from "../../../sdk/values/time.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy.js";
import type { Receiver } from "../operators/receiver.js";
import { HoldIndex, KeyState, WindowState, type HoldCombiner, type PaneBuffer } from "./state.js";
import { Timers, type TimeDomain, type TimerEntry } from "./timers.js";
import { DefaultTriggerStateMachine, ExecutableTrigger, type TriggerContext, type TriggerStore } from "./triggers.js";

export type ClosingBehavior = ClosingBehaviorKind;
export type OnTimeBehavior = OnTimeBehaviorKind;

/** The metric namespace of the operator's counters, and their names (as Beam's). */
export const GABW_METRICS_NAMESPACE = "GroupAlsoByWindow";
export const DROPPED_DUE_TO_LATENESS = "droppedDueToLateness";
export const DROPPED_DUE_TO_CLOSED_WINDOW = "droppedDueToClosedWindow";

/** Where the operator counts (a MetricsContainer is one). */
export interface CounterSink {
  inc(key: string, n: number): void;
}

export interface GroupAlsoByWindowOptions<V, O> {
  /** Window fn, trigger, accumulation mode, allowed lateness, timestamp combiner, closing and on-time behaviours. */
  strategy: WindowingStrategy;
  /** A fresh pane buffer: a bag (GroupByKey) or a CombineFn's accumulator. */
  newBuffer: () => PaneBuffer<V, O>;
  /** Receives KV(key, pane contents) per pane. */
  output: Receiver;
  /** The transform's name, for errors. */
  transform: string;
  /** Whether a final pane is emitted when empty (Beam's ClosingBehavior), instead of the strategy's (tests). */
  closingBehavior?: ClosingBehavior;
  /** Whether an empty ON_TIME pane is emitted (Beam's OnTimeBehavior), instead of the strategy's (tests). */
  onTimeBehavior?: OnTimeBehavior;
  /** Counters: droppedDueToLateness, droppedDueToClosedWindow. */
  metrics?: CounterSink;
  /** The trigger to run instead of the strategy's (tests). */
  trigger?: ExecutableTrigger;
}

/** The reused trigger context: one object, re-pointed at each key and window. */
class Context implements TriggerContext {
  window!: BoundedWindow;
  key!: KeyState;
  ws!: WindowState;
  sources: readonly TriggerStore[] | undefined;
  constructor(private readonly op: GroupAlsoByWindow<unknown, unknown>, readonly merging: boolean) {}
  get store(): TriggerStore {
    return this.ws.trigger ?? (this.ws.trigger = this.op.trigger.newStore());
  }
  get eventTime(): number {
    return this.op.inputWatermark;
  }
  get processingTime(): number {
    return this.op.processingTime;
  }
  get synchronizedProcessingTime(): number {
    return this.op.processingTime;
  }
  setTimer(time: number, domain: TimeDomain): void {
    this.op.timers.set(this.key, this.ws, time, domain);
  }
  at(key: KeyState, ws: WindowState, sources?: readonly TriggerStore[]): this {
    this.key = key;
    this.ws = ws;
    this.window = ws.window;
    this.sources = sources;
    return this;
  }
}

interface Pending {
  value: unknown;
  timestamp: number;
  windows: readonly BoundedWindow[];
}

/** Windows → T by max timestamp, equal windows told apart by `equals` (no string per window). */
class WindowIndex<T> {
  private readonly byEnd = new Map<number, Array<[BoundedWindow, T]>>();
  get(w: BoundedWindow): T | undefined {
    const l = this.byEnd.get(w.maxTimestamp());
    if (l !== undefined) for (const [x, v] of l) if (x === w || x.equals(w)) return v;
    return undefined;
  }
  set(w: BoundedWindow, v: T): void {
    const t = w.maxTimestamp();
    const l = this.byEnd.get(t);
    if (l === undefined) this.byEnd.set(t, [[w, v]]);
    else {
      for (const e of l) {
        if (e[0] === w || e[0].equals(w)) {
          e[1] = v;
          return;
        }
      }
      l.push([w, v]);
    }
  }
}

// Read once: a module's imported constant can cost a property access per use.
const MIN_TIME = TIMESTAMP_MIN;
const END_OF_TIME = END_OF_GLOBAL_WINDOW;

function combinerOf(strategy: WindowingStrategy): HoldCombiner {
  return strategy.timestampCombiner;
}

export class GroupAlsoByWindow<V, O> {
  readonly trigger: ExecutableTrigger;
  readonly timers = new Timers();
  inputWatermark = TIMESTAMP_MIN;
  outputWatermark = TIMESTAMP_MIN;
  processingTime = TIMESTAMP_MIN;
  /** Output watermark = min(input watermark, holds) after each advance; off to drive it by hand. */
  autoAdvanceOutputWatermark = true;

  private readonly keys = new Map<string, KeyState>();
  private readonly holds = new HoldIndex();
  private readonly merging: boolean;
  private readonly discarding: boolean;
  private readonly lateness: number;
  private readonly combiner: HoldCombiner;
  private readonly closing: ClosingBehavior;
  private readonly onTime: OnTimeBehavior;
  private readonly ctx: Context;
  private readonly lateKey: string;
  private readonly closedKey: string;

  // The bundle being processed.
  private bundle = 0;
  private current: KeyState | undefined;
  private touched: WindowState[] = [];
  private pending: Pending[] = [];
  /** The window the bundle's previous element went into (the default trigger's fast path). */
  private lastState: WindowState | undefined;
  private readonly defaultTrigger: boolean;

  constructor(private readonly opts: GroupAlsoByWindowOptions<V, O>) {
    const s = opts.strategy;
    this.trigger = opts.trigger ?? ExecutableTrigger.of(s.trigger as TriggerSpec, opts.transform);
    this.merging = !s.windowFn.isNonMerging();
    this.defaultTrigger = this.trigger.root instanceof DefaultTriggerStateMachine;
    this.discarding = s.accumulationMode !== "ACCUMULATING";
    this.lateness = s.allowedLatenessMillis;
    if (!(this.lateness >= 0) || !Number.isFinite(this.lateness)) {
      throw new RangeError(`${opts.transform}: the allowed lateness must be a finite number of milliseconds >= 0, got ${this.lateness}`);
    }
    this.combiner = combinerOf(s);
    this.closing = opts.closingBehavior ?? s.closingBehavior;
    this.onTime = opts.onTimeBehavior ?? s.onTimeBehavior;
    this.ctx = new Context(this as never, this.merging);
    this.lateKey = GABW_METRICS_NAMESPACE + "\u0000" + DROPPED_DUE_TO_LATENESS;
    this.closedKey = GABW_METRICS_NAMESPACE + "\u0000" + DROPPED_DUE_TO_CLOSED_WINDOW;
  }

  // ------------------------------------------------------------------ elements

  /** Starts a bundle of one key's elements. */
  startBundle(keyId: string, key: unknown): void {
    if (this.current !== undefined) throw new Error(`${this.opts.transform}: startBundle before the previous bundle finished`);
    let ks = this.keys.get(keyId);
    if (ks === undefined) {
      ks = new KeyState(keyId, key);
      this.keys.set(keyId, ks);
    }
    this.current = ks;
    this.bundle++;
  }

  /** One element of the bundle, with its windows (already assigned). */
  processValue(value: V, timestamp: number, windows: readonly BoundedWindow[]): void {
    const ks = this.current;
    if (ks === undefined) throw new Error(`${this.opts.transform}: processValue outside a bundle`);
    if (this.merging) {
      // Windows merge before any element is processed: keep the bundle until its end.
      this.pending.push({ value, timestamp, windows });
      return;
    }
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      const last = this.lastState;
      if (last !== undefined && last.window === w && this.defaultTrigger && last.touchedIn === this.bundle) {
        // The default trigger, the same window as the element before in this bundle: its
        // timers are set and time cannot move within a bundle, so only the pane and the hold
        // change (an END_OF_WINDOW hold is the window's end, already held).
        last.nonEmpty++;
        if (this.combiner !== "END_OF_WINDOW") this.addHolds(last, timestamp);
        last.buffer!.add(value);
        continue;
      }
      if (this.isExpired(w)) {
        this.opts.metrics?.inc(this.lateKey, 1);
        continue;
      }
      let ws = ks.windows.get(w);
      if (ws === undefined) {
        ws = new WindowState(w, this.combiner);
        ks.windows.add(ws);
      }
      this.processInto(ks, ws, value, timestamp);
      this.lastState = ws.active ? ws : undefined;
    }
  }

  /** Ends the bundle: merges (for merging window fns), processes, fires what should fire. */
  finishBundle(): void {
    const ks = this.current;
    if (ks === undefined) throw new Error(`${this.opts.transform}: finishBundle outside a bundle`);
    try {
      if (this.merging) this.processMerging(ks);
      const touched = this.touched;
      for (let i = 0; i < touched.length; i++) {
        const ws = touched[i]!;
        if (ks.windows.get(ws.window) !== ws) continue; // merged away meanwhile
        if (ws.active && !this.trigger.isClosed(ws.trigger) && this.trigger.root.shouldFire(this.ctx.at(ks, ws))) this.emit(ks, ws);
      }
      for (let i = 0; i < touched.length; i++) this.dropIfUnused(ks, touched[i]!);
    } finally {
      this.lastState = undefined;
      this.touched = [];
      this.pending = [];
      this.current = undefined;
      if (ks.windows.size === 0) this.keys.delete(ks.id);
    }
  }

  /** A bundle of one key's elements (startBundle, processValue each, finishBundle). */
  processElements(keyId: string, key: unknown, elements: Iterable<WindowedValue<V>>): void {
    this.startBundle(keyId, key);
    try {
      for (const e of elements) this.processValue(e.value, e.timestamp, e.windows);
    } finally {
      this.finishBundle();
    }
  }

  /** Data later than its window's garbage-collection time (Beam's LateDataFilter). */
  private isExpired(w: BoundedWindow): boolean {
    return this.gcTime(w) < this.inputWatermark;
  }

  /** Window end + allowed lateness, capped at the end of the global window. */
  gcTime(w: BoundedWindow): number {
    const end = w.maxTimestamp();
    return end > END_OF_TIME - this.lateness ? END_OF_TIME : end + this.lateness;
  }

  private processInto(ks: KeyState, ws: WindowState, value: unknown, timestamp: number): void {
    if (ws.trigger !== undefined && this.trigger.isClosed(ws.trigger)) {
      this.opts.metrics?.inc(this.closedKey, 1);
      return;
    }
    ws.active = true;
    ws.nonEmpty++;
    this.scheduleEndOfWindowOrGc(ks, ws);
    this.addHolds(ws, timestamp);
    (ws.buffer ?? (ws.buffer = this.opts.newBuffer() as PaneBuffer<unknown, unknown>)).add(value);
    this.trigger.root.onElement(this.ctx.at(ks, ws));
    if (ws.touchedIn !== this.bundle) {
      ws.touchedIn = this.bundle;
      this.touched.push(ws);
    }
  }

  private scheduleEndOfWindowOrGc(ks: KeyState, ws: WindowState): number {
    const end = ws.window.maxTimestamp();
    const t = end < this.inputWatermark ? this.gcTime(ws.window) : end;
    this.timers.set(ks, ws, t, "EVENT_TIME");
    return t;
  }

  // ------------------------------------------------------------------ holds

  private addHolds(ws: WindowState, timestamp: number): number | undefined {
    return this.addElementHold(ws, timestamp) ?? this.addGcHold(ws, false);
  }

  private addElementHold(ws: WindowState, timestamp: number): number | undefined {
    const w = ws.window;
    const hold = this.combiner === "END_OF_WINDOW" ? w.maxTimestamp() : timestamp;
    if (hold < this.outputWatermark) return undefined; // too late to hold the output back
    if (w.maxTimestamp() < this.inputWatermark) return undefined; // too late for the end-of-window timer
    if (ws.elementHold.add(hold)) this.holds.note(ws);
    return hold;
  }

  private addGcHold(ws: WindowState, paneIsEmpty: boolean): number | undefined {
    const gc = this.gcTime(ws.window);
    if (gc < this.inputWatermark) return undefined;
    if (paneIsEmpty && this.closing === "FIRE_IF_NON_EMPTY") return undefined;
    if (ws.extraHold.add(gc)) this.holds.note(ws);
    return gc;
  }

  /** The earliest watermark hold of any key and window (+∞ if none): the output watermark may not pass it. */
  watermarkHold(): number {
    return this.holds.min();
  }

  // ------------------------------------------------------------------ merging

  private processMerging(ks: KeyState): void {
    // Drop expired data first, per element and window (before merging, as Beam's filter).
    const elements: Pending[] = [];
    const windows: BoundedWindow[] = [];
    const seen = new WindowIndex<true>();
    for (const p of this.pending) {
      const kept: BoundedWindow[] = [];
      for (const w of p.windows) {
        if (this.isExpired(w)) this.opts.metrics?.inc(this.lateKey, 1);
        else {
          kept.push(w);
          if (seen.get(w) === undefined) {
            seen.set(w, true);
            windows.push(w);
          }
        }
      }
      if (kept.length > 0) elements.push({ value: p.value, timestamp: p.timestamp, windows: kept });
    }
    if (elements.length === 0) return;

    // The active windows and the bundle's new ones merge together.
    const candidates: BoundedWindow[] = [];
    for (const ws of ks.windows.values()) if (ws.active) candidates.push(ws.window);
    for (const w of windows) {
      const ws = ks.windows.get(w);
      if (ws === undefined || !ws.active) candidates.push(w);
    }
    const mergeResult = new WindowIndex<BoundedWindow>();
    for (const m of this.opts.strategy.windowFn.mergeWindows(candidates)) {
      if (m.toMerge.length === 1 && m.toMerge[0]!.equals(m.result)) continue;
      this.onMerge(ks, m.toMerge, m.result);
      for (const w of m.toMerge) mergeResult.set(w, m.result);
    }
    const mapped = (w: BoundedWindow): BoundedWindow => mergeResult.get(w) ?? w;

    for (const e of elements) {
      const targets: BoundedWindow[] = [];
      for (const w of e.windows) {
        const m = mapped(w);
        if (!targets.some((x) => x.equals(m))) targets.push(m);
      }
      for (const w of targets) {
        let ws = ks.windows.get(w);
        if (ws === undefined) {
          ws = new WindowState(w, this.combiner);
          ks.windows.add(ws);
        }
        this.processInto(ks, ws, e.value, e.timestamp);
      }
    }
  }

  /** Folds the state of the active windows among `toMerge` into `result`'s (Beam's OnMergeCallback). */
  private onMerge(ks: KeyState, toMerge: readonly BoundedWindow[], result: BoundedWindow): void {
    const sources: WindowState[] = [];
    for (const w of toMerge) {
      const ws = ks.windows.get(w);
      if (ws !== undefined && ws.active) sources.push(ws);
    }
    let target = ks.windows.get(result);
    if (target === undefined) {
      target = new WindowState(result, this.combiner);
      ks.windows.add(target);
    }
    // The pane's contents and the element counts.
    for (const s of sources) {
      if (s === target) continue;
      if (s.buffer !== undefined && !s.buffer.isEmpty()) {
        (target.buffer ?? (target.buffer = this.opts.newBuffer() as PaneBuffer<unknown, unknown>)).mergeFrom(s.buffer);
      }
      target.nonEmpty += s.nonEmpty;
    }
    // Holds: END_OF_WINDOW holds move to the result's end; others combine.
    if (sources.length > 0) {
      if (this.combiner === "END_OF_WINDOW") {
        for (const s of sources) s.elementHold.clear();
        this.addElementHold(target, MIN_TIME);
      } else {
        let merged: number | undefined;
        for (const s of sources) {
          const h = s.elementHold.read();
          if (h !== undefined) merged = merged === undefined ? h : this.combiner === "LATEST" ? Math.max(merged, h) : Math.min(merged, h);
          s.elementHold.clear();
        }
        if (merged !== undefined && target.elementHold.add(merged)) this.holds.note(target);
      }
      for (const s of sources) s.extraHold.clear();
      this.addGcHold(target, false);
    }
    // The trigger merges its state; it sees the merged windows' stores.
    const stores = sources.map((s) => s.trigger ?? this.trigger.newStore());
    this.trigger.root.onMerge(this.ctx.at(ks, target, stores));
    for (const s of sources) {
      if (s === target) continue;
      // Merged away: its end-of-window and GC timers, pane history and state go.
      this.timers.deleteAll(s);
      ks.windows.delete(s);
    }
    if (sources.length > 0) target.active = true;
    if (target.touchedIn !== this.bundle) {
      target.touchedIn = this.bundle;
      this.touched.push(target);
    }
  }

  /** Removes a window's state object once nothing of it is left (Beam's cleanupTemporaryWindows). */
  private dropIfUnused(ks: KeyState, ws: WindowState): void {
    if (ks.windows.get(ws.window) !== ws) return;
    if (ws.active || ws.timers.length > 0 || this.trigger.isClosed(ws.trigger)) return;
    if (ws.buffer !== undefined && !ws.buffer.isEmpty()) return;
    ks.windows.delete(ws);
  }

  // ------------------------------------------------------------------ firing

  private emit(ks: KeyState, ws: WindowState): void {
    const ctx = this.ctx.at(ks, ws);
    this.trigger.root.onFire(ctx);
    const finished = this.trigger.isClosed(ws.trigger);
    const discard = finished || this.discarding;
    this.onTrigger(ks, ws, finished, discard);
    ws.nonEmpty = 0;
    if (discard) ws.buffer = undefined;
    if (finished) {
      // Closed: new elements are dropped; only the finished bits (and the GC timer) stay.
      this.trigger.root.clear(this.ctx.at(ks, ws));
      ws.lastPane = undefined;
      ws.active = false;
    }
  }

  /** Emits the pane if it should be emitted; releases the holds. */
  private onTrigger(ks: KeyState, ws: WindowState, finished: boolean, last: boolean): void {
    const w = ws.window;
    // Beam's WatermarkHold.extractAndRelease: the output time, then holds cleared.
    let outputTime = ws.hold();
    if (outputTime === undefined || outputTime > w.maxTimestamp()) outputTime = w.maxTimestamp();
    ws.elementHold.clear();
    ws.extraHold.clear();
    if (!finished) this.addGcHold(ws, true);

    const isEmpty = ws.nonEmpty === 0;
    if (isEmpty && this.closing === "FIRE_IF_NON_EMPTY" && this.onTime === "FIRE_IF_NON_EMPTY") return;
    const pane = this.nextPane(ws, finished);
    const emitIt = !isEmpty || (pane.timing === "ON_TIME" && this.onTime === "FIRE_ALWAYS") || (finished && this.closing === "FIRE_ALWAYS");
    if (!emitIt) return;
    const buffer = ws.buffer ?? (this.opts.newBuffer() as PaneBuffer<unknown, unknown>);
    const value = buffer.extract(last);
    ws.lastPane = pane;
    const kv: KV<unknown, unknown> = { key: ks.key, value };
    this.opts.output.process({ value: kv, timestamp: outputTime, windows: [w], pane });
  }

  /** Beam's PaneInfoTracker.getNextPaneInfo. */
  private nextPane(ws: WindowState, isFinal: boolean): PaneInfo {
    const prev = ws.lastPane;
    const maxTs = ws.window.maxTimestamp();
    const isFirst = prev === undefined;
    const index = isFirst ? 0 : prev.index + 1;
    let nonSpeculative = isFirst ? 0 : prev.nonSpeculativeIndex + 1;
    const lateForOutput = maxTs < this.outputWatermark;
    const onlyEarlySoFar = prev === undefined || prev.timing === "EARLY";
    const earlyForInput = !(this.inputWatermark > maxTs);
    let timing: PaneTiming;
    if (lateForOutput || !onlyEarlySoFar) timing = "LATE";
    else if (earlyForInput) {
      timing = "EARLY";
      nonSpeculative = -1;
    } else timing = "ON_TIME";
    if (isFirst && isFinal && timing === "ON_TIME") return PaneInfo.ON_TIME_AND_ONLY_FIRING;
    return PaneInfo.of(isFirst, isFinal, timing, index, nonSpeculative);
  }

  // ------------------------------------------------------------------ time

  /** Moves the input watermark to `t` (never back) and fires the event-time timers now due. */
  advanceInputWatermark(t: number): void {
    if (Number.isNaN(t)) throw new RangeError(`${this.opts.transform}: the input watermark must be a number, got NaN`);
    if (t < this.inputWatermark) {
      throw new RangeError(`${this.opts.transform}: the input watermark cannot move back (from ${this.inputWatermark} to ${t})`);
    }
    this.inputWatermark = t;
    this.fireDue("EVENT_TIME", t);
    this.autoAdvance();
  }

  /** Moves processing time to `t` (never back) and fires the processing-time timers now due. */
  advanceProcessingTime(t: number): void {
    if (Number.isNaN(t) || t < this.processingTime) {
      throw new RangeError(`${this.opts.transform}: processing time cannot move back (from ${this.processingTime} to ${t})`);
    }
    this.processingTime = t;
    this.fireDue("PROCESSING_TIME", t);
    this.fireDue("SYNCHRONIZED_PROCESSING_TIME", t);
    this.autoAdvance();
  }

  /** Sets the output watermark (when a scheduler computes it; turns the automatic advance off). */
  advanceOutputWatermark(t: number): void {
    this.autoAdvanceOutputWatermark = false;
    if (t > this.outputWatermark) this.outputWatermark = t;
  }

  private autoAdvance(): void {
    if (!this.autoAdvanceOutputWatermark) return;
    const hold = this.watermarkHold();
    const t = hold < this.inputWatermark ? hold : this.inputWatermark;
    if (t > this.outputWatermark) this.outputWatermark = t;
  }

  private fireDue(domain: TimeDomain, now: number): void {
    if (this.current !== undefined) throw new Error(`${this.opts.transform}: time cannot advance inside a bundle`);
    // Timers come due in batches (those due now, then those the batch set that are due too);
    // a window is activated once per batch, whatever timers of it came due (Beam's onTimers).
    for (;;) {
      const first = this.timers.nextDue(domain, now);
      if (first === undefined) return;
      const batch: TimerEntry[] = [first];
      for (let e = this.timers.nextDue(domain, now); e !== undefined; e = this.timers.nextDue(domain, now)) batch.push(e);
      const activated = batch.length > 1 ? new Set<WindowState>() : undefined;
      for (const e of batch) {
        if (activated !== undefined) {
          if (activated.has(e.state)) continue;
          activated.add(e.state);
        }
        if (e.domain !== "EVENT_TIME" && this.isExpired(e.state.window)) continue; // as late elements are
        this.onTimer(e);
      }
    }
  }

  /**
   * A window activated by a timer. What happens depends on the window's state and the
   * watermarks, not on which timer it was (Beam's WindowActivation), so a leap of the
   * watermark past both the end of the window and its garbage-collection time gives one final
   * ON_TIME pane.
   */
  private onTimer(e: TimerEntry): void {
    const ks = e.key;
    const ws = e.state;
    if (ws.removed) return;
    const w = ws.window;
    const isEndOfWindow = this.inputWatermark > w.maxTimestamp() && this.outputWatermark <= w.maxTimestamp();
    const isGc = this.inputWatermark > this.gcTime(w);
    const activeAndOpen = ws.active && !this.trigger.isClosed(ws.trigger);
    if (isGc) {
      if (activeAndOpen) this.onTrigger(ks, ws, true, true);
      // Nothing of the window is needed any more: not even its finished bits.
      this.timers.deleteAll(ws);
      ks.windows.delete(ws);
      if (ks.windows.size === 0) this.keys.delete(ks.id);
      return;
    }
    if (activeAndOpen && this.trigger.root.shouldFire(this.ctx.at(ks, ws))) this.emit(ks, ws);
    if (isEndOfWindow) {
      // On time: from now on the garbage-collection timer (allowed lateness > 0 here).
      this.timers.set(ks, ws, this.gcTime(w), "EVENT_TIME");
    }
  }

  // ------------------------------------------------------------------ inspection

  /** For bounded input read one key at a time: after +∞ freed everything, the next key starts a fresh clock. */
  resetClock(): void {
    if (this.keys.size !== 0) throw new Error(`${this.opts.transform}: resetClock with state still held for ${this.keys.size} key(s)`);
    this.inputWatermark = MIN_TIME;
    this.outputWatermark = MIN_TIME;
    this.processingTime = MIN_TIME;
  }

  /** Keys with state. */
  get keyCount(): number {
    return this.keys.size;
  }

  /** Whether the trigger of `window` under `keyId` has finished (the window is closed). */
  isClosed(keyId: string, window: BoundedWindow): boolean {
    return this.trigger.isClosed(this.keys.get(keyId)?.windows.get(window)?.trigger);
  }

  /** The windows with state for `keyId` (active, closed or waiting for garbage collection). */
  windowsOf(keyId: string): BoundedWindow[] {
    const ks = this.keys.get(keyId);
    return ks ? [...ks.windows.values()].map((s) => s.window) : [];
  }

  /** The earliest pending timer of a domain, if any. */
  nextTimer(domain: TimeDomain): number | undefined {
    return this.timers.next(domain);
  }
}
