/** A growable output buffer that coders write into. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
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

  /** Writes a UTF-8 string without a length prefix; returns the byte count. */
  utf8(s: string): number {
    this.ensure(s.length * 3);
    const { written } = new TextEncoder().encodeInto(s, this.buf.subarray(this.length));
    this.length += written;
    return written;
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
    while (n >= 0x80) {
      this.buf[this.length++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.length++] = n;
  }

  /** Beam's VarInt: LEB128 of the 64-bit two's complement, so negatives take 10 bytes. */
  varInt64(n: number | bigint): void {
    if (typeof n === "number" && n >= 0) return this.varUint(n);
    let u = BigInt.asUintN(64, BigInt(n));
    this.ensure(10);
    while (u >= 0x80n) {
      this.buf[this.length++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.length++] = Number(u);
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

const decoder = new TextDecoder("utf-8");

/** Reads what a ByteWriter wrote. Every read checks bounds and names what ran short. */
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

  byte(): number {
    this.need(1, "a byte");
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Uint8Array {
    this.need(n, `${n} bytes`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  utf8(n: number): string {
    this.need(n, "a UTF-8 string");
    const s = n < 32 ? smallUtf8(this.buf, this.pos, n) : decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  int32BE(): number {
    this.need(4, "an int32");
    const v = this.view.getInt32(this.pos, false);
    this.pos += 4;
    return v;
  }

  int64BE(): bigint {
    this.need(8, "an int64");
    const v = this.view.getBigInt64(this.pos, false);
    this.pos += 8;
    return v;
  }

  float64BE(): number {
    this.need(8, "a double");
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  varUint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 0x80;
    }
    throw new RangeError(`varint longer than 10 bytes at offset ${this.pos}`);
  }

  /** Beam's VarInt as a signed 64-bit value; a number where it is safe, else a bigint. */
  varInt64(): number | bigint {
    const start = this.pos;
    // Fast path: up to 7 bytes (49 bits) stays a non-negative safe integer.
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      n += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return n;
      mul *= 0x80;
    }
    this.pos = start;
    let u = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      u |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        const s = BigInt.asIntN(64, u);
        return s >= BigInt(Number.MIN_SAFE_INTEGER) && s <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s) : s;
      }
      shift += 7n;
    }
    throw new RangeError(`varint longer than 10 bytes at offset ${start}`);
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
