/**
 * Bytes → lines, for TextIO's reader: fed a file (or a byte range of one) in chunks, it
 * decodes whole runs of complete lines at once and calls `emit` once per line.
 *
 * Lines end with `\n`, `\r\n` or a lone `\r` (as Beam's TextIO and Java's readLine);
 * the terminator is not part of the line. A last line without a terminator is a line; an
 * empty file has no lines. A UTF-8 byte order mark at file offset 0 is dropped.
 *
 * Byte ranges: the range [start, end) owns exactly the lines that *start* at an offset in
 * [start, end). A reader of a range starting at start > 0 feeds bytes from start - 1 (so
 * it can tell whether start itself begins a line), skips to the first line starting at or
 * after start, and reads on past end through the line that contains byte end - 1. So
 * adjacent ranges never lose or repeat a line, wherever the boundaries fall.
 *
 * Invalid UTF-8 is decoded with U+FFFD replacement characters and counted per line
 * (`invalidLines`), never thrown. Memory: the buffer holds one chunk plus the unfinished
 * line (it grows only for a line longer than the chunk).
 */
import { isAscii, isUtf8 } from "node:buffer";

const LF = 10;
const CR = 13;
const NOT_FOUND = -1;
const NEED_MORE = -2;

export interface LineSplitterOptions {
  /** The first offset whose lines are emitted (default 0). */
  start?: number;
  /** Lines starting at or after this offset are not emitted (default: no end). */
  end?: number;
  /** The buffer's initial size (default 2 MiB). */
  chunkSize?: number;
  /** Drop a UTF-8 BOM at offset 0 (default true). */
  stripBom?: boolean;
}

export class LineSplitter {
  private buf: Buffer;
  /** Valid bytes at the front of buf. */
  private filled = 0;
  /** Stream offset of buf[0]. */
  private base: number;
  private skipping: boolean;
  private readonly limit: number;
  private readonly stripBom: boolean;
  private finished = false;
  /** Lines decoded with replacement characters. */
  invalidLines = 0;
  /** Bytes of the lines emitted (terminators included). Over all ranges of a file it sums to the file size. */
  bytesEmitted = 0;
  /** Lines emitted. */
  lines = 0;

  constructor(private readonly emit: (line: string) => void, opts: LineSplitterOptions = {}) {
    const start = opts.start ?? 0;
    this.limit = opts.end ?? Infinity;
    this.skipping = start > 0;
    this.base = start > 0 ? start - 1 : 0;
    this.stripBom = opts.stripBom ?? true;
    this.buf = Buffer.allocUnsafe(Math.max(16, opts.chunkSize ?? 2 << 20));
    if (start >= this.limit) this.finished = true;
  }

  /** The stream offset the feeder must begin at (start - 1 for a range starting past 0). */
  get readOffset(): number {
    return this.base;
  }

  /** The stream offset of the next byte expected. */
  get position(): number {
    return this.base + this.filled;
  }

  /** True once every line of the range was emitted: stop feeding. */
  get done(): boolean {
    return this.finished;
  }

  /**
   * Space to read the next bytes into (at least `min` bytes): read into
   * `buffer[offset, offset + length)`, then call commit(bytesRead).
   */
  space(min: number): { buffer: Buffer; offset: number; length: number } {
    if (this.buf.length - this.filled < min) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.filled + min));
      this.buf.copy(grown, 0, 0, this.filled);
      this.buf = grown;
    }
    return { buffer: this.buf, offset: this.filled, length: this.buf.length - this.filled };
  }

  /** Takes n bytes read into space(); returns true when done. */
  commit(n: number): boolean {
    this.filled += n;
    this.process(false);
    return this.finished;
  }

  /** Feeds a chunk (copied); returns true when done. */
  push(chunk: Uint8Array): boolean {
    if (this.finished) return true;
    let off = 0;
    while (off < chunk.length && !this.finished) {
      const s = this.space(Math.min(chunk.length - off, 64 * 1024));
      const n = Math.min(s.length, chunk.length - off);
      this.buf.set(chunk.subarray(off, off + n), s.offset);
      off += n;
      this.commit(n);
    }
    return this.finished;
  }

  /** End of input: emits the last line. */
  end(): void {
    this.process(true);
    this.finished = true;
  }

  private process(eof: boolean): void {
    while (!this.finished) {
      if (this.skipping) {
        const d = delimiterEnd(this.buf, 0, this.filled, eof);
        if (d === NEED_MORE) return;
        if (d === NOT_FOUND) {
          // The whole buffer is the tail of a line owned by the previous range.
          this.base += this.filled;
          this.filled = 0;
          if (eof) this.finished = true;
          return;
        }
        this.drop(d + 1);
        this.skipping = false;
        continue;
      }
      const limRel = this.limit - this.base;
      if (limRel <= 0 || (this.filled === 0 && eof)) {
        this.finished = true;
        return;
      }
      if (this.filled === 0) return;
      if (limRel < this.filled) {
        // The range ends inside the buffer: emit through the line containing byte end - 1.
        const d = delimiterEnd(this.buf, limRel - 1, this.filled, eof);
        if (d === NEED_MORE || (d === NOT_FOUND && !eof)) return;
        this.emitRegion(d === NOT_FOUND ? this.filled : d + 1);
        this.finished = true;
        return;
      }
      if (eof) {
        this.emitRegion(this.filled);
        this.finished = true;
        return;
      }
      const cut = lastDelimiterEnd(this.buf, this.filled);
      if (cut < 0) return; // an unfinished line: wait for more
      this.emitRegion(cut + 1);
      this.drop(cut + 1);
      return;
    }
  }

  /** Forgets the first n bytes of the buffer. */
  private drop(n: number): void {
    if (n < this.filled) this.buf.copy(this.buf, 0, n, this.filled);
    this.filled -= n;
    this.base += n;
  }

  /** Emits the lines of buf[0, n): complete lines, the last possibly unterminated (at the end of input). */
  private emitRegion(n: number): void {
    this.bytesEmitted += n;
    let from = 0;
    if (this.base === 0 && this.stripBom && n >= 3 && this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) from = 3;
    const bytes = this.buf.subarray(from, n);
    let text: string;
    if (isAscii(bytes)) text = this.buf.toString("latin1", from, n);
    else if (isUtf8(bytes)) text = this.buf.toString("utf8", from, n);
    else {
      this.emitInvalidRegion(from, n);
      return;
    }
    this.emitText(text);
  }

  private emitText(s: string): void {
    const emit = this.emit;
    let a = 0;
    let count = 0;
    if (s.indexOf("\r") < 0) {
      for (;;) {
        const nl = s.indexOf("\n", a);
        if (nl < 0) break;
        emit(s.slice(a, nl));
        count++;
        a = nl + 1;
      }
    } else {
      let nl = s.indexOf("\n");
      let cr = s.indexOf("\r");
      for (;;) {
        if (nl >= 0 && nl < a) nl = s.indexOf("\n", a);
        if (cr >= 0 && cr < a) cr = s.indexOf("\r", a);
        let d: number;
        if (cr < 0 || (nl >= 0 && nl < cr)) d = nl;
        else d = cr;
        if (d < 0) break;
        emit(s.slice(a, d));
        count++;
        a = d === cr && s.charCodeAt(d + 1) === LF ? d + 2 : d + 1;
      }
    }
    if (a < s.length) {
      emit(a === 0 ? s : s.slice(a));
      count++;
    }
    this.lines += count;
  }

  /** The slow path for a region with invalid UTF-8: line by line, counting the bad ones. */
  private emitInvalidRegion(from: number, n: number): void {
    const buf = this.buf;
    let a = from;
    while (a < n) {
      let d = delimiterEnd(buf, a, n, true);
      let lineEnd: number;
      if (d === NOT_FOUND) {
        lineEnd = n;
        d = n - 1;
      } else {
        lineEnd = buf[d] === LF && d > a && buf[d - 1] === CR ? d - 1 : d;
      }
      const line = buf.subarray(a, lineEnd);
      if (!isUtf8(line)) this.invalidLines++;
      this.emit(buf.toString("utf8", a, lineEnd));
      this.lines++;
      a = d + 1;
    }
  }
}

/**
 * Index of the last byte of the first line terminator at or after `from` in buf[0, n):
 * the `\n` of `\n` or `\r\n`, or a lone `\r`. NEED_MORE when a `\r` is the last byte and
 * more input may follow (it could be half of `\r\n`).
 */
function delimiterEnd(buf: Buffer, from: number, n: number, eof: boolean): number {
  let nl = buf.indexOf(LF, from);
  if (nl >= n) nl = -1;
  let cr = buf.indexOf(CR, from);
  if (cr >= n) cr = -1;
  if (cr < 0 || (nl >= 0 && nl < cr)) return nl < 0 ? NOT_FOUND : nl;
  if (cr + 1 < n) return buf[cr + 1] === LF ? cr + 1 : cr;
  return eof ? cr : NEED_MORE;
}

/** Index of the last byte of the last complete terminator in buf[0, n) (a final `\r` does not count yet), or -1. */
function lastDelimiterEnd(buf: Buffer, n: number): number {
  const view = buf.subarray(0, n);
  const nl = view.lastIndexOf(LF);
  // A `\r` after the last `\n` is a lone terminator, unless it is the last byte.
  const cr = n >= 2 ? buf.subarray(0, n - 1).lastIndexOf(CR) : -1;
  return cr > nl ? cr : nl;
}
