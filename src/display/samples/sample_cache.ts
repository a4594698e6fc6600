/**
 * The session's computed PCollections: encoded samples keyed by the runner and the
 * fingerprint of the PCollection's ancestors, least recently used dropped first once their
 * bytes pass the bound. Each entry also has an identity (the runner and the PCollection's
 * full name): a new fingerprint for an identity means an upstream cell was run again, so
 * the old entry can never be asked for and goes at once.
 */
import type { EncodedSample } from "../interactive/services.js";
import { prefixOf, type EncodedElements } from "./encoded_sample.js";

export interface CacheEntry {
  key: string;
  identity: string;
  encoded: EncodedElements;
  bytes: number;
}

/** What an entry costs: its latin1 string (one byte a character in V8) and its offsets. */
export function entryBytes(encoded: EncodedElements, key: string, identity: string): number {
  return encoded.sample.latin1.length + 8 * encoded.ends.length + 2 * (key.length + identity.length) + 128;
}

export class SampleCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  private readonly entries = new Map<string, CacheEntry>();
  private readonly byIdentity = new Map<string, string>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }
  get bytes(): number {
    return this.total;
  }

  /** The first `n` elements, if this entry holds them (or holds all there are). */
  get(key: string, n: number): EncodedSample | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const { sample } = e.encoded;
    if (sample.count < n && sample.truncated) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return { ...prefixOf(e.encoded, n), cached: true };
  }

  /** The key cached for an identity, if any. */
  keyOf(identity: string): string | undefined {
    return this.byIdentity.get(identity);
  }

  identities(): IterableIterator<[identity: string, key: string]> {
    return this.byIdentity.entries();
  }

  /** Stores a sample (replacing a smaller one of the same key, and any other fingerprint of its identity). */
  put(key: string, identity: string, encoded: EncodedElements): void {
    this.delete(key);
    const other = this.byIdentity.get(identity);
    if (other !== undefined) this.delete(other);
    const bytes = entryBytes(encoded, key, identity);
    if (bytes > this.maxBytes) return; // would evict everything and still not fit
    this.entries.set(key, { key, identity, encoded, bytes });
    this.byIdentity.set(identity, key);
    this.total += bytes;
    for (const [k] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.delete(k);
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.bytes;
    if (this.byIdentity.get(e.identity) === key) this.byIdentity.delete(e.identity);
  }
}
