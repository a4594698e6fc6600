/**
 * The runtime of TextIO.write() (`flowbook:transform:textio_write:v1`): each element (a
 * string) becomes a line ending in `\n`, UTF-8, in temporary files renamed to sharded
 * names once the pipeline succeeded. See docs/io.md for the payload.
 */
import { gzipSync, deflateSync } from "node:zlib";
import { Urns } from "../../graph/types.js";
import { registerSink } from "../registry.js";
import { fileSink, type FileOutput, type FileSinkPayload, type FormatWriter } from "../filesystem/file_sink.js";
import type { FileCompression } from "../filesystem/compression.js";

export interface TextWritePayload extends FileSinkPayload {
  /** "uncompressed", "gzip" or "deflate" (zlib). The suffix already has ".gz"/".deflate" if wanted. */
  compression: FileCompression;
  /** Written (plus "\n") at the start of every shard; null for none. */
  header: string | null;
  /** Written (plus "\n") at the end of every shard; null for none. */
  footer: string | null;
}

/** Characters buffered before a write (about 1 MiB of ASCII). */
const FLUSH_CHARS = 1 << 20;
/** Compressed output is compressed in pieces this large (each a gzip member / zlib stream flush). */
const COMPRESS_CHARS = 8 << 20;

class TextWriter implements FormatWriter {
  private pending = "";
  private readonly limit: number;
  private readonly encode: (s: string) => Uint8Array;

  constructor(private readonly payload: TextWritePayload, private readonly out: FileOutput, private readonly name: string) {
    const c = payload.compression ?? "uncompressed";
    if (c === "uncompressed") {
      this.limit = FLUSH_CHARS;
      this.encode = (s) => Buffer.from(s, "utf8");
    } else if (c === "gzip") {
      // Each flush is one gzip member; readers (gunzip, Java's GZIPInputStream, Node) read members in sequence.
      this.limit = COMPRESS_CHARS;
      this.encode = (s) => gzipSync(Buffer.from(s, "utf8"));
    } else if (c === "deflate") {
      // One zlib stream per file: buffer the whole shard (deflate has no member concatenation).
      this.limit = Infinity;
      this.encode = (s) => deflateSync(Buffer.from(s, "utf8"));
    } else {
      throw new Error(`${name}: unknown compression ${JSON.stringify(c)}`);
    }
    if (payload.header != null) this.pending = payload.header + "\n";
  }

  write(value: unknown): void {
    if (typeof value !== "string") {
      throw new TypeError(`${this.name} writes strings, got ${describe(value)} (format elements first, e.g. with MapElements.via(x => ...))`);
    }
    this.pending += value;
    this.pending += "\n";
    if (this.pending.length >= this.limit) this.flush();
  }

  finish(): void {
    if (this.payload.footer != null) this.pending += this.payload.footer + "\n";
    this.flush(true);
  }

  private flush(final = false): void {
    // An empty compressed file still gets a valid (empty) gzip member or zlib stream.
    const emptyCompressed = final && this.out.bytes === 0 && (this.payload.compression ?? "uncompressed") !== "uncompressed";
    if (this.pending.length === 0 && !emptyCompressed) return;
    const s = this.pending;
    this.pending = "";
    this.out.write(this.encode(s));
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return `an object (${(v as object).constructor?.name ?? "Object"})`;
  return `a ${typeof v}`;
}

export const textSink = fileSink<TextWritePayload>({
  name: "TextIO.Write",
  open(payload, out) {
    return new TextWriter(payload, out, "TextIO.Write");
  },
});

registerSink(Urns.TEXT_WRITE, textSink);
