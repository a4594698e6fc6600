/**
 * Keyed state for the group-also-by-window operator: per key and per window, the cells
 * Beam's runners-core keeps in a window's state namespace — a bag or a combining value (the
 * pane's contents), value cells, watermark holds — plus the trigger's finished bits and
 * cells, the last pane emitted and the window's pending timers. Everything of a window lives
 * in one WindowState, so clearing a window (garbage collection, a merge) is dropping one
 * object. Windows merge eagerly: the merged-away windows' state is folded into the result's
 * (Beam keeps "state address windows" to defer that copy to persistent storage; in memory
 * the fold is cheaper than the bookkeeping).
 *
 * Pure TypeScript with no Node imports: it runs on any thread.
 */
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import type { PaneInfo } from "../../../sdk/values/pane.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import type { TimerEntry } from "./timers.js";
import type { TriggerStore } from "./triggers.js";

/** A bag: values in arrival order. */
export class BagState<T> {
  values: T[] = [];
  add(v: T): void {
    this.values.push(v);
  }
  addAll(vs: readonly T[]): void {
    for (let i = 0; i < vs.length; i++) this.values.push(vs[i]!);
  }
  read(): readonly T[] {
    return this.values;
  }
  isEmpty(): boolean {
    return this.values.length === 0;
  }
  clear(): void {
    this.values = [];
  }
}

/** A combining value over a CombineFn: inputs fold into one accumulator. */
export class CombiningState<I, A, O> {
  private acc: A | undefined;
  constructor(readonly fn: CombineFn<I, A, O>) {}
  add(v: I): void {
    this.acc = this.fn.addInput(this.acc === undefined ? this.fn.createAccumulator() : this.acc, v);
  }
  addAccumulator(a: A): void {
    this.acc = this.acc === undefined ? a : this.fn.mergeAccumulators([this.acc, a]);
  }
  accumulator(): A | undefined {
    return this.acc;
  }
  read(): O {
    return this.fn.extractOutput(this.acc === undefined ? this.fn.createAccumulator() : this.acc);
  }
  isEmpty(): boolean {
    return this.acc === undefined;
  }
  clear(): void {
    this.acc = undefined;
  }
}

/** A single value. */
export class ValueState<T> {
  value: T | undefined;
  read(): T | undefined {
    return this.value;
  }
  write(v: T): void {
    this.value = v;
  }
  clear(): void {
    this.value = undefined;
  }
}

export type HoldCombiner = "EARLIEST" | "LATEST" | "END_OF_WINDOW";

/**
 * A watermark hold: the output watermark may not pass it. Holds added to one cell combine
 * as its TimestampCombiner says (the earliest, the latest; END_OF_WINDOW holds are all the
 * window's max timestamp, so the earliest rule serves).
 */
export class WatermarkHoldState {
  hold: number | undefined;
  constructor(readonly combiner: HoldCombiner) {}
  /** Adds a hold; true if the cell's hold changed. */
  add(t: number): boolean {
    const h = this.hold;
    if (h === undefined || (this.combiner === "LATEST" ? t > h : t < h)) {
      this.hold = t;
      return true;
    }
    return false;
  }
  read(): number | undefined {
    return this.hold;
  }
  clear(): void {
    this.hold = undefined;
  }
}

/** How a pane's contents are kept: a bag of values (GroupByKey) or a CombineFn's accumulator. */
export interface PaneBuffer<V, O> {
  add(v: V): void;
  /** Folds another window's buffer (of the same kind) into this one: windows merging. */
  mergeFrom(other: PaneBuffer<V, O>): void;
  isEmpty(): boolean;
  /** The pane's output. `last` says the buffer is cleared right after, so it need not be copied. */
  extract(last: boolean): O;
  clear(): void;
}

/** The pane as a bag of values: GroupByKey's output is the values themselves. */
export class BagBuffer<V> implements PaneBuffer<V, V[]> {
  private readonly bag = new BagState<V>();
  add(v: V): void {
    this.bag.values.push(v);
  }
  mergeFrom(other: PaneBuffer<V, V[]>): void {
    this.bag.addAll((other as BagBuffer<V>).bag.values);
  }
  isEmpty(): boolean {
    return this.bag.values.length === 0;
  }
  extract(last: boolean): V[] {
    // Accumulating panes keep adding to the bag: hand out a copy then.
    return last ? this.bag.values : this.bag.values.slice();
  }
  clear(): void {
    this.bag.clear();
  }
}

/** The pane as a CombineFn's accumulator (Combine.perKey run through the operator). */
export class CombiningBuffer<I, A, O> implements PaneBuffer<I, O> {
  private readonly state: CombiningState<I, A, O>;
  constructor(fn: CombineFn<I, A, O>) {
    this.state = new CombiningState(fn);
  }
  add(v: I): void {
    this.state.add(v);
  }
  mergeFrom(other: PaneBuffer<I, O>): void {
    const a = (other as CombiningBuffer<I, A, O>).state.accumulator();
    if (a !== undefined) this.state.addAccumulator(a);
  }
  isEmpty(): boolean {
    return this.state.isEmpty();
  }
  extract(_last: boolean): O {
    return this.state.read();
  }
  clear(): void {
    this.state.clear();
  }
}

/** Everything kept for one key in one window. */
export class WindowState {
  /** In the active window set: it has (or had since its last final pane) data and is not closed. */
  active = false;
  /** The pane's contents; created on the first element. */
  buffer: PaneBuffer<unknown, unknown> | undefined;
  /** Elements added since the last pane (Beam's NonEmptyPanes). */
  nonEmpty = 0;
  /** The hold of the pane's on-time elements, per the TimestampCombiner. */
  elementHold: WatermarkHoldState;
  /** The garbage-collection hold (late data, or a final pane that must be observable). */
  extraHold = new WatermarkHoldState("EARLIEST");
  /** The last pane emitted (Beam's PaneInfoTracker). */
  lastPane: PaneInfo | undefined;
  /** The trigger's finished bits and cells; kept after the trigger closes until garbage collection. */
  trigger: TriggerStore | undefined;
  /** Pending timers of this window (usually one or two). */
  timers: TimerEntry[] = [];
  /** Bundle bookkeeping: the bundle (by number) that last touched this window. */
  touchedIn = -1;
  /** Dropped from its key's windows (garbage-collected or merged away). */
  removed = false;
  /** The chain of windows sharing this one's max timestamp in a WindowMap. */
  next: WindowState | undefined;

  constructor(readonly window: BoundedWindow, combiner: HoldCombiner) {
    this.elementHold = new WatermarkHoldState(combiner);
  }

  /** The earliest hold of this window, if any. */
  hold(): number | undefined {
    const a = this.elementHold.hold;
    const b = this.extraHold.hold;
    if (a === undefined) return b;
    if (b === undefined) return a;
    return a < b ? a : b;
  }
}

/**
 * Windows → state, keyed by the window's max timestamp (a number: no string per lookup),
 * windows with equal max timestamps chained and told apart by `equals`.
 */
export class WindowMap {
  private readonly byEnd = new Map<number, WindowState>();
  size = 0;

  get(w: BoundedWindow): WindowState | undefined {
    let s = this.byEnd.get(w.maxTimestamp());
    while (s !== undefined && s.window !== w && !s.window.equals(w)) s = s.next;
    return s;
  }

  add(s: WindowState): void {
    const t = s.window.maxTimestamp();
    s.next = this.byEnd.get(t);
    this.byEnd.set(t, s);
    this.size++;
  }

  delete(s: WindowState): void {
    s.removed = true;
    const t = s.window.maxTimestamp();
    let p = this.byEnd.get(t);
    if (p === s) {
      if (s.next === undefined) this.byEnd.delete(t);
      else this.byEnd.set(t, s.next);
      s.next = undefined;
      this.size--;
      return;
    }
    while (p !== undefined && p.next !== s) p = p.next;
    if (p !== undefined) {
      p.next = s.next;
      s.next = undefined;
      this.size--;
    }
  }

  *values(): IterableIterator<WindowState> {
    for (const head of this.byEnd.values()) {
      for (let s: WindowState | undefined = head; s !== undefined; s = s.next) yield s;
    }
  }
}

/** Everything kept for one key: its windows' state. */
export class KeyState {
  readonly windows = new WindowMap();
  constructor(readonly id: string, readonly key: unknown) {}
}

/**
 * The earliest hold over all windows of an operator, kept as a min-heap of (hold, window)
 * entries noted whenever a window's hold changes; entries whose window no longer holds that
 * time (released, moved, the window gone) are dropped when they reach the top. So the hold a
 * scheduler asks for after every bundle costs O(log n), not a scan of every window.
 */
export class HoldIndex {
  private readonly heap: Array<{ t: number; ws: WindowState }> = [];

  note(ws: WindowState): void {
    const t = ws.hold();
    if (t === undefined) return;
    const h = this.heap;
    const e = { t, ws };
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.t <= t) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  /** The earliest hold still in force (+∞ if none). */
  min(): number {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      if (!top.ws.removed && top.ws.hold() === top.t) return top.t;
      const last = h.pop()!;
      if (h.length === 0) break;
      let i = 0;
      for (;;) {
        let m = 2 * i + 1;
        if (m >= h.length) break;
        if (m + 1 < h.length && h[m + 1]!.t < h[m]!.t) m++;
        if (h[m]!.t >= last.t) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return Infinity;
  }
}
