/**
 * The runtime of TextIO.read() (`flowbook:transform:textio_read:v1`): splits matched
 * files into byte ranges and streams each range's lines. See docs/io.md for the payload.
 */
import { createReadStream, promises as fsp } from "node:fs";
import { pipeline } from "node:stream";
import { Urns } from "../../graph/types.js";
import { registerSource, type BoundedSourceImpl, type ReadContext, type SourceSplit } from "../registry.js";
import { compressionOf, decompressor, type CompressionName, type FileCompression } from "../filesystem/compression.js";
import { matchFiles, type EmptyMatchTreatment, type MatchedFile } from "../filesystem/match.js";
import { LineSplitter } from "./line_splitter.js";

/** TextIO.read()'s payload (JSON). */
export interface TextReadPayload {
  /** Absolute glob, resolved against the working directory when the transform was applied. */
  filePattern: string;
  /** "auto" (by extension: .gz, .deflate), "uncompressed", "gzip" or "deflate". */
  compression: CompressionName;
  /** "disallow" (default): a pattern matching no file fails the run. */
  emptyMatch: EmptyMatchTreatment;
  /**
   * watchForNewFiles: an unbounded read that lists the pattern every `pollIntervalMillis` and
   * reads each new file once (watch_source.ts); ends once no new file came for
   * `stopAfterNoNewFilesMillis`, if given.
   */
  watch?: { pollIntervalMillis: number; stopAfterNoNewFilesMillis?: number };
}

/** One piece of the input: bytes [start, end) of an uncompressed file, or a whole compressed file. */
export interface TextSplit extends SourceSplit {
  file: string;
  start: number;
  /** Exclusive; for compressed files the compressed size (the whole file is read). */
  end: number;
  compression: FileCompression;
}

/** Metric namespace of the IO counters. */
export const IO_METRICS_NAMESPACE = "flowbook.io";
/** Counter: lines that had invalid UTF-8 (decoded with U+FFFD replacement characters). */
export const INVALID_UTF8_LINES = "invalidUtf8Lines";
/** Counter: bytes of lines read (uncompressed bytes for compressed files). */
export const BYTES_READ = "bytesRead";

/** Splits smaller than this are not made (a file is read whole below 2× this size). */
export const MIN_SPLIT_BYTES = 64 * 1024;
/** How much is read at a time. */
export const READ_CHUNK_BYTES = 2 * 1024 * 1024;

function metricKey(name: string): string {
  return IO_METRICS_NAMESPACE + "\u0000" + name;
}

async function matched(payload: TextReadPayload): Promise<MatchedFile[]> {
  if (!payload || typeof payload.filePattern !== "string") throw new Error("TextIO.Read payload has no filePattern");
  if (payload.watch) throw new Error("this runner reads text files once (TextIO.read() without watchForNewFiles); watching for new files needs a streaming run");
  return matchFiles(payload.filePattern, payload.emptyMatch ?? "disallow");
}

/** Splits files into about `desired` byte ranges in all (uncompressed files only; one split per compressed file). */
export function splitFiles(files: MatchedFile[], configured: CompressionName, desired: number): TextSplit[] {
  const total = files.reduce((s, f) => s + f.size, 0);
  const target = Math.max(MIN_SPLIT_BYTES, Math.ceil(total / Math.max(1, Math.floor(desired) || 1)));
  const out: TextSplit[] = [];
  for (const f of files) {
    const compression = compressionOf(f.path, configured);
    if (compression !== "uncompressed" || f.size <= target) {
      out.push({ file: f.path, start: 0, end: f.size, compression });
      continue;
    }
    const n = Math.ceil(f.size / target);
    for (let i = 0; i < n; i++) {
      const start = Math.floor((f.size * i) / n);
      const end = Math.floor((f.size * (i + 1)) / n);
      out.push({ file: f.path, start, end, compression });
    }
  }
  return out;
}

/** Reads the lines of one split, calling emit per line. Returns the splitter's counts. */
export async function readTextSplit(
  split: TextSplit,
  emit: (line: string) => void,
  options: { chunkSize?: number } = {},
): Promise<{ lines: number; bytes: number; invalidLines: number }> {
  const chunk = Math.max(16, options.chunkSize ?? READ_CHUNK_BYTES);
  if (split.compression === "uncompressed") {
    const splitter = new LineSplitter(emit, { start: split.start, end: split.end, chunkSize: chunk });
    if (!splitter.done) {
      const fh = await fsp.open(split.file, "r");
      try {
        let pos = splitter.readOffset;
        while (!splitter.done) {
          // Up to the range's end (plus a little for the line crossing it), then small reads.
          const want = pos < split.end ? Math.min(chunk, split.end - pos + 4096) : Math.min(chunk, 64 * 1024);
          const space = splitter.space(want);
          const { bytesRead } = await fh.read(space.buffer, space.offset, Math.min(want, space.length), pos);
          if (bytesRead === 0) {
            splitter.end();
            break;
          }
          pos += bytesRead;
          splitter.commit(bytesRead);
        }
      } finally {
        await fh.close();
      }
    }
    return { lines: splitter.lines, bytes: splitter.bytesEmitted, invalidLines: splitter.invalidLines };
  }

  const splitter = new LineSplitter(emit, { chunkSize: chunk });
  if (split.end === 0) return { lines: 0, bytes: 0, invalidLines: 0 }; // an empty file, even if named .gz
  const input = createReadStream(split.file, { highWaterMark: Math.min(chunk, 1 << 20) });
  const inflate = decompressor(split.compression);
  const stream = pipeline(input, inflate, () => {});
  let emitFailed = false;
  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      emitFailed = true; // an error thrown from here on comes from emit (downstream code)
      const done = splitter.push(data);
      emitFailed = false;
      if (done) break;
    }
  } catch (e) {
    if (emitFailed) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot read ${split.file} as ${split.compression}: ${msg}`);
  } finally {
    input.destroy();
    inflate.destroy();
  }
  splitter.end();
  return { lines: splitter.lines, bytes: splitter.bytesEmitted, invalidLines: splitter.invalidLines };
}

export const textSource: BoundedSourceImpl = {
  async split(payload: TextReadPayload, desired: number): Promise<SourceSplit[]> {
    const files = await matched(payload);
    return splitFiles(files, payload.compression ?? "auto", desired);
  },

  async read(_payload: TextReadPayload, split: SourceSplit, emit: (value: unknown) => void, ctx: ReadContext): Promise<void> {
    if (typeof (split as TextSplit).file !== "string") return; // the runner's placeholder when nothing matched (emptyMatch "allow")
    const r = await readTextSplit(split as TextSplit, emit);
    if (r.invalidLines) ctx.metrics.inc(metricKey(INVALID_UTF8_LINES), r.invalidLines);
    ctx.metrics.inc(metricKey(BYTES_READ), r.bytes);
  },

  async estimateSize(payload: TextReadPayload): Promise<number> {
    const files = await matched(payload);
    return files.reduce((s, f) => s + f.size, 0);
  },
};

registerSource(Urns.TEXT_READ, textSource);
