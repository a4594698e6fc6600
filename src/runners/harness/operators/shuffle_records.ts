import { ByteReader, ByteWriter } from "../../../sdk/coders/byte_io.js";
import { ChunkedOutput, hashBytes } from "../../shared/chunked_output.js";

/**
 * Shuffle records: varint-length-prefixed key bytes, window bytes, then a double
 * timestamp and a length-prefixed payload (a value, or an accumulator). Keys are
 * grouped and partitioned by their encoded bytes.
 */
export class ShuffleWriter {
  readonly parts: ChunkedOutput[];
  private readonly scratch = new ByteWriter(256);

  constructor(numPartitions: number) {
    this.parts = Array.from({ length: numPartitions }, () => new ChunkedOutput());
  }

  /** Encodes with the caller's encode functions into the key's partition. */
  write(encodeKey: (w: ByteWriter) => void, window: Uint8Array, timestamp: number, encodePayload: (w: ByteWriter) => void): void {
    const s = this.scratch;
    s.reset();
    encodeKey(s);
    const key = s.view_();
    const part = this.parts[hashBytes(key) % this.parts.length]!;
    const w = part.writer;
    w.varUint(key.length);
    w.bytes(key);
    w.varUint(window.length);
    w.bytes(window);
    w.float64BE(timestamp);
    s.reset();
    encodePayload(s);
    const payload = s.view_();
    w.varUint(payload.length);
    w.bytes(payload);
    part.endRecord();
  }

  take(): Uint8Array[][] {
    return this.parts.map((p) => p.take());
  }
}

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
