import { ByteWriter } from "../../sdk/coders/byte_io.js";

/**
 * Encoded records gathered into chunks of about `chunkBytes`, so data crosses
 * threads as a few large transferable buffers instead of many small ones.
 */
export class ChunkedOutput {
  readonly chunks: Uint8Array[] = [];
  readonly writer = new ByteWriter(64 * 1024);
  count = 0;

  constructor(private readonly chunkBytes = 1 << 20) {}

  /** Call after writing one record to `writer`. */
  endRecord(): void {
    this.count++;
    if (this.writer.length >= this.chunkBytes) this.flush();
  }

  flush(): void {
    if (this.writer.length > 0) {
      this.chunks.push(this.writer.toBytes());
      this.writer.reset();
    }
  }

  take(): Uint8Array[] {
    this.flush();
    return this.chunks.splice(0);
  }
}

/** FNV-1a over bytes: the partition of a key's encoding. */
export function hashBytes(b: Uint8Array, start = 0, end = b.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
