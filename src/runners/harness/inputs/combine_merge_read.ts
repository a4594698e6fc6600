import { ByteReader } from "../../../sdk/coders/byte_io.js";
import type { Coder } from "../../../sdk/coders/coder.js";
import { setCurrentMetricsContainer, type MetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import { PaneInfo } from "../../../sdk/values/pane.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Receiver } from "../operators/receiver.js";
import { forEachKeyGroup, type KeyGroup } from "../shuffle/key_groups.js";
import type { ShuffleRun } from "../shuffle/runs.js";
import { outputTimestamp } from "./group_by_key_read.js";

/**
 * Combiner lifting, the reduce side: merges the accumulators of each key and window. The
 * partition's sorted runs are merged key by key (harness/shuffle), so memory holds one
 * key's accumulators, not the partition's; a key's windows come in order, each merged once.
 */
export function readCombinePartition(
  runs: ShuffleRun[],
  fn: CombineFn<unknown, unknown, unknown>,
  keyCoder: Coder<unknown>,
  accCoder: Coder<unknown>,
  strategy: WindowingStrategy,
  out: Receiver,
  transform: string,
  metrics: MetricsContainer,
): void {
  const windowCoder = strategy.windowFn.windowCoder() as Coder<BoundedWindow>;
  const accs: unknown[] = [];
  const emit = (key: unknown, g: KeyGroup, from: number, to: number) => {
    let minTs = Infinity;
    let maxTs = -Infinity;
    accs.length = 0;
    for (let i = from; i < to; i++) {
      const t = g.timestamp(i);
      if (t < minTs) minTs = t;
      if (t > maxTs) maxTs = t;
      accs.push(accCoder.decode(new ByteReader(g.bytes, g.payloadStart(i), g.payloadEnd(i))));
    }
    const window = windowCoder.decode(new ByteReader(g.bytes, g.windowStart(from), g.windowEnd(from)));
    let acc: unknown;
    let value: unknown;
    const prev = setCurrentMetricsContainer(metrics);
    try {
      try {
        acc = accs.length === 1 ? accs[0] : fn.mergeAccumulators(accs.slice());
      } catch (e) {
        throw UserCodeError.from(transform, undefined, false, e);
      }
      try {
        value = fn.extractOutput(acc);
      } catch (e) {
        throw UserCodeError.from(transform, { key, accumulator: acc }, true, e);
      }
    } finally {
      setCurrentMetricsContainer(prev);
    }
    accs.length = 0;
    out.process({ value: { key, value }, timestamp: outputTimestamp(strategy, window, minTs, maxTs), windows: [window], pane: PaneInfo.ON_TIME_AND_ONLY_FIRING });
  };
  forEachKeyGroup(runs, (keyBytes, g) => {
    let key: unknown;
    try {
      key = keyCoder.decode(new ByteReader(keyBytes));
    } catch (e) {
      throw UserCodeError.from(transform, undefined, false, e);
    }
    // A key's records are ordered by window: each run of equal window bytes is one window.
    let from = 0;
    for (let i = 1; i < g.size; i++) {
      if (!g.sameWindow(i, from)) {
        emit(key, g, from, i);
        from = i;
      }
    }
    if (g.size > 0) emit(key, g, from, g.size);
  });
}
