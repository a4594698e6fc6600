import type { TimestampCombinerKind } from "../../../graph/types.js";
import { bytesKey, type Coder } from "../../../sdk/coders/coder.js";
import { setCurrentMetricsContainer, type MetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import type { KV } from "../../../sdk/values/kv.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { GlobalWindow, type BoundedWindow } from "../../../sdk/values/windows.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Operator } from "./receiver.js";
import type { ShuffleWriter } from "./shuffle_records.js";

interface Entry {
  key: unknown;
  window: Uint8Array;
  acc: unknown;
  timestamp: number;
}

/** Entries held before a flush: bounds memory by the number of distinct keys, not the input. */
const MAX_ENTRIES = 200_000;

/**
 * Combiner lifting, the map side: accumulates per (key, window) before the
 * shuffle, so only one accumulator per key and task crosses it.
 */
export class PrecombineWrite implements Operator {
  private readonly byKey = new Map<unknown, Entry>();
  private readonly globalWindowBytes: Uint8Array;

  constructor(
    private readonly transform: string,
    private readonly fn: CombineFn<unknown, unknown, unknown>,
    private readonly keyCoder: Coder<unknown>,
    private readonly windowCoder: Coder<BoundedWindow>,
    private readonly accumulatorCoder: Coder<unknown>,
    private readonly timestampCombiner: TimestampCombinerKind,
    private readonly shuffle: ShuffleWriter,
    private readonly metrics: MetricsContainer,
  ) {
    this.globalWindowBytes = windowCoder.encodeToBytes(GlobalWindow.INSTANCE);
  }

  start(): void {}

  process(wv: WindowedValue<unknown>): void {
    const kv = wv.value as KV<unknown, unknown>;
    if (kv === null || typeof kv !== "object" || !("key" in kv)) {
      throw UserCodeError.from(this.transform, wv.value, true, new TypeError("Combine.perKey needs KV elements ({ key, value })"));
    }
    const prev = setCurrentMetricsContainer(this.metrics);
    try {
      const windows = wv.windows;
      for (let i = 0; i < windows.length; i++) {
        const w = windows[i]!;
        let mapKey: unknown = this.keyCoder.structuralValue(kv.key);
        let wb = this.globalWindowBytes;
        if (!(w instanceof GlobalWindow)) {
          wb = this.windowCoder.encodeToBytes(w);
          mapKey = `${bytesKey(wb)}\u0001${typeof mapKey}:${String(mapKey)}`;
        }
        let e = this.byKey.get(mapKey);
        if (e === undefined) {
          if (this.byKey.size >= MAX_ENTRIES) this.flush();
          e = { key: kv.key, window: wb, acc: this.fn.createAccumulator(), timestamp: wv.timestamp };
          this.byKey.set(mapKey, e);
        } else if (this.timestampCombiner === "EARLIEST") {
          if (wv.timestamp < e.timestamp) e.timestamp = wv.timestamp;
        } else if (this.timestampCombiner === "LATEST") {
          if (wv.timestamp > e.timestamp) e.timestamp = wv.timestamp;
        }
        e.acc = this.fn.addInput(e.acc, kv.value);
      }
    } catch (e) {
      throw UserCodeError.from(this.transform, wv.value, true, e);
    } finally {
      setCurrentMetricsContainer(prev);
    }
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
