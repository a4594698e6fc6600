import { ByteReader } from "../../../sdk/coders/byte_io.js";
import { bytesKey, type Coder } from "../../../sdk/coders/coder.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import { GroupAlsoByWindow, type CounterSink } from "../gabw/group_also_by_window.js";
import { BagBuffer } from "../gabw/state.js";
import type { Receiver } from "../operators/receiver.js";
import { forEachRecord, type ShuffleRecord } from "../operators/shuffle_records.js";

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

/**
 * One key's shuffle records: record i's window bytes, payload bytes and timestamp. The sorted
 * shuffle's KeyGroup (harness/shuffle) has this shape; so has ChunkKeyRecords below.
 */
export interface KeyRecords {
  readonly size: number;
  bytesOf(i: number): Uint8Array;
  windowStart(i: number): number;
  windowEnd(i: number): number;
  payloadStart(i: number): number;
  payloadEnd(i: number): number;
  timestamp(i: number): number;
}

/**
 * GroupByKey's reading half over bounded input: each key's records go through the
 * group-also-by-window operator as one bundle, then the input watermark moves to +∞ (the key's
 * input is complete), which fires every end-of-window and garbage-collection timer: for the
 * default trigger one ON_TIME pane per key and window, timestamps per the timestamp combiner,
 * sessions merged; other triggers as Beam's semantics with a final watermark at +∞. Everything
 * of the key is freed then, so one key's state is in memory at a time, and the clock starts
 * afresh for the next key (keys are independent).
 */
export class GroupByKeyReader {
  private readonly op: GroupAlsoByWindow<unknown, unknown[]>;
  private readonly windowCoder: Coder<BoundedWindow>;
  // The last decoded window and its bytes: a key's records mostly share few windows.
  private lastWindowBytes: Uint8Array | undefined;
  private lastWindowStart = 0;
  private lastWindowEnd = 0;
  private lastWindows: readonly BoundedWindow[] = [];

  constructor(
    private readonly keyCoder: Coder<unknown>,
    private readonly valueCoder: Coder<unknown>,
    strategy: WindowingStrategy,
    out: Receiver,
    private readonly transform: string,
    metrics?: CounterSink,
  ) {
    this.windowCoder = strategy.windowFn.windowCoder() as Coder<BoundedWindow>;
    this.op = new GroupAlsoByWindow<unknown, unknown[]>({ strategy, newBuffer: () => new BagBuffer<unknown>(), output: out, transform, metrics });
  }

  /** Groups one key: `keyBytes[keyStart, keyEnd)` is its encoded key. */
  readKey(keyBytes: Uint8Array, keyStart: number, keyEnd: number, records: KeyRecords): void {
    let key: unknown;
    try {
      key = this.keyCoder.decode(new ByteReader(keyBytes, keyStart, keyEnd));
    } catch (e) {
      throw UserCodeError.from(this.transform, undefined, false, e);
    }
    const op = this.op;
    // One key at a time: its id only needs to be unique among keys in the operator at once.
    op.startBundle("", key);
    try {
      for (let i = 0; i < records.size; i++) {
        const bytes = records.bytesOf(i);
        const value = this.valueCoder.decode(new ByteReader(bytes, records.payloadStart(i), records.payloadEnd(i)));
        op.processValue(value, records.timestamp(i), this.windowsOf(bytes, records.windowStart(i), records.windowEnd(i)));
      }
    } finally {
      op.finishBundle();
    }
    op.advanceInputWatermark(Infinity);
    op.resetClock();
  }

  private windowsOf(bytes: Uint8Array, start: number, end: number): readonly BoundedWindow[] {
    const last = this.lastWindowBytes;
    if (last !== undefined && end - start === this.lastWindowEnd - this.lastWindowStart) {
      let same = true;
      for (let a = start, b = this.lastWindowStart; a < end; a++, b++) {
        if (bytes[a] !== last[b]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastWindows;
    }
    this.lastWindows = [this.windowCoder.decode(new ByteReader(bytes, start, end))];
    this.lastWindowBytes = bytes;
    this.lastWindowStart = start;
    this.lastWindowEnd = end;
    return this.lastWindows;
  }
}

/**
 * One key's records gathered from a partition's chunks (until the sorted shuffle groups them):
 * where each record starts, parsed again when read (a number per record, not an object).
 */
class ChunkKeyRecords implements KeyRecords {
  readonly chunks: Uint8Array[] = [];
  readonly starts: number[] = [];
  // The record last parsed: its window and payload spans and timestamp.
  private at = -1;
  private readonly r = newShuffleRecord();
  constructor(readonly keyChunk: Uint8Array, readonly keyStart: number, readonly keyEnd: number) {}
  get size(): number {
    return this.chunks.length;
  }
  private parse(i: number): ShuffleRecord {
    if (this.at !== i) {
      parseShuffleRecord(this.chunks[i]!, this.starts[i]!, this.r);
      this.at = i;
    }
    return this.r;
  }
  bytesOf(i: number): Uint8Array {
    return this.chunks[i]!;
  }
  windowStart(i: number): number {
    return this.parse(i).windowStart;
  }
  windowEnd(i: number): number {
    return this.parse(i).windowEnd;
  }
  payloadStart(i: number): number {
    return this.parse(i).payloadStart;
  }
  payloadEnd(i: number): number {
    return this.parse(i).payloadEnd;
  }
  timestamp(i: number): number {
    return this.parse(i).timestamp;
  }
}

function newShuffleRecord(): ShuffleRecord {
  return { groupStart: 0, keyStart: 0, keyEnd: 0, windowStart: 0, windowEnd: 0, timestamp: 0, payloadStart: 0, payloadEnd: 0 };
}

let viewOf: Uint8Array | undefined;
let view: DataView | undefined;

function varUintAt(b: Uint8Array, pos: number, r: { pos: number }): number {
  let x = 0;
  let mul = 1;
  for (;;) {
    const byte = b[pos++]!;
    x += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) break;
    mul *= 128;
  }
  r.pos = pos;
  return x;
}

const cursor = { pos: 0 };

/** Parses the shuffle record at `start` (the format of operators/shuffle_records.ts) into `r`. */
function parseShuffleRecord(chunk: Uint8Array, start: number, r: ShuffleRecord): void {
  if (viewOf !== chunk) {
    viewOf = chunk;
    view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  r.groupStart = start;
  const kl = varUintAt(chunk, start, cursor);
  r.keyStart = cursor.pos;
  r.keyEnd = cursor.pos + kl;
  const wl = varUintAt(chunk, r.keyEnd, cursor);
  r.windowStart = cursor.pos;
  r.windowEnd = cursor.pos + wl;
  r.timestamp = view!.getFloat64(r.windowEnd);
  const pl = varUintAt(chunk, r.windowEnd + 8, cursor);
  r.payloadStart = cursor.pos;
  r.payloadEnd = cursor.pos + pl;
}

/** GroupByKey's reading half for one partition's chunks: records grouped by key, each key through GroupByKeyReader. */
export function readGroupByKeyPartition(
  chunks: Uint8Array[],
  keyCoder: Coder<unknown>,
  valueCoder: Coder<unknown>,
  strategy: WindowingStrategy,
  out: Receiver,
  transform: string,
  metrics?: CounterSink,
): void {
  const groups = new Map<string, ChunkKeyRecords>();
  for (const chunk of chunks) {
    forEachRecord(chunk, (r) => {
      const id = bytesKey(chunk.subarray(r.keyStart, r.keyEnd));
      let g = groups.get(id);
      if (g === undefined) {
        g = new ChunkKeyRecords(chunk, r.keyStart, r.keyEnd);
        groups.set(id, g);
      }
      g.chunks.push(chunk);
      g.starts.push(r.groupStart);
    });
  }
  const reader = new GroupByKeyReader(keyCoder, valueCoder, strategy, out, transform, metrics);
  for (const g of groups.values()) reader.readKey(g.keyChunk, g.keyStart, g.keyEnd, g);
}
