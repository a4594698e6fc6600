/**
 * The writing half of a shuffle, bounded by a memory budget. Records (order.ts's
 * format) are appended to one buffer; when it passes its share of the budget, they are
 * sorted by (partition, key bytes, window bytes) and each partition's part is written to a
 * spill file as a sorted run. At the task's end what is left becomes the last runs, kept
 * in memory when small. `takeRuns()` hands over, per partition, a list of runs.
 *
 * The sort is a counting sort over the distinct (key, window) groups: one hash-table pass
 * numbers the groups, only the distinct groups are compared, and a second pass scatters
 * the records into place, stable (a group's records keep their write order).
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { ByteWriter } from "../../../sdk/coders/byte_io.js";
import { ChunkedOutput } from "../../shared/chunked_output.js";
import { compareBytes, newSpan, parseRecord } from "./order.js";
import { SpillFile, type ShuffleRun } from "./runs.js";

/** Where and when a writer spills. */
export interface SpillConfig {
  /** The run's spill directory (created by the coordinator; spill files go inside). */
  dir: string;
  /** The memory this writer may hold, in bytes (its buffer and the sort's working memory). */
  budgetBytes: number;
  /** Names this writer's spill files (e.g. the stage and task), for people looking at the directory. */
  name: string;
}

/** What a shuffle's writing operators write into (the local runner's writer, or Flink's accumulator records). */
export interface ShuffleSink {
  write(encodeKey: (w: ByteWriter) => void, window: Uint8Array, timestamp: number, encodePayload: (w: ByteWriter) => void): void;
}

/** Chunks of sorted runs are cut at about this size (one per run is in memory while merging). */
const CHUNK_BYTES = 256 * 1024;
/** The buffer takes this part of the budget: sorting needs about as much again, plus 4 bytes a record. */
const BUFFER_SHARE = 0.4;
/** A budget of a few bytes spills every record: costly, but what was asked (tests use it). */
const MIN_BUFFER = 1;

function fileName(config: SpillConfig, seq: number): string {
  return join(config.dir, `${config.name.replace(/[^A-Za-z0-9_.-]/g, "_")}-${randomBytes(4).toString("hex")}-${seq}.spill`);
}

/** How many bytes the last runs may keep in memory (the rest goes to a file). */
function smallLimit(budgetBytes: number): number {
  return Math.min(4 << 20, budgetBytes / 8);
}

/** FNV-1a over key bytes: the partition, as chunked_output.ts's hashBytes computes it. */
function fnv(b: Uint8Array, start: number, end: number, h = 0x811c9dc5): number {
  for (let i = start; i < end; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/**
 * A buffer's first capacity: small (a task with little data allocates little), and such that
 * doubling lands just past the threshold instead of up to twice it.
 */
function initialCapacity(threshold: number): number {
  if (!Number.isFinite(threshold)) return 64 * 1024;
  let c = threshold + 64 * 1024;
  while (c > 1 << 20) c = Math.ceil(c / 2);
  return c;
}

/** Sets the one-byte length prefix at `at` to the length of what follows it (a varint, moving the bytes when longer). */
function prefixLength(w: ByteWriter, at: number): void {
  const end = w.length;
  const n = end - at - 1;
  if (n < 0x80) {
    w.length = at;
    w.byte(n);
    w.length = end;
    return;
  }
  // Drop the placeholder: the bytes move one back, then forward by the varint's size.
  const body = w.view_().slice(at + 1, end);
  w.length = at;
  w.varUint(n);
  w.bytes(body);
}

export class ShuffleWriter implements ShuffleSink {
  private readonly buffer: ByteWriter;
  private records = 0;
  private readonly threshold: number;
  private readonly runs: ShuffleRun[][];
  private seq = 0;
  /** Spill files written (for tests and reports). */
  spills = 0;
  spilledBytes = 0;

  constructor(readonly numPartitions: number, private readonly spill?: SpillConfig) {
    this.threshold = spill ? Math.max(MIN_BUFFER, Math.floor(spill.budgetBytes * BUFFER_SHARE)) : Infinity;
    this.buffer = new ByteWriter(initialCapacity(this.threshold));
    this.runs = Array.from({ length: numPartitions }, () => []);
  }

  /** Encodes one record with the caller's encode functions. */
  write(encodeKey: (w: ByteWriter) => void, window: Uint8Array, timestamp: number, encodePayload: (w: ByteWriter) => void): void {
    // Key and payload are encoded in place after a one-byte length prefix, set once their
    // length is known (moved along for the rare length past 127).
    const w = this.buffer;
    const keyAt = w.length;
    w.byte(0);
    encodeKey(w);
    prefixLength(w, keyAt);
    w.varUint(window.length);
    if (window.length > 0) w.bytes(window);
    w.float64BE(timestamp);
    const payloadAt = w.length;
    w.byte(0);
    encodePayload(w);
    prefixLength(w, payloadAt);
    this.records++;
    if (w.length >= this.threshold) this.spillBuffer(true);
  }

  /** Bytes buffered now. */
  get bufferedBytes(): number {
    return this.buffer.length;
  }

  /** Per partition, the task's sorted runs (spilled ones first, then the last, in memory if small). */
  takeRuns(): ShuffleRun[][] {
    if (this.records > 0) this.spillBuffer(this.spill !== undefined && this.buffer.length > smallLimit(this.spill.budgetBytes));
    const out = this.runs.map((r) => r.splice(0));
    return out;
  }

  /** Sorts the buffer into one run per partition: to a spill file, or kept in memory. */
  private spillBuffer(toFile: boolean): void {
    const data = this.buffer.view_();
    const sorted = sortRecords(data, this.records, this.numPartitions);
    const file = toFile ? new SpillFile(fileName(this.spill!, this.seq++)) : undefined;
    try {
      for (let p = 0; p < this.numPartitions; p++) {
        const from = sorted.partStart[p]!;
        const to = sorted.partStart[p + 1]!;
        if (from === to) continue;
        if (file) {
          file.beginRun();
          cutChunks(sorted, from, to, (a, b, n) => file.chunk(sorted.out.subarray(a, b), n));
          this.runs[p]!.push(file.endRun());
        } else {
          const chunks: Uint8Array[] = [];
          let records = 0;
          cutChunks(sorted, from, to, (a, b, n) => {
            chunks.push(sorted.out.slice(a, b));
            records += n;
          });
          this.runs[p]!.push({ kind: "memory", chunks, records, bytes: to - from });
        }
      }
    } finally {
      file?.close();
    }
    if (file) {
      this.spills++;
      this.spilledBytes += data.length;
    }
    this.buffer.reset();
    this.records = 0;
  }
}

/**
 * Calls f with record-aligned pieces [a, b) of out[from, to) of about CHUNK_BYTES, and their
 * record counts: cut between groups, and inside a group only when it alone is much larger.
 */
function cutChunks(sorted: Sorted, from: number, to: number, f: (a: number, b: number, records: number) => void): void {
  const { out, groupEnds, groupCounts } = sorted;
  // The first group ending after `from` (groups are in output order).
  let lo = 0;
  let hi = groupEnds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (groupEnds[mid]! <= from) lo = mid + 1;
    else hi = mid;
  }
  const span = newSpan();
  let start = from;
  let n = 0;
  for (let i = lo; i < groupEnds.length; i++) {
    const end = groupEnds[i]!;
    if (end > to) break;
    const groupStart = i === 0 ? 0 : groupEnds[i - 1]!;
    if (end - groupStart > 4 * CHUNK_BYTES) {
      // A very large group: cut inside it, at records.
      if (groupStart > start) {
        f(start, groupStart, n);
        start = groupStart;
        n = 0;
      }
      let pos = groupStart;
      while (pos < end) {
        pos = parseRecord(out, pos, span);
        n++;
        if (pos - start >= CHUNK_BYTES) {
          f(start, pos, n);
          start = pos;
          n = 0;
        }
      }
      continue;
    }
    n += groupCounts[i]!;
    if (end - start >= CHUNK_BYTES) {
      f(start, end, n);
      start = end;
      n = 0;
    }
  }
  if (to > start) f(start, to, n);
}

interface Sorted {
  out: Uint8Array;
  /** Partition p's records are out[partStart[p], partStart[p + 1]). */
  partStart: Int32Array;
  /** The groups' ends in the output, in output order, and their record counts. */
  groupEnds: Float64Array;
  groupCounts: Int32Array;
}

/**
 * Sorts `count` records of `data` by (partition, key, window), stably. Exported for tests.
 */
export function sortRecords(data: Uint8Array, count: number, numPartitions: number): Sorted {
  const span = newSpan();
  const groupOf = new Int32Array(count);
  // Each record's length (0: longer than 65 535 bytes, parsed again): the scatter needs no parse.
  const lengths = new Uint16Array(count);
  // Groups: (key, window) identities, numbered in order of first appearance.
  let cap = 1024;
  // Each group's identity (its first record's bytes from the key's length prefix to the
  // window's end) copied into one small arena: compared there, near each other in memory,
  // instead of at its first record somewhere in the buffer.
  let ids = new Uint8Array(64 * 1024);
  let idsLength = 0;
  let gStart = new Int32Array(cap); // the identity in `ids`: [gStart, gIdEnd)
  let gIdEnd = new Int32Array(cap);
  let gKeyStart = new Int32Array(cap); // the key bytes in `ids`
  let gKeyEnd = new Int32Array(cap);
  let gCount = new Int32Array(cap);
  let gHash = new Int32Array(cap);
  let gPart = new Int32Array(cap);
  let gBytes = new Float64Array(cap);
  let groups = 0;
  let tableBits = 11;
  let table = new Int32Array(1 << tableBits).fill(-1);

  const grow = () => {
    const n = cap * 2;
    const g = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as { new (n: number): T })(n);
      b.set(a);
      return b;
    };
    gStart = g(gStart);
    gIdEnd = g(gIdEnd);
    gKeyStart = g(gKeyStart);
    gKeyEnd = g(gKeyEnd);
    gHash = g(gHash);
    gPart = g(gPart);
    gCount = g(gCount);
    gBytes = g(gBytes);
    cap = n;
  };
  const rehash = () => {
    tableBits++;
    table = new Int32Array(1 << tableBits).fill(-1);
    const mask = (1 << tableBits) - 1;
    for (let i = 0; i < groups; i++) {
      let slot = gHash[i]! & mask;
      while (table[slot] !== -1) slot = (slot + 1) & mask;
      table[slot] = i;
    }
  };

  let pos = 0;
  for (let r = 0; r < count; r++) {
    const start = pos;
    pos = parseRecord(data, pos, span);
    const kh = fnv(data, span.keyStart, span.keyEnd);
    const h = fnv(data, span.windowStart, span.windowEnd, kh);
    const mask = (1 << tableBits) - 1;
    let slot = h & mask;
    let g: number;
    for (;;) {
      g = table[slot]!;
      if (g === -1) break;
      if (gHash[g] === h && compareBytes(ids, gStart[g]!, gIdEnd[g]!, data, start, span.windowEnd) === 0) break;
      slot = (slot + 1) & mask;
    }
    if (g === -1) {
      if (groups === cap) grow();
      g = groups++;
      const idLen = span.windowEnd - start;
      if (idsLength + idLen > ids.length) {
        const next = new Uint8Array(Math.max(ids.length * 2, idsLength + idLen));
        next.set(ids.subarray(0, idsLength));
        ids = next;
      }
      ids.set(data.subarray(start, span.windowEnd), idsLength);
      gStart[g] = idsLength;
      gIdEnd[g] = idsLength + idLen;
      gKeyStart[g] = idsLength + (span.keyStart - start);
      gKeyEnd[g] = idsLength + (span.keyEnd - start);
      idsLength += idLen;
      gHash[g] = h;
      gPart[g] = (kh >>> 0) % numPartitions;
      table[slot] = g;
      if (groups * 2 > table.length) rehash();
    }
    groupOf[r] = g;
    const len = pos - start;
    lengths[r] = len < 0x10000 ? len : 0;
    gBytes[g] += len;
    gCount[g]++;
  }
  if (pos !== data.length) throw new Error(`shuffle buffer holds ${data.length} bytes but its ${count} records end at ${pos}`);

  // Only the distinct groups are compared.
  const order = new Int32Array(groups);
  for (let i = 0; i < groups; i++) order[i] = i;
  const windowStartOf = (g: number) => {
    // The window's length prefix follows the key; skip it.
    let p = gKeyEnd[g]!;
    while ((ids[p]! & 0x80) !== 0) p++;
    return p + 1;
  };
  const sortedOrder = Array.from(order).sort((a, b) => {
    const dp = gPart[a]! - gPart[b]!;
    if (dp !== 0) return dp;
    const k = compareBytes(ids, gKeyStart[a]!, gKeyEnd[a]!, ids, gKeyStart[b]!, gKeyEnd[b]!);
    if (k !== 0) return k;
    return compareBytes(ids, windowStartOf(a), gIdEnd[a]!, ids, windowStartOf(b), gIdEnd[b]!);
  });
  const offset = new Float64Array(groups);
  const partStart = new Int32Array(numPartitions + 1);
  // Where each group ends in the output, in output order, with its record count: chunks are cut there.
  const groupEnds = new Float64Array(groups);
  const groupCounts = new Int32Array(groups);
  let at = 0;
  let part = 0;
  sortedOrder.forEach((g, i) => {
    while (part <= gPart[g]!) partStart[part++] = at;
    offset[g] = at;
    at += gBytes[g]!;
    groupEnds[i] = at;
    groupCounts[i] = gCount[g]!;
  });
  while (part <= numPartitions) partStart[part++] = at;

  const out = Buffer.allocUnsafe(data.length);
  pos = 0;
  for (let r = 0; r < count; r++) {
    const start = pos;
    const known = lengths[r]!;
    pos = known !== 0 ? start + known : parseRecord(data, pos, span);
    const g = groupOf[r]!;
    const o = offset[g]!;
    const len = pos - start;
    if (len > 32) out.set(data.subarray(start, pos), o);
    else for (let i = 0; i < len; i++) out[o + i] = data[start + i]!;
    offset[g] = o + len;
  }
  return { out: new Uint8Array(out.buffer, out.byteOffset, out.length), partStart, groupEnds, groupCounts };
}

/**
 * A reshuffle's writing half: encoded WindowedValues per partition, in write order (a
 * sink's shards need no sort). Above its budget every partition's chunks go to a spill file.
 */
export class UnsortedRunWriter {
  readonly parts: ChunkedOutput[];
  private readonly counted: number[];
  private buffered = 0;
  private readonly threshold: number;
  private readonly runs: ShuffleRun[][];
  private seq = 0;
  spills = 0;

  constructor(numPartitions: number, private readonly spill?: SpillConfig) {
    this.threshold = spill ? Math.max(MIN_BUFFER, Math.floor(spill.budgetBytes * 0.8)) : Infinity;
    const chunk = Math.max(1024, Math.min(CHUNK_BYTES * 4, Math.floor(this.threshold / (4 * numPartitions))));
    this.parts = Array.from({ length: numPartitions }, () => new ChunkedOutput(chunk));
    this.counted = this.parts.map(() => 0);
    this.runs = this.parts.map(() => []);
  }

  /** Call after writing one record to `parts[p].writer`; `bytes` is its size. */
  endRecord(p: number, bytes: number): void {
    this.parts[p]!.endRecord();
    this.buffered += bytes;
    if (this.buffered >= this.threshold) this.flush(true);
  }

  takeRuns(): ShuffleRun[][] {
    this.flush(this.spill !== undefined && this.buffered > smallLimit(this.spill.budgetBytes));
    return this.runs.map((r) => r.splice(0));
  }

  private flush(toFile: boolean): void {
    const file = toFile ? new SpillFile(fileName(this.spill!, this.seq++)) : undefined;
    try {
      this.parts.forEach((part, p) => {
        const records = part.count - this.counted[p]!;
        this.counted[p] = part.count;
        const chunks = part.take();
        if (chunks.length === 0) return;
        if (!file) {
          this.runs[p]!.push({ kind: "memory", chunks, records, bytes: chunks.reduce((s, c) => s + c.length, 0) });
          return;
        }
        file.beginRun();
        chunks.forEach((c, i) => file.chunk(c, i === chunks.length - 1 ? records : 0));
        this.runs[p]!.push(file.endRun());
      });
    } finally {
      file?.close();
    }
    if (file) this.spills++;
    this.buffered = 0;
  }
}
