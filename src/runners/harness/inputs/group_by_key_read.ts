import { ByteReader } from "../../../sdk/coders/byte_io.js";
import type { Coder } from "../../../sdk/coders/coder.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import { GroupAlsoByWindow, type CounterSink } from "../gabw/group_also_by_window.js";
import { BagBuffer, type PaneBuffer } from "../gabw/state.js";
import type { Receiver } from "../operators/receiver.js";

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
 * shuffle's KeyGroup (harness/shuffle, from forEachKeyGroup) has this shape.
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
  /** The operator: a streaming reader (streaming_group_read.ts) drives its time itself. */
  readonly op: GroupAlsoByWindow<unknown, unknown>;
  private readonly windowCoder: Coder<BoundedWindow>;
  // The last decoded window and its bytes: a key's records mostly share few windows.
  private lastWindowBytes: Uint8Array | undefined;
  private lastWindowStart = 0;
  private lastWindowEnd = 0;
  private lastWindows: readonly BoundedWindow[] = [];
  private reader: ByteReader | undefined;

  constructor(
    private readonly keyCoder: Coder<unknown>,
    private readonly valueCoder: Coder<unknown>,
    strategy: WindowingStrategy,
    out: Receiver,
    private readonly transform: string,
    metrics?: CounterSink,
    /**
     * streaming: keys stay in the operator across calls (each keeps its own id, its encoded
     * bytes) and time is the caller's; newBuffer: the pane's buffer (default: a bag of values).
     */
    private readonly mode: { streaming?: boolean; newBuffer?: () => PaneBuffer<unknown, unknown> } = {},
  ) {
    this.windowCoder = strategy.windowFn.windowCoder() as Coder<BoundedWindow>;
    const newBuffer = mode.newBuffer ?? (() => new BagBuffer<unknown>());
    this.op = new GroupAlsoByWindow<unknown, unknown>({ strategy, newBuffer, output: out, transform, metrics });
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
    const streaming = this.mode.streaming === true;
    // Bounded: one key at a time, so its id only needs to be unique among keys in the operator
    // at once; streaming: every key with state is in the operator, named by its bytes.
    op.startBundle(streaming ? keyId(keyBytes, keyStart, keyEnd) : "", key);
    try {
      for (let i = 0; i < records.size; i++) {
        const bytes = records.bytesOf(i);
        const value = this.decodeValue(bytes, records.payloadStart(i), records.payloadEnd(i));
        op.processValue(value, records.timestamp(i), this.windowsOf(bytes, records.windowStart(i), records.windowEnd(i)));
      }
    } finally {
      op.finishBundle();
    }
    if (streaming) return;
    op.advanceInputWatermark(Infinity);
    op.resetClock();
  }

  /**
   * Decodes the value at bytes[start, end) with one reader per buffer (a reader per value costs
   * a DataView each: an eighth of a GroupByKey's time). A coder that does not stop at its value's
   * end (one reading to the end of its input) is given a reader of exactly its bytes instead.
   */
  private decodeValue(bytes: Uint8Array, start: number, end: number): unknown {
    let rd = this.reader;
    if (rd === undefined || rd.buf !== bytes) rd = this.reader = new ByteReader(bytes);
    rd.pos = start;
    try {
      const v = this.valueCoder.decode(rd);
      if (rd.pos === end) return v;
    } catch {
      // Retried below with a reader bounded to the value.
    }
    return this.valueCoder.decode(new ByteReader(bytes, start, end));
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
    // A copy: the key group's buffer is reused for the next key, so a view of it would later
    // compare equal to whatever window the next key has at the same offset (itself).
    this.lastWindowBytes = bytes.slice(start, end);
    this.lastWindowStart = 0;
    this.lastWindowEnd = end - start;
    return this.lastWindows;
  }
}

/** A key's encoded bytes as a string (one char per byte): the operator's id of the key. */
function keyId(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i += 4096) s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  return s;
}
