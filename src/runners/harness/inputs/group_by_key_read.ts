import { ByteReader } from "../../../sdk/coders/byte_io.js";
import { bytesKey, type Coder } from "../../../sdk/coders/coder.js";
import { PaneInfo } from "../../../sdk/values/pane.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Receiver } from "../operators/receiver.js";
import { forEachRecord } from "../operators/shuffle_records.js";

interface Group {
  chunk: Uint8Array;
  keyStart: number;
  keyEnd: number;
  windowStart: number;
  windowEnd: number;
  minTs: number;
  maxTs: number;
  values: Array<[Uint8Array, number, number]>;
}

export function outputTimestamp(strategy: WindowingStrategy, window: BoundedWindow, minTs: number, maxTs: number): number {
  switch (strategy.timestampCombiner) {
    case "EARLIEST":
      return minTs;
    case "LATEST":
      return maxTs;
    default:
      return window.maxTimestamp();
  }
}

/** GroupByKey's reading half: one partition's records grouped by key and window. */
export function readGroupByKeyPartition(
  chunks: Uint8Array[],
  keyCoder: Coder<unknown>,
  valueCoder: Coder<unknown>,
  strategy: WindowingStrategy,
  out: Receiver,
  transform: string,
): void {
  const merging = !strategy.windowFn.isNonMerging();
  const groups = new Map<string, Group>();
  for (const chunk of chunks) {
    forEachRecord(chunk, (r) => {
      // Non-merging windows group by key and window; merging ones by key, then merge windows.
      const id = bytesKey(chunk.subarray(r.groupStart, merging ? r.keyEnd : r.windowEnd));
      let g = groups.get(id);
      if (!g) {
        g = { chunk, keyStart: r.keyStart, keyEnd: r.keyEnd, windowStart: r.windowStart, windowEnd: r.windowEnd, minTs: r.timestamp, maxTs: r.timestamp, values: [] };
        groups.set(id, g);
      } else {
        if (r.timestamp < g.minTs) g.minTs = r.timestamp;
        if (r.timestamp > g.maxTs) g.maxTs = r.timestamp;
      }
      // For merging windows, remember each value's window and timestamp too.
      g.values.push(merging ? [chunk, r.payloadStart, r.payloadEnd, r.windowStart, r.windowEnd, r.timestamp] as never : [chunk, r.payloadStart, r.payloadEnd]);
    });
  }
  const windowCoder = strategy.windowFn.windowCoder();
  const decodeValue = (v: [Uint8Array, number, number]) => valueCoder.decode(new ByteReader(v[0], v[1], v[2]));
  for (const g of groups.values()) {
    let key: unknown;
    try {
      key = keyCoder.decode(new ByteReader(g.chunk, g.keyStart, g.keyEnd));
    } catch (e) {
      throw UserCodeError.from(transform, undefined, false, e);
    }
    if (!merging) {
      const window = windowCoder.decode(new ByteReader(g.chunk, g.windowStart, g.windowEnd));
      out.process({
        value: { key, value: g.values.map(decodeValue) },
        timestamp: outputTimestamp(strategy, window, g.minTs, g.maxTs),
        windows: [window],
        pane: PaneInfo.ON_TIME_AND_ONLY_FIRING,
      });
      continue;
    }
    const items = (g.values as unknown as Array<[Uint8Array, number, number, number, number, number]>).map((v) => ({
      value: v,
      window: windowCoder.decode(new ByteReader(v[0], v[3], v[4])),
      ts: v[5],
    }));
    const merges = strategy.windowFn.mergeWindows(items.map((i) => i.window));
    for (const m of merges) {
      const members = items.filter((i) => m.toMerge.some((w) => w.equals(i.window)));
      let minTs = Infinity;
      let maxTs = -Infinity;
      for (const i of members) {
        if (i.ts < minTs) minTs = i.ts;
        if (i.ts > maxTs) maxTs = i.ts;
      }
      out.process({
        value: { key, value: members.map((i) => decodeValue([i.value[0], i.value[1], i.value[2]])) },
        timestamp: outputTimestamp(strategy, m.result, minTs, maxTs),
        windows: [m.result],
        pane: PaneInfo.ON_TIME_AND_ONLY_FIRING,
      });
    }
  }
}
