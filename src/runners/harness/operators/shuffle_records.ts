import { ByteReader } from "../../../sdk/coders/byte_io.js";

/**
 * Shuffle records: varint-length-prefixed key bytes, window bytes, then a double
 * timestamp and a length-prefixed payload (a value, or an accumulator). Keys are
 * grouped and partitioned by their encoded bytes. The writer that buffers, sorts and
 * spills them lives in harness/shuffle (writer.ts).
 */
export { ShuffleWriter } from "../shuffle/writer.js";

export interface ShuffleRecord {
  /** Bytes of key then window (with their length prefixes): the grouping identity. */
  groupStart: number;
  keyStart: number;
  keyEnd: number;
  windowStart: number;
  windowEnd: number;
  timestamp: number;
  payloadStart: number;
  payloadEnd: number;
}

/** Walks the records of a chunk, reusing one record object. */
export function forEachRecord(chunk: Uint8Array, f: (r: ShuffleRecord, chunk: Uint8Array) => void): void {
  const rd = new ByteReader(chunk);
  const r: ShuffleRecord = { groupStart: 0, keyStart: 0, keyEnd: 0, windowStart: 0, windowEnd: 0, timestamp: 0, payloadStart: 0, payloadEnd: 0 };
  while (!rd.atEnd()) {
    r.groupStart = rd.pos;
    const kl = rd.varUint();
    r.keyStart = rd.pos;
    r.keyEnd = rd.pos + kl;
    rd.pos = r.keyEnd;
    const wl = rd.varUint();
    r.windowStart = rd.pos;
    r.windowEnd = rd.pos + wl;
    rd.pos = r.windowEnd;
    r.timestamp = rd.float64BE();
    const pl = rd.varUint();
    r.payloadStart = rd.pos;
    r.payloadEnd = rd.pos + pl;
    rd.pos = r.payloadEnd;
    f(r, chunk);
  }
}
