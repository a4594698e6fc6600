/**
 * The reading half of a sorted shuffle: a k-way merge of a partition's sorted runs that
 * walks its records grouped by key, in key order, one key at a time. Memory holds one
 * chunk per run and one key's records, never the partition.
 */
import { compareBytes, compareRecords, newSpan, parseRecord, type RecordSpan } from "./order.js";
import { RunReader, type ShuffleRun } from "./runs.js";

/**
 * One key's records, ordered by window bytes (a key's records in one window are adjacent),
 * then by run. Record i's window is `bytes[windowStart(i), windowEnd(i))`, its payload
 * `bytes[payloadStart(i), payloadEnd(i))`. Everything here, `bytes` included, is reused for
 * the next key: copy or decode what must outlive the callback.
 */
export class KeyGroup {
  /** The key's encoded bytes (without their length prefix). */
  key: Uint8Array = new Uint8Array(0);
  size = 0;
  bytes: Uint8Array = new Uint8Array(1 << 12);
  private length = 0;
  // Record i is bytes[starts[2i], starts[2i + 2]): its window, then from starts[2i + 1] its
  // payload; two offsets a record (a hot key may have millions of records).
  private starts = new Int32Array(2 * 64 + 1);
  private stamps = new Float64Array(64);

  windowStart(i: number): number { return this.starts[2 * i]!; }
  windowEnd(i: number): number { return this.starts[2 * i + 1]!; }
  payloadStart(i: number): number { return this.starts[2 * i + 1]!; }
  payloadEnd(i: number): number { return this.starts[2 * i + 2]!; }
  timestamp(i: number): number { return this.stamps[i]!; }
  /** The buffer record i's offsets point into (`bytes`, for every record). */
  bytesOf(_i: number): Uint8Array { return this.bytes; }
  /** Record i's window bytes (a view into `bytes`). */
  window(i: number): Uint8Array { return this.bytes.subarray(this.windowStart(i), this.windowEnd(i)); }
  /** Record i's payload bytes (a view into `bytes`). */
  payload(i: number): Uint8Array { return this.bytes.subarray(this.payloadStart(i), this.payloadEnd(i)); }
  /** Whether records i and j lie in the same window (equal window bytes). */
  sameWindow(i: number, j: number): boolean {
    return compareBytes(this.bytes, this.windowStart(i), this.windowEnd(i), this.bytes, this.windowStart(j), this.windowEnd(j)) === 0;
  }

  /** @internal */
  reset(): void {
    this.size = 0;
    this.length = 0;
  }

  /** @internal Copies one record's window, timestamp and payload in. */
  add(src: Uint8Array, s: RecordSpan): void {
    const wl = s.windowEnd - s.windowStart;
    const pl = s.payloadEnd - s.payloadStart;
    if (this.length + wl + pl > this.bytes.length) {
      let cap = this.bytes.length * 2;
      while (cap < this.length + wl + pl) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.bytes.subarray(0, this.length));
      this.bytes = next;
    }
    const i = this.size;
    if (i === this.stamps.length) {
      const starts = new Int32Array(4 * i + 1);
      starts.set(this.starts);
      this.starts = starts;
      const stamps = new Float64Array(this.stamps.length * 2);
      stamps.set(this.stamps);
      this.stamps = stamps;
    }
    const b = this.bytes;
    let at = this.length;
    const starts = this.starts;
    starts[2 * i] = at;
    for (let j = s.windowStart; j < s.windowEnd; j++) b[at++] = src[j]!;
    starts[2 * i + 1] = at;
    if (pl > 64) {
      b.set(src.subarray(s.payloadStart, s.payloadEnd), at);
      at += pl;
    } else for (let j = s.payloadStart; j < s.payloadEnd; j++) b[at++] = src[j]!;
    starts[2 * i + 2] = at;
    this.stamps[i] = s.timestamp;
    this.length = at;
    this.size = i + 1;
  }
}

/** A position in one run: its current chunk and the record there. */
class Cursor {
  chunk: Uint8Array = new Uint8Array(0);
  pos = 0;
  readonly span = newSpan();
  private readonly reader: RunReader;
  constructor(run: ShuffleRun, readonly order: number) {
    this.reader = new RunReader(run);
  }
  /** Moves to the next record; false at the run's end. */
  advance(): boolean {
    while (this.pos >= this.chunk.length) {
      const next = this.reader.next();
      if (next === undefined) return false;
      this.chunk = next;
      this.pos = 0;
    }
    this.pos = parseRecord(this.chunk, this.pos, this.span);
    return true;
  }
  close(): void {
    this.reader.close();
  }
}

function less(a: Cursor, b: Cursor): boolean {
  const c = compareRecords(a.chunk, a.span, b.chunk, b.span);
  return c < 0 || (c === 0 && a.order < b.order);
}

function siftDown(heap: Cursor[], i: number): void {
  const n = heap.length;
  const x = heap[i]!;
  for (;;) {
    let m = 2 * i + 1;
    if (m >= n) break;
    if (m + 1 < n && less(heap[m + 1]!, heap[m]!)) m++;
    if (!less(heap[m]!, x)) break;
    heap[i] = heap[m]!;
    i = m;
  }
  heap[i] = x;
}

/**
 * Walks the records of a partition's sorted runs grouped by key, in key order: `f` gets each
 * key's encoded bytes and all of that key's records (from every run) at once.
 */
export function forEachKeyGroup(runs: ShuffleRun[], f: (key: Uint8Array, records: KeyGroup) => void): void {
  const cursors = runs.map((r, i) => new Cursor(r, i));
  try {
    const heap = cursors.filter((c) => c.advance());
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    const group = new KeyGroup();
    let key = new Uint8Array(64);
    while (heap.length > 0) {
      const top = heap[0]!;
      const kl = top.span.keyEnd - top.span.keyStart;
      if (kl > key.length) key = new Uint8Array(Math.max(kl, key.length * 2));
      key.set(top.chunk.subarray(top.span.keyStart, top.span.keyEnd));
      group.reset();
      // Set when the top cursor's next record has this key and, as the last, no window bytes
      // (the global window): it ranks as the last did, so it is still the least.
      let same = false;
      for (;;) {
        const c = heap[0]!;
        if (!same && compareBytes(c.chunk, c.span.keyStart, c.span.keyEnd, key, 0, kl) !== 0) break;
        same = false;
        group.add(c.chunk, c.span);
        const noWindow = c.span.windowEnd === c.span.windowStart;
        if (c.advance()) {
          if (noWindow && c.span.windowEnd === c.span.windowStart && compareBytes(c.chunk, c.span.keyStart, c.span.keyEnd, key, 0, kl) === 0) {
            same = true;
            continue;
          }
          siftDown(heap, 0);
        } else {
          c.close();
          const last = heap.pop()!;
          if (heap.length === 0) break;
          heap[0] = last;
          siftDown(heap, 0);
        }
      }
      group.key = key.subarray(0, kl);
      f(group.key, group);
    }
  } finally {
    for (const c of cursors) c.close();
  }
}

/**
 * Walks a partition's sorted runs one record at a time, in order (key, window, run): for
 * readers that fold records as they come (the lifted combine's merge) and need no group.
 */
export function forEachSortedRecord(runs: ShuffleRun[], f: (chunk: Uint8Array, r: RecordSpan) => void): void {
  const cursors = runs.map((r, i) => new Cursor(r, i));
  try {
    const heap = cursors.filter((c) => c.advance());
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    while (heap.length > 0) {
      const c = heap[0]!;
      f(c.chunk, c.span);
      if (c.advance()) siftDown(heap, 0);
      else {
        c.close();
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
        siftDown(heap, 0);
      }
    }
  } finally {
    for (const c of cursors) c.close();
  }
}
