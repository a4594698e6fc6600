import { ByteReader } from "../../../sdk/coders/byte_io.js";
import { bytesKey, type Coder } from "../../../sdk/coders/coder.js";
import { setCurrentMetricsContainer, type MetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import { PaneInfo } from "../../../sdk/values/pane.js";
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Receiver } from "../operators/receiver.js";
import { forEachRecord } from "../operators/shuffle_records.js";
import { outputTimestamp } from "./group_by_key_read.js";

interface Merged {
  chunk: Uint8Array;
  keyStart: number;
  keyEnd: number;
  windowStart: number;
  windowEnd: number;
  acc: unknown;
  minTs: number;
  maxTs: number;
}

/** Combiner lifting, the reduce side: merges the accumulators of each key and window. */
export function readCombinePartition(
  chunks: Uint8Array[],
  fn: CombineFn<unknown, unknown, unknown>,
  keyCoder: Coder<unknown>,
  accCoder: Coder<unknown>,
  strategy: WindowingStrategy,
  out: Receiver,
  transform: string,
  metrics: MetricsContainer,
): void {
  const merged = new Map<string, Merged>();
  const prev = setCurrentMetricsContainer(metrics);
  try {
    for (const chunk of chunks) {
      forEachRecord(chunk, (r) => {
        const id = bytesKey(chunk.subarray(r.groupStart, r.windowEnd));
        const acc = accCoder.decode(new ByteReader(chunk, r.payloadStart, r.payloadEnd));
        const m = merged.get(id);
        if (!m) {
          merged.set(id, { chunk, keyStart: r.keyStart, keyEnd: r.keyEnd, windowStart: r.windowStart, windowEnd: r.windowEnd, acc, minTs: r.timestamp, maxTs: r.timestamp });
        } else {
          m.acc = fn.mergeAccumulators([m.acc, acc]);
          if (r.timestamp < m.minTs) m.minTs = r.timestamp;
          if (r.timestamp > m.maxTs) m.maxTs = r.timestamp;
        }
      });
    }
  } catch (e) {
    throw UserCodeError.from(transform, undefined, false, e);
  } finally {
    setCurrentMetricsContainer(prev);
  }
  const windowCoder = strategy.windowFn.windowCoder();
  for (const m of merged.values()) {
    const key = keyCoder.decode(new ByteReader(m.chunk, m.keyStart, m.keyEnd));
    const window = windowCoder.decode(new ByteReader(m.chunk, m.windowStart, m.windowEnd));
    let value: unknown;
    const p = setCurrentMetricsContainer(metrics);
    try {
      value = fn.extractOutput(m.acc);
    } catch (e) {
      throw UserCodeError.from(transform, { key, accumulator: m.acc }, true, e);
    } finally {
      setCurrentMetricsContainer(p);
    }
    out.process({ value: { key, value }, timestamp: outputTimestamp(strategy, window, m.minTs, m.maxTs), windows: [window], pane: PaneInfo.ON_TIME_AND_ONLY_FIRING });
  }
}
