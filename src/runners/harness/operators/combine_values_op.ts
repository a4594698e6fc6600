import type { KV } from "../../../sdk/values/kv.js";
import { setCurrentMetricsContainer, type MetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Operator, Receiver } from "./receiver.js";

/**
 * Combine.GroupedValues: KV<K, V[]> → KV<K, O> with a CombineFn, adding every input.
 * With `of: "accumulators"` the values are partial accumulators (combiner lifting's reduce
 * side after a Flink shuffle) and are merged instead.
 */
export class CombineValuesOp implements Operator {
  constructor(
    private readonly transform: string,
    private readonly fn: CombineFn<unknown, unknown, unknown>,
    private readonly out: Receiver,
    private readonly metrics: MetricsContainer,
    private readonly of: "inputs" | "accumulators" = "inputs",
  ) {}
  start(): void {}
  finish(): void {}
  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    const kv = wv.value as KV<unknown, Iterable<unknown>>;
    const prev = setCurrentMetricsContainer(this.metrics);
    let result: unknown;
    try {
      let acc: unknown;
      if (this.of === "accumulators") {
        const accs = kv.value as unknown[];
        acc = accs.length === 1 ? accs[0] : this.fn.mergeAccumulators(accs);
      } else {
        acc = this.fn.createAccumulator();
        for (const v of kv.value) acc = this.fn.addInput(acc, v);
      }
      result = this.fn.extractOutput(acc);
    } catch (e) {
      throw UserCodeError.from(this.transform, wv.value, true, e);
    } finally {
      setCurrentMetricsContainer(prev);
    }
    this.out.process({ value: { key: kv.key, value: result }, timestamp: wv.timestamp, windows: wv.windows, pane: wv.pane });
  }
}
