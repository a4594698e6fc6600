const encoder = new TextEncoder();
const TWO_32 = 4294967296;

/** A growable output buffer that coders write into. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes the writer can hold before it has to grow. */
  get capacity(): number {
    return this.buf.length;
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /**
   * Writes a UTF-8 string without a length prefix; returns the byte count.
   * Lone surrogates are written as U+FFFD (EF BF BD), as TextEncoder and Java do.
   */
  utf8(s: string): number {
    const n = s.length;
    this.ensure(n * 3);
    const buf = this.buf;
    const start = this.length;
    // ASCII is the common case and a JS loop beats encodeInto's call overhead on short strings.
    if (n < 64) {
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === n) {
        this.length = start + n;
        return n;
      }
    }
    const { written } = encoder.encodeInto(s, buf.subarray(start));
    this.length = start + written;
    return written;
  }

  /**
   * Writes a varint byte length then the UTF-8 bytes (Beam's nested StringUtf8Coder),
   * without measuring the string first: room for the longest possible length prefix is
   * reserved, and the bytes are moved back if the prefix came out shorter.
   */
  lengthPrefixedUtf8(s: string): void {
    const n = s.length;
    // Worst case 3 bytes per UTF-16 unit, plus up to 5 bytes of length.
    this.ensure(n * 3 + 5);
    const buf = this.buf;
    const start = this.length;
    if (n < 43) {
      // At most 126 bytes of UTF-8: the length takes exactly one byte.
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + 1 + i] = c;
      }
      if (i === n) {
        buf[start] = n;
        this.length = start + 1 + n;
        return;
      }
      const { written } = encoder.encodeInto(s, buf.subarray(start + 1));
      buf[start] = written;
      this.length = start + 1 + written;
      return;
    }
    const reserve = varUintSize(n * 3);
    const { written } = encoder.encodeInto(s, buf.subarray(start + reserve));
    const actual = varUintSize(written);
    if (actual < reserve) buf.copyWithin(start + actual, start + reserve, start + reserve + written);
    this.length = start;
    this.varUint(written);
    this.length += written;
  }

  /**
   * Inserts an unsigned LEB128 of n at an earlier position `at`, moving what was written
   * after it: how a length prefix is put before bytes whose length was not known up front.
   */
  insertVarUint(at: number, n: number): void {
    const size = varUintSize(n);
    this.ensure(size + 10); // + 10: varUint below must not grow (and so drop) the moved bytes
    const end = this.length;
    this.buf.copyWithin(at + size, at, end);
    this.length = at;
    this.varUint(n);
    this.length = end + size;
  }

  int32BE(n: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, n, false);
    this.length += 4;
  }

  int64BE(n: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, n, false);
    this.length += 8;
  }

  float64BE(n: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, n, false);
    this.length += 8;
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  varUint(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.length;
    if (n < 0x80000000) {
      while (n >= 0x80) {
        buf[pos++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
    } else {
      while (n >= 0x80) {
        buf[pos++] = (n % 0x80) | 0x80;
        n = Math.floor(n / 0x80);
      }
    }
    buf[pos++] = n;
    this.length = pos;
  }

  /**
   * Beam's VarInt: LEB128 of the 64-bit two's complement, so negatives take 10 bytes.
   * Numbers must be safe integers and bigints must fit in 64 bits (callers check).
   */
  varInt64(n: number | bigint): void {
    if (typeof n === "number") {
      if (n >= 0) return this.varUint(n);
      // Negative safe integer: split the two's complement into 32-bit halves, no BigInt.
      const hi = Math.floor(n / TWO_32);
      this.varInt64Halves(hi >>> 0, (n - hi * TWO_32) >>> 0);
      return;
    }
    const u = BigInt.asUintN(64, n);
    this.varInt64Halves(Number(u >> 32n), Number(u & 0xffffffffn));
  }

  private varInt64Halves(hi: number, lo: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.length;
    // hi, lo are uint32 (lo may go negative as int32 below; >>> keeps it unsigned).
    while (hi !== 0 || lo >>> 0 >= 0x80) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      hi >>>= 7;
    }
    buf[pos++] = lo & 0x7f;
    this.length = pos;
  }

  /** The bytes written so far (a copy, safe to keep). */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** The bytes written so far, sharing this writer's memory; valid until the next write or reset. */
  view_(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

/** Bytes an unsigned LEB128 of n takes. */
export function varUintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

const decoder = new TextDecoder("utf-8");

/**
 * Reads what a ByteWriter wrote. Every read checks bounds and names what ran short;
 * callers can say what they were reading (`reader.varUint("the length of a string")`).
 */
export class ByteReader {
  pos: number;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new RangeError(`truncated input: needed ${n} byte(s) for ${what} at offset ${this.pos}, have ${this.end - this.pos}`);
    }
  }

  remaining(): number { return this.end - this.pos; }
  atEnd(): boolean { return this.pos >= this.end; }

  byte(what = "a byte"): number {
    if (this.pos >= this.end) this.need(1, what);
    return this.buf[this.pos++]!;
  }

  /** n bytes, sharing the input's memory (copy them to keep them past the input's life). */
  bytes(n: number, what = `${n} bytes`): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  utf8(n: number, what = "a UTF-8 string"): string {
    this.need(n, what);
    const s = n < 32 ? smallUtf8(this.buf, this.pos, n) : decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  int32BE(what = "an int32"): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, false);
    this.pos += 4;
    return v;
  }

  int64BE(what = "an int64"): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos, false);
    this.pos += 8;
    return v;
  }

  float64BE(what = "a double"): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /** Unsigned LEB128 (lengths and counts); exact up to 2^53. */
  varUint(what = "a varint"): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    if (pos < end) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) {
        this.pos = pos;
        this.need(1, what);
      }
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return result;
      }
      mul *= 0x80;
    }
    throw new RangeError(`${what} is longer than 10 bytes at offset ${this.pos}`);
  }

  /** Beam's VarInt as a signed 64-bit value; a number where it is safe, else a bigint. */
  varInt64(what = "a varint"): number | bigint {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    if (pos < end) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    // Accumulate the 64 bits as two uint32 halves; no BigInt unless the result needs one.
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) {
        this.pos = pos;
        this.need(1, what);
      }
      const b = buf[pos++]! & 0xff;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if ((b & 0x80) === 0) {
        this.pos = pos;
        lo >>>= 0;
        const shi = hi | 0;
        if (shi >= -0x200000 && shi < 0x200000) {
          const v = shi * TWO_32 + lo;
          if (Number.isSafeInteger(v)) return v;
        }
        return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo));
      }
    }
    throw new RangeError(`${what} is longer than 10 bytes at offset ${this.pos}`);
  }
}

/** Short ASCII strings are the common case (words, keys): decode them without TextDecoder. */
function smallUtf8(buf: Uint8Array, pos: number, n: number): string {
  let s = "";
  for (let i = pos; i < pos + n; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return decoder.decode(buf.subarray(pos, pos + n));
    s += String.fromCharCode(c);
  }
  return s;
}
