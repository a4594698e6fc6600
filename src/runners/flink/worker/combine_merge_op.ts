import { setCurrentMetricsContainer, type MetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import type { KV } from "../../../sdk/values/kv.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { Operator, Receiver } from "../../direct/operators/receiver.js";
import { UserCodeError } from "../../shared/user_code_error.js";

/**
 * Combiner lifting, the reduce side after a Flink shuffle: KV<K, Acc[]> (the partial
 * accumulators the pre-combines sent for one key and window) → KV<K, Out> by
 * mergeAccumulators and extractOutput; timestamp, window and pane are the grouping's.
 * The local runner does the same inside its shuffle read (readCombinePartition).
 */
export class CombineMergeOp implements Operator {
  constructor(
    private readonly transform: string,
    private readonly fn: CombineFn<unknown, unknown, unknown>,
    private readonly out: Receiver,
    private readonly metrics: MetricsContainer,
  ) {}
  start(): void {}
  finish(): void {}
  process(wv: WindowedValue<unknown>): void {
    const kv = wv.value as KV<unknown, unknown[]>;
    const prev = setCurrentMetricsContainer(this.metrics);
    let value: unknown;
    let acc: unknown;
    try {
      acc = kv.value.length === 1 ? kv.value[0] : this.fn.mergeAccumulators(kv.value);
      value = this.fn.extractOutput(acc);
    } catch (e) {
      throw UserCodeError.from(this.transform, acc === undefined ? { key: kv.key } : { key: kv.key, accumulator: acc }, true, e);
    } finally {
      setCurrentMetricsContainer(prev);
    }
    this.out.process({ value: { key: kv.key, value }, timestamp: wv.timestamp, windows: wv.windows, pane: wv.pane });
  }
}
