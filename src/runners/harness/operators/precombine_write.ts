import type { TimestampCombinerKind } from "../../../graph/types.js";
import { bytesKey, type Coder } from "../../../sdk/coders/coder.js";
import { GlobalWindowCoder } from "../../../sdk/coders/global_window_coder.js";
import { setCurrentMetricsContainer, type MetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import { CountFn } from "../../../sdk/transforms/combiners/count.js";
import type { KV } from "../../../sdk/values/kv.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { GlobalWindow, type BoundedWindow } from "../../../sdk/values/windows.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Operator } from "./receiver.js";
import type { ShuffleSink } from "../shuffle/writer.js";

interface Entry {
  key: unknown;
  window: Uint8Array;
  acc: unknown;
  timestamp: number;
}

/** Entries held before a flush when no budget is given (Flink's Node workers). */
const DEFAULT_MAX_ENTRIES = 200_000;
/** What one entry costs, roughly: the entry, its map slot, a short key and a small accumulator. */
const ENTRY_BYTES = 200;
/** A budget too small for one entry still holds one (flushing at each new key). */
const MIN_ENTRIES = 1;

/**
 * Combiner lifting, the map side: accumulates per (key, window) before the
 * shuffle, so only one accumulator per key and task crosses it. The table is bounded (as
 * Beam's and Flink's combiner tables are): past its share of the memory budget its
 * accumulators are flushed into the shuffle, which merges them after it.
 */
export class PrecombineWrite implements Operator {
  private readonly byKey = new Map<unknown, Entry>();
  private readonly globalWindowBytes: Uint8Array;
  private readonly maxEntries: number;
  /** The library's own CountFn (not a subclass) over global-window input: counting runs no user code and needs no window (countOne). */
  readonly countingGlobal: boolean;
  /** Times the table was flushed before the task's end (for tests and reports). */
  flushes = 0;

  constructor(
    private readonly transform: string,
    private readonly fn: CombineFn<unknown, unknown, unknown>,
    private readonly keyCoder: Coder<unknown>,
    private readonly windowCoder: Coder<BoundedWindow>,
    private readonly accumulatorCoder: Coder<unknown>,
    private readonly timestampCombiner: TimestampCombinerKind,
    private readonly shuffle: ShuffleSink,
    private readonly metrics: MetricsContainer,
    /** The memory the table may hold, in bytes; without it, a fixed number of entries. */
    budgetBytes?: number,
  ) {
    this.countingGlobal = Object.getPrototypeOf(fn) === CountFn.prototype && windowCoder instanceof GlobalWindowCoder;
    this.maxEntries = budgetBytes === undefined ? DEFAULT_MAX_ENTRIES : Math.max(MIN_ENTRIES, Math.floor(budgetBytes / ENTRY_BYTES));
    // Only a global-window coder can encode the global window; others never see it.
    this.globalWindowBytes = windowCoder instanceof GlobalWindowCoder ? windowCoder.encodeToBytes(GlobalWindow.INSTANCE) : new Uint8Array(0);
  }

  start(): void {}

  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    const kv = wv.value as KV<unknown, unknown>;
    if (kv === null || typeof kv !== "object" || !("key" in kv)) {
      throw UserCodeError.from(this.transform, wv.value, true, new TypeError("Combine.perKey needs KV elements ({ key, value })"));
    }
    this.add(kv.key, kv.value, wv);
  }

  /**
   * Count.perElement's (element, 1) (PairWithOneIntoPrecombine): with the library's CountFn in
   * the global window, one map lookup and an increment — no user code runs, so no metrics
   * context around it (a fifth of WordCount's per-word cost otherwise).
   */
  addOne(key: unknown, wv: WindowedValue<unknown>): void {
    if (!this.countingGlobal) return this.add(key, 1, wv);
    this.countOne(key, wv.timestamp);
  }

  /** addOne's counting case (countingGlobal), for a caller that has no WindowedValue to give. */
  countOne(key: unknown, timestamp: number): void {
    try {
      const mapKey = this.keyCoder.structuralValue(key);
      const e = this.byKey.get(mapKey);
      if (e === undefined) this.newEntry(mapKey, key, this.globalWindowBytes, timestamp).acc = 1;
      else {
        if (this.timestampCombiner !== "END_OF_WINDOW") this.combineTimestamp(e, timestamp);
        e.acc = (e.acc as number) + 1;
      }
    } catch (e) {
      // A key its coder cannot take (or a flush that fails) is this transform's error.
      throw UserCodeError.from(this.transform, { key, value: 1 }, true, e);
    }
  }

  /** Adds one keyed value; `wv` gives the timestamp and windows (its value is not read). */
  add(key: unknown, value: unknown, wv: WindowedValue<unknown>): void {
    const prev = setCurrentMetricsContainer(this.metrics);
    try {
      const windows = wv.windows;
      if (windows.length === 1 && windows[0] instanceof GlobalWindow) {
        // The batch case: one map lookup and the user's addInput per element.
        const mapKey = this.keyCoder.structuralValue(key);
        let e = this.byKey.get(mapKey);
        if (e === undefined) e = this.newEntry(mapKey, key, this.globalWindowBytes, wv.timestamp);
        else if (this.timestampCombiner !== "END_OF_WINDOW") this.combineTimestamp(e, wv.timestamp);
        e.acc = this.fn.addInput(e.acc, value);
        return;
      }
      for (let i = 0; i < windows.length; i++) {
        const wb = this.windowCoder.encodeToBytes(windows[i]!);
        const sk = this.keyCoder.structuralValue(key);
        const mapKey = `${bytesKey(wb)}\u0001${typeof sk}:${String(sk)}`;
        let e = this.byKey.get(mapKey);
        if (e === undefined) e = this.newEntry(mapKey, key, wb, wv.timestamp);
        else this.combineTimestamp(e, wv.timestamp);
        e.acc = this.fn.addInput(e.acc, value);
      }
    } catch (e) {
      throw UserCodeError.from(this.transform, { key, value }, true, e);
    } finally {
      setCurrentMetricsContainer(prev);
    }
  }

  private newEntry(mapKey: unknown, key: unknown, window: Uint8Array, timestamp: number): Entry {
    if (this.byKey.size >= this.maxEntries) {
      this.flushes++;
      this.flush();
    }
    const e: Entry = { key, window, acc: this.fn.createAccumulator(), timestamp };
    this.byKey.set(mapKey, e);
    return e;
  }

  private combineTimestamp(e: Entry, t: number): void {
    if (this.timestampCombiner === "EARLIEST" ? t < e.timestamp : t > e.timestamp) e.timestamp = t;
  }

  private flush(): void {
    const prev = setCurrentMetricsContainer(this.metrics);
    try {
      for (const e of this.byKey.values()) {
        const acc = this.fn.compact(e.acc);
        this.shuffle.write((o) => this.keyCoder.encode(e.key, o), e.window, e.timestamp, (o) => this.accumulatorCoder.encode(acc, o));
      }
    } catch (err) {
      throw UserCodeError.from(this.transform, undefined, false, err);
    } finally {
      setCurrentMetricsContainer(prev);
    }
    this.byKey.clear();
  }

  finish(): void {
    this.flush();
  }
}
