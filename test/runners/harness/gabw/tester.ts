/**
 * A driver for the group-also-by-window operator, after Beam's ReduceFnTester: inject
 * timestamped values for one key (windows assigned by the strategy's window fn, one bundle per
 * call), move the input watermark and processing time, read the panes emitted so far.
 */
import type { AccumulationMode, TimestampCombinerKind } from "../../../../src/graph/types.js";
import { MetricsContainer } from "../../../../src/sdk/metrics/metrics.js";
import { CombineFn } from "../../../../src/sdk/transforms/combine_fn.js";
import type { KV } from "../../../../src/sdk/values/kv.js";
import type { PaneInfo } from "../../../../src/sdk/values/pane.js";
import type { WindowedValue } from "../../../../src/sdk/values/windowed_value.js";
import { IntervalWindow } from "../../../../src/sdk/values/windows.js";
import type { Trigger } from "../../../../src/sdk/windowing/triggers.js";
import type { WindowFn } from "../../../../src/sdk/windowing/window_fn.js";
import { WindowingStrategy } from "../../../../src/sdk/windowing/windowing_strategy.js";
import {
  GABW_METRICS_NAMESPACE,
  GroupAlsoByWindow,
  type ClosingBehavior,
  type OnTimeBehavior,
} from "../../../../src/runners/harness/gabw/group_also_by_window.js";
import { BagBuffer, CombiningBuffer } from "../../../../src/runners/harness/gabw/state.js";

export class SumFn extends CombineFn<number, number, number> {
  createAccumulator(): number {
    return 0;
  }
  addInput(a: number, v: number): number {
    return a + v;
  }
  mergeAccumulators(as: Iterable<number>): number {
    let s = 0;
    for (const a of as) s += a;
    return s;
  }
  extractOutput(a: number): number {
    return a;
  }
}

export interface StrategyOptions {
  trigger?: Trigger;
  mode?: AccumulationMode;
  lateness?: number;
  combiner?: TimestampCombinerKind;
}

export function strategy(windowFn: WindowFn, o: StrategyOptions = {}): WindowingStrategy {
  return new WindowingStrategy(windowFn, o.trigger?.toSpec() ?? { kind: "default" }, o.mode ?? "DISCARDING", o.lateness ?? 0, o.combiner ?? "END_OF_WINDOW");
}

/** A pane as the tests compare it: value (sorted if an array), timestamp, window, pane. */
export interface Out {
  value: unknown;
  ts: number;
  window: string;
  pane: PaneInfo;
}

export class Tester {
  readonly metrics = new MetricsContainer("GroupByKey");
  readonly op: GroupAlsoByWindow<number, unknown>;
  private out: WindowedValue<KV<string, unknown>>[] = [];

  constructor(
    readonly strategy: WindowingStrategy,
    o: { combine?: boolean; closing?: ClosingBehavior; onTime?: OnTimeBehavior } = {},
  ) {
    this.op = new GroupAlsoByWindow<number, unknown>({
      strategy,
      newBuffer: o.combine ? () => new CombiningBuffer(new SumFn()) : () => new BagBuffer<number>(),
      output: { process: (wv) => this.out.push(wv as WindowedValue<KV<string, unknown>>) },
      transform: "GroupByKey",
      closingBehavior: o.closing,
      onTimeBehavior: o.onTime,
      metrics: this.metrics,
    });
  }

  /** One bundle of values for `key`, each [value, timestamp] (the timestamp defaults to the value). */
  inject(...values: Array<number | [number, number]>): void {
    this.injectFor("k", ...values);
  }

  injectFor(key: string, ...values: Array<number | [number, number]>): void {
    this.op.processElements(
      key,
      key,
      values.map((v) => {
        const [value, ts] = typeof v === "number" ? [v, v] : v;
        return { value, timestamp: ts, windows: this.strategy.windowFn.assignWindows(ts), pane: undefined as never };
      }),
    );
  }

  watermark(t: number): void {
    this.op.advanceInputWatermark(t);
  }

  processingTime(t: number): void {
    this.op.advanceProcessingTime(t);
  }

  /** The panes emitted since the last call. */
  extract(): Out[] {
    const r = this.out.map((wv) => {
      const v = wv.value.value;
      const w = wv.windows[0]!;
      return {
        value: Array.isArray(v) ? [...v].sort((a, b) => a - b) : v,
        ts: wv.timestamp,
        window: w instanceof IntervalWindow ? `[${w.start}, ${w.end})` : String(w),
        pane: { ...wv.pane },
      };
    });
    this.out = [];
    return r;
  }

  /** Keys of each pane emitted since the last call (multi-key tests). */
  extractKeyed(): Array<Out & { key: string }> {
    const keys = this.out.map((wv) => wv.value.key);
    return this.extract().map((o, i) => ({ ...o, key: keys[i]! }));
  }

  counter(name: string): number {
    return this.metrics.counters.get(GABW_METRICS_NAMESPACE + "\u0000" + name) ?? 0;
  }
}

export function pane(isFirst: boolean, isLast: boolean, timing: PaneInfo["timing"], index: number, nonSpeculativeIndex: number): PaneInfo {
  return { isFirst, isLast, timing, index, nonSpeculativeIndex };
}
