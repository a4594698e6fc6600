/**
 * TextIO.read().watchForNewFiles(…): an unbounded source that lists the file pattern every poll
 * interval and reads each new file once, when it is complete.
 *
 * The rules (the Flink bridge's WatchedTextSource follows them exactly):
 * - Complete: a file is read once a listing finds the same size and modification time as the
 *   listing before it (so a file is read one to two poll intervals after it stops changing). It is
 *   read once, by path: later changes to it are not read.
 * - Timestamp: every line of a file is stamped with the file's modification time (ms, floored),
 *   as it was when the file was found complete. Files are read in order of that time, then path.
 * - Watermark: the least of the start of the latest listing and the modification times of the
 *   files seen but not yet wholly read. A file that is not yet in a listing is taken to get a
 *   modification time at or after that listing began (written there after it, or moved there just
 *   after being written); a file moved in with an older time is late data: its lines are still
 *   read, at their time. -inf before the first listing, +inf once the source ended.
 * - End: with stopAfterNoNewFilesFor, once no listing found a new file for that long (since the
 *   reader started, or the last new file) and every file found is read; otherwise never. (On
 *   Flink the wait counts from the first reader's start too, not from the enumerator's.)
 * - Checkpoint: the files read (or being read), the files seen and not yet complete, the file
 *   being read and the byte offset of its next line.
 */
import { promises as fsp } from "node:fs";
import { Urns } from "../../graph/types.js";
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from "../../sdk/values/time.js";
import { compressionOf, type FileCompression } from "../filesystem/compression.js";
import { matchFiles } from "../filesystem/match.js";
import { registerUnboundedSource, type ReadContext, type SourceSplit, type UnboundedReader, type UnboundedSourceImpl } from "../registry.js";
import { BYTES_READ, INVALID_UTF8_LINES, IO_METRICS_NAMESPACE, readTextSplit, type TextReadPayload } from "./text_source.js";

/** watchForNewFiles' part of TextIO.read()'s payload. */
export type WatchSpec = NonNullable<TextReadPayload["watch"]>;

/** A file found complete: read from `offset` (the byte where its next line starts). */
interface FileToRead {
  file: string;
  size: number;
  mtime: number;
  offset: number;
}

/** Where a watch resumes (JSON). */
export interface WatchCheckpoint {
  /** Every file found complete (read, being read, or queued). */
  taken: string[];
  /** Files seen in the latest listing but not yet complete: [path, size, mtime]. */
  pending: Array<[string, number, number]>;
  /** Complete files not wholly read, the first one being read. */
  queue: FileToRead[];
  lastNewFileAt: number;
  watermark: number;
}

/** Bytes of an uncompressed file read per poll (a poll returns the lines starting in them). */
export const WATCH_READ_BYTES = 1 << 20;

function metricKey(name: string): string {
  return IO_METRICS_NAMESPACE + "\u0000" + name;
}

function byTimeThenPath(a: FileToRead, b: FileToRead): number {
  return a.mtime - b.mtime || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}

export function watchOf(payload: TextReadPayload): WatchSpec | undefined {
  return payload?.watch;
}

/**
 * How far a file's modification time may lag the wall clock when it is written: kernels stamp
 * files from a coarse clock (a tick behind), and some file systems keep whole seconds. A
 * listing that began at T therefore only says that files not in it will be stamped at or after
 * T minus this, and the watermark keeps that margin (WatchEnumerator.java keeps the same).
 */
export const MTIME_SLACK_MS = 1000;

export class WatchReader implements UnboundedReader {
  private readonly taken: Set<string>;
  private readonly pending: Map<string, { size: number; mtime: number }>;
  private readonly queue: FileToRead[];
  private lastNewFileAt: number;
  /** When the latest listing began, less MTIME_SLACK_MS: files not in it get a modification time at or after it. */
  private listedAt: number;
  private wm: number;
  private nextListAt = 0;
  private ended = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly payload: TextReadPayload,
    private readonly spec: WatchSpec,
    checkpoint: WatchCheckpoint | undefined,
    private readonly ctx: ReadContext,
  ) {
    this.taken = new Set(checkpoint?.taken ?? []);
    this.pending = new Map((checkpoint?.pending ?? []).map(([f, size, mtime]) => [f, { size, mtime }]));
    this.queue = (checkpoint?.queue ?? []).map((q) => ({ ...q }));
    this.lastNewFileAt = checkpoint?.lastNewFileAt ?? Date.now();
    this.wm = checkpoint?.watermark ?? TIMESTAMP_MIN;
    this.listedAt = this.wm;
  }

  /** One listing: new files become pending, pending files unchanged since the last listing become complete. */
  private async list(): Promise<void> {
    const started = Date.now();
    this.nextListAt = started + this.spec.pollIntervalMillis;
    const files = await matchFiles(this.payload.filePattern, "allow");
    const seen = new Map<string, { size: number; mtime: number }>();
    for (const f of files) {
      if (this.taken.has(f.path)) continue;
      let st;
      try {
        st = await fsp.stat(f.path, { bigint: true });
      } catch {
        continue; // removed since the match: not seen
      }
      // Whole milliseconds, floored from the nanoseconds (mtimeMs, a double, may round up; Java's FileTime floors).
      seen.set(f.path, { size: Number(st.size), mtime: Number(st.mtimeNs / 1_000_000n) });
    }
    const complete: FileToRead[] = [];
    for (const [file, now] of seen) {
      const before = this.pending.get(file);
      if (!before) this.lastNewFileAt = started;
      else if (before.size === now.size && before.mtime === now.mtime) complete.push({ file, size: now.size, mtime: now.mtime, offset: 0 });
    }
    this.pending.clear();
    for (const [file, s] of seen) this.pending.set(file, s);
    // The file being read (offset past 0) stays first; the others in time order.
    const reading = this.queue.length > 0 && this.queue[0]!.offset > 0 ? this.queue.shift() : undefined;
    for (const c of complete) {
      this.pending.delete(c.file);
      this.taken.add(c.file);
      this.queue.push(c);
    }
    this.queue.sort(byTimeThenPath);
    if (reading) this.queue.unshift(reading);
    this.listedAt = started - MTIME_SLACK_MS;
    this.advanceWatermark();
  }

  private advanceWatermark(): void {
    let w = this.listedAt;
    for (const p of this.pending.values()) w = Math.min(w, p.mtime);
    for (const q of this.queue) w = Math.min(w, q.mtime);
    this.wm = Math.max(this.wm, w);
  }

  /** The lines of the next piece of the first queued file. */
  private async readSome(): Promise<Array<{ value: unknown; timestamp: number }>> {
    const f = this.queue[0]!;
    const compression: FileCompression = compressionOf(f.file, this.payload.compression ?? "auto");
    const out: Array<{ value: unknown; timestamp: number }> = [];
    const emit = (line: string) => out.push({ value: line, timestamp: f.mtime });
    const end = compression === "uncompressed" ? Math.min(f.size, f.offset + WATCH_READ_BYTES) : f.size;
    if (f.size > 0 && f.offset < f.size) {
      let r;
      try {
        r = await readTextSplit({ file: f.file, start: f.offset, end, compression }, emit);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`${this.ctx.transform}: cannot read ${f.file}: ${(e as Error).message}`);
        r = { lines: 0, bytes: 0, invalidLines: 0 }; // removed before it was read: nothing to read
        out.length = 0;
      }
      if (r.invalidLines) this.ctx.metrics.inc(metricKey(INVALID_UTF8_LINES), r.invalidLines);
      this.ctx.metrics.inc(metricKey(BYTES_READ), r.bytes);
    }
    f.offset = end;
    if (f.offset >= f.size) {
      this.queue.shift();
      this.advanceWatermark();
    }
    return out;
  }

  private stopNow(now: number): boolean {
    const stop = this.spec.stopAfterNoNewFilesMillis;
    return stop !== undefined && this.pending.size === 0 && this.queue.length === 0 && now - this.lastNewFileAt >= stop;
  }

  async poll(maxWaitMs: number): Promise<{ elements: Array<{ value: unknown; timestamp: number }>; done: boolean }> {
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    for (;;) {
      if (this.closed || this.ended) return { elements: [], done: true };
      if (Date.now() >= this.nextListAt) await this.list();
      if (this.queue.length > 0) {
        const elements = await this.readSome();
        if (elements.length > 0 || this.queue.length > 0) return { elements, done: false };
        continue;
      }
      const now = Date.now();
      if (this.stopNow(now)) {
        this.ended = true;
        return { elements: [], done: true };
      }
      const wait = Math.min(deadline, this.nextListAt) - now;
      if (now >= deadline) return { elements: [], done: false };
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, wait);
        });
        this.timer = undefined;
        this.wake = undefined;
      }
    }
  }

  watermark(): number {
    return this.ended ? TIMESTAMP_MAX : this.wm;
  }

  checkpoint(): WatchCheckpoint {
    return {
      taken: [...this.taken],
      pending: [...this.pending].map(([f, s]) => [f, s.size, s.mtime] as [string, number, number]),
      queue: this.queue.map((q) => ({ ...q })),
      lastNewFileAt: this.lastNewFileAt,
      watermark: this.wm,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }
}

export const watchSource: UnboundedSourceImpl = {
  unbounded: true,
  async split(payload: TextReadPayload): Promise<SourceSplit[]> {
    if (!watchOf(payload)) throw new Error("TextIO.Read without watchForNewFiles is a bounded source");
    // One reader lists the pattern and reads the files (Beam's Watch is one reader per pattern too).
    return [{ watch: payload.filePattern }];
  },
  async open(payload: TextReadPayload, _split: SourceSplit, checkpoint: unknown, ctx: ReadContext): Promise<UnboundedReader> {
    const spec = watchOf(payload);
    if (!spec || !(spec.pollIntervalMillis > 0)) throw new Error(`${ctx.transform}: TextIO.Read's watch needs a positive poll interval`);
    return new WatchReader(payload, spec, checkpoint as WatchCheckpoint | undefined, ctx);
  },
};

registerUnboundedSource(Urns.TEXT_READ, watchSource);
