/**
 * The order of sorted runs: by the key's encoded bytes (lexicographically, a shorter
 * prefix first), then by the window's encoded bytes. Every run and the merge that reads
 * them use this one comparison, so a key's records from every run meet in one place.
 */

/** Compares a[as, ae) with b[bs, be) as unsigned bytes, a prefix first. */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const d = a[as + i]! - b[bs + i]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

/**
 * Where one shuffle record's parts lie in its buffer. A record: varint-length-prefixed key
 * bytes, window bytes, then a double timestamp and a length-prefixed payload (a value, or an
 * accumulator). Keys are grouped and partitioned by their encoded bytes.
 */
export interface RecordSpan {
  start: number;
  keyStart: number;
  keyEnd: number;
  windowStart: number;
  windowEnd: number;
  timestamp: number;
  payloadStart: number;
  payloadEnd: number;
}

export function newSpan(): RecordSpan {
  return { start: 0, keyStart: 0, keyEnd: 0, windowStart: 0, windowEnd: 0, timestamp: 0, payloadStart: 0, payloadEnd: 0 };
}

/** Reads a varint's value at `pos` into VAR.value and its end into VAR.end. */
const VAR = { value: 0, end: 0 };
function varUint(b: Uint8Array, pos: number): void {
  let x = 0;
  let mul = 1;
  for (;;) {
    const c = b[pos++];
    if (c === undefined) throw new RangeError(`a shuffle record is truncated: its varint at offset ${pos - 1} runs past the chunk's end (${b.length} bytes)`);
    // Multiplication, not shifts: lengths may pass 31 bits.
    x += (c & 0x7f) * mul;
    if ((c & 0x80) === 0) break;
    mul *= 128;
  }
  VAR.value = x;
  VAR.end = pos;
}

const F64 = new DataView(new ArrayBuffer(8));

/** Parses the record at `pos` into `s`; returns the record's end. */
export function parseRecord(b: Uint8Array, pos: number, s: RecordSpan): number {
  s.start = pos;
  varUint(b, pos);
  s.keyStart = VAR.end;
  s.keyEnd = VAR.end + VAR.value;
  varUint(b, s.keyEnd);
  s.windowStart = VAR.end;
  s.windowEnd = VAR.end + VAR.value;
  const t = s.windowEnd;
  if (t + 8 > b.length) throw new RangeError(`a shuffle record is truncated: its timestamp at offset ${t} runs past the chunk's end (${b.length} bytes)`);
  for (let i = 0; i < 8; i++) F64.setUint8(i, b[t + i]!);
  s.timestamp = F64.getFloat64(0);
  varUint(b, t + 8);
  s.payloadStart = VAR.end;
  s.payloadEnd = VAR.end + VAR.value;
  if (s.payloadEnd > b.length) throw new RangeError(`a shuffle record is truncated: its payload ends at ${s.payloadEnd}, past the chunk's end (${b.length} bytes)`);
  return s.payloadEnd;
}

/** Compares two records by key, then window. */
export function compareRecords(a: Uint8Array, sa: RecordSpan, b: Uint8Array, sb: RecordSpan): number {
  const k = compareBytes(a, sa.keyStart, sa.keyEnd, b, sb.keyStart, sb.keyEnd);
  if (k !== 0) return k;
  return compareBytes(a, sa.windowStart, sa.windowEnd, b, sb.windowStart, sb.windowEnd);
}
