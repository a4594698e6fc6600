import { ByteReader, type ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";

/**
 * Beam's LengthPrefixCoder (`beam:coder:length_prefix:v1`): varint byte length, then the
 * inner coder's encoding. Lets a reader that does not know the inner coder (the Flink
 * runner's Java side, for JSON, Avro or custom key coders) skip over or compare the value
 * as opaque bytes. `LengthPrefixCoder.of(JsonCoder.of())` of `1` → `02 01 31`.
 */
export class LengthPrefixCoder<T> extends Coder<T> {
  static readonly URN = "beam:coder:length_prefix:v1";
  readonly urn = LengthPrefixCoder.URN;

  constructor(readonly valueCoder: Coder<T>) {
    super();
  }

  static of<T>(valueCoder: Coder<T>): LengthPrefixCoder<T> {
    return new LengthPrefixCoder(valueCoder);
  }

  encode(value: T, out: ByteWriter): void {
    // Encode in place, then put the length in front (no intermediate buffer).
    const start = out.length;
    this.valueCoder.encode(value, out);
    out.insertVarUint(start, out.length - start);
  }

  decode(input: ByteReader): T {
    const n = input.varUint("the length prefix of a LengthPrefixCoder");
    if (input.pos + n > input.end) input.bytes(n, `a ${n}-byte length-prefixed value`); // throws, naming it
    const inner = new ByteReader(input.buf, input.pos, input.pos + n);
    const value = this.valueCoder.decode(inner);
    if (!inner.atEnd()) throw new RangeError(`${this.toString()}: ${inner.remaining()} byte(s) of the ${n}-byte value left after decoding`);
    input.pos += n;
    return value;
  }

  override isDeterministic(): boolean {
    return this.valueCoder.isDeterministic();
  }

  override nonDeterminismReason(): string | undefined {
    const r = this.valueCoder.nonDeterminismReason();
    return r === undefined ? undefined : `the inner coder of ${this.toString()} is not deterministic: ${r}`;
  }

  override components(): Coder<unknown>[] {
    return [this.valueCoder];
  }

  /** The prefix is a function of the inner bytes, so the inner structural value serves. */
  override structuralValue(value: T): unknown {
    return this.valueCoder.structuralValue(value);
  }
}

registerCoder(LengthPrefixCoder.URN, (components) => {
  if (components.length !== 1) throw new Error(`${LengthPrefixCoder.URN} needs 1 component coder, got ${components.length}`);
  return new LengthPrefixCoder(components[0]!);
});
