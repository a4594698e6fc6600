/**
 * Runs: what a shuffle's writing half hands over instead of its data. A run is a sequence
 * of record-aligned chunks, either held in memory (small ones) or framed in a spill file
 * (`[u32 BE length][chunk]`, one after another, from `offset` for `length` bytes). A
 * sorted run (GroupByKey, lifted combines) holds shuffle records ordered by key then
 * window (see order.ts); a reshuffle's runs hold encoded WindowedValues in write order.
 * Runs are small to send: the coordinator keeps references, never the spilled data.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";

export type ShuffleRun =
  | { kind: "memory"; chunks: Uint8Array[]; records: number; bytes: number }
  | { kind: "file"; path: string; offset: number; length: number; records: number; bytes: number };

/** Bytes a frame's header takes. */
const HEADER = 4;

/** Calls f with each chunk of the run, in order (a file run's chunks are read one at a time). */
export function forEachRunChunk(run: ShuffleRun, f: (chunk: Uint8Array) => void): void {
  if (run.kind === "memory") {
    for (const c of run.chunks) f(c);
    return;
  }
  const reader = new RunReader(run);
  try {
    for (let c = reader.next(); c !== undefined; c = reader.next()) f(c);
  } finally {
    reader.close();
  }
}

/**
 * Reads a run's chunks one at a time; a file run keeps one chunk in memory and no file open
 * between chunks (a partition may have more runs than a process may open files).
 */
export class RunReader {
  private pos: number;
  private end: number;
  private index = 0;
  private readonly header = Buffer.alloc(HEADER);

  constructor(private readonly run: ShuffleRun) {
    this.pos = run.kind === "file" ? run.offset : 0;
    this.end = run.kind === "file" ? run.offset + run.length : 0;
  }

  /** The next chunk, or undefined at the run's end. A chunk stays valid after later calls. */
  next(): Uint8Array | undefined {
    const run = this.run;
    if (run.kind === "memory") return run.chunks[this.index++];
    if (this.pos >= this.end) return undefined;
    const fd = openRun(run.path);
    try {
      readFully(fd, this.header, this.pos, run.path);
      const n = this.header.readUInt32BE(0);
      if (n === 0 || this.pos + HEADER + n > this.end) throw new Error(`spill file ${run.path} is corrupt: a chunk of ${n} bytes at offset ${this.pos} passes the run's end (${this.end})`);
      const chunk = new Uint8Array(n);
      readFully(fd, chunk, this.pos + HEADER, run.path);
      this.pos += HEADER + n;
      return chunk;
    } finally {
      closeSync(fd);
    }
  }

  /** Nothing stays open between chunks; kept for readers that stop early. */
  close(): void {}
}

function openRun(path: string): number {
  try {
    return openSync(path, "r");
  } catch (e) {
    throw new Error(`cannot read the spill file ${path} (removed when its run ended?): ${(e as Error).message}`);
  }
}

function readFully(fd: number, into: Uint8Array, at: number, path: string): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, at + done);
    if (n === 0) throw new Error(`spill file ${path} is truncated at offset ${at + done}`);
    done += n;
  }
}

/**
 * A spill file being written: each `beginRun` … `endRun` encloses one run's frames. Opened
 * with "wx" inside the run's spill directory, which only the coordinator creates: once the
 * run ended and the directory is gone, a writer left behind fails instead of re-creating it.
 */
export class SpillFile {
  private readonly fd: number;
  private length = 0;
  private runStart = 0;
  private runRecords = 0;
  private runBytes = 0;
  private readonly header = Buffer.alloc(HEADER);

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, "wx");
    } catch (e) {
      throw new Error(`cannot create the spill file ${path}: ${(e as Error).message}`);
    }
  }

  beginRun(): void {
    this.runStart = this.length;
    this.runRecords = 0;
    this.runBytes = 0;
  }

  /** Appends one record-aligned chunk holding `records` records. */
  chunk(bytes: Uint8Array, records: number): void {
    if (bytes.length === 0) return;
    this.header.writeUInt32BE(bytes.length, 0);
    this.write(this.header);
    this.write(bytes);
    this.runRecords += records;
    this.runBytes += bytes.length;
  }

  endRun(): ShuffleRun {
    return { kind: "file", path: this.path, offset: this.runStart, length: this.length - this.runStart, records: this.runRecords, bytes: this.runBytes };
  }

  close(): void {
    closeSync(this.fd);
  }

  private write(b: Uint8Array): void {
    let done = 0;
    while (done < b.length) {
      done += writeSync(this.fd, b, done, b.length - done, this.length + done);
    }
    this.length += b.length;
  }
}

/** Records and bytes over runs. */
export function runsSize(runs: ShuffleRun[]): { records: number; bytes: number } {
  let records = 0;
  let bytes = 0;
  for (const r of runs) {
    records += r.records;
    bytes += r.bytes;
  }
  return { records, bytes };
}
