import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { notA } from "./describe.js";

/**
 * Beam's IterableCoder (`beam:coder:iterable:v1`): int32 big-endian count, then each
 * element. `["a", "b"]` with StringUtf8Coder → `00 00 00 02 01 61 01 62`.
 *
 * Encodes any iterable (arrays fastest) and always writes the count. Decodes to an array,
 * and also reads Beam's form for iterables of unknown size that a Java side may send:
 * count -1 (`ff ff ff ff`), then blocks of (varint n, n elements) ending with a varint 0.
 */
export class IterableCoder<T> extends Coder<Iterable<T>> {
  static readonly URN = "beam:coder:iterable:v1";
  readonly urn = IterableCoder.URN;

  constructor(readonly elementCoder: Coder<T>) {
    super();
  }

  static of<T>(elementCoder: Coder<T>): IterableCoder<T> {
    return new IterableCoder(elementCoder);
  }

  encode(value: Iterable<T>, out: ByteWriter): void {
    const items: readonly T[] = Array.isArray(value) ? value : toArray(value, this);
    const n = items.length;
    if (n > 0x7fffffff) throw new RangeError(`${this.toString()}: ${n} elements do not fit an int32 count`);
    out.int32BE(n);
    const c = this.elementCoder;
    for (let i = 0; i < n; i++) c.encode(items[i]!, out);
  }

  decode(input: ByteReader): T[] {
    const n = input.int32BE("the element count of an iterable");
    const c = this.elementCoder;
    if (n >= 0) {
      // Each element takes at least 0 bytes, so n is not bounded by the input; grow as we go.
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(c.decode(input));
      return out;
    }
    if (n !== -1) throw new RangeError(`${this.toString()}: bad element count ${n} at offset ${input.pos - 4}`);
    const out: T[] = [];
    for (;;) {
      const block = input.varInt64("the block size of an iterable of unknown size");
      if (typeof block !== "number" || block < 0) throw new RangeError(`${this.toString()}: bad block size ${block}`);
      if (block === 0) return out;
      for (let i = 0; i < block; i++) out.push(c.decode(input));
    }
  }

  override isDeterministic(): boolean {
    return this.elementCoder.isDeterministic();
  }

  override nonDeterminismReason(): string | undefined {
    const r = this.elementCoder.nonDeterminismReason();
    return r === undefined ? undefined : `the element coder of ${this.toString()} is not deterministic: ${r}`;
  }

  override components(): Coder<unknown>[] {
    return [this.elementCoder];
  }
}

function toArray<T>(value: Iterable<T>, coder: Coder<unknown>): T[] {
  if (value === null || value === undefined || typeof (value as Iterable<T>)[Symbol.iterator] !== "function") {
    throw notA("an iterable", value, coder);
  }
  return Array.from(value);
}

registerCoder(IterableCoder.URN, (components) => {
  if (components.length !== 1) throw new Error(`${IterableCoder.URN} needs 1 component coder, got ${components.length}`);
  return new IterableCoder(components[0]!);
});
