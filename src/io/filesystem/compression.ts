/** Compression of files read and written by the file-based IOs. */
import * as zlib from "node:zlib";

/** As given to withCompression(): "auto" picks by file extension when reading. */
export type CompressionName = "auto" | "uncompressed" | "gzip" | "deflate";
/** A file's actual compression. */
export type FileCompression = Exclude<CompressionName, "auto">;

/** Beam's names, for `withCompression(Compression.GZIP)`. */
export const Compression = {
  AUTO: "auto",
  UNCOMPRESSED: "uncompressed",
  GZIP: "gzip",
  DEFLATE: "deflate",
} as const satisfies Record<string, CompressionName>;

const NAMES: Record<string, CompressionName> = {
  auto: "auto",
  uncompressed: "uncompressed",
  none: "uncompressed",
  gzip: "gzip",
  gz: "gzip",
  deflate: "deflate",
  zlib: "deflate",
};

/** Normalizes a user's compression name (case-insensitive; Beam's enum names too). */
export function parseCompression(value: unknown, what: string): CompressionName {
  const name = typeof value === "string" ? NAMES[value.toLowerCase()] : undefined;
  if (!name) {
    throw new Error(`${what}: unknown compression ${JSON.stringify(value)} (use "auto", "uncompressed", "gzip" or "deflate")`);
  }
  return name;
}

/** The compression of one file: "auto" looks at the extension (`.gz` → gzip, `.deflate` → deflate). */
export function compressionOf(file: string, configured: CompressionName): FileCompression {
  if (configured !== "auto") return configured;
  const lower = file.toLowerCase();
  if (lower.endsWith(".gz") || lower.endsWith(".gzip")) return "gzip";
  if (lower.endsWith(".deflate") || lower.endsWith(".zz")) return "deflate";
  return "uncompressed";
}

/** A decompressing transform stream for a compressed file (gzip reads concatenated members too). */
export function decompressor(c: Exclude<FileCompression, "uncompressed">): zlib.Gunzip | zlib.Inflate {
  const opts = { chunkSize: 256 * 1024 };
  return c === "gzip" ? zlib.createGunzip(opts) : zlib.createInflate(opts);
}
