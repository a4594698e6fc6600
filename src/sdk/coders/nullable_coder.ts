import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";

/**
 * Beam's NullableCoder (`beam:coder:nullable:v1`): `00` for null (or undefined), else
 * `01` then the inner coder's encoding. Decodes an absent value as null.
 */
export class NullableCoder<T> extends Coder<T | null | undefined> {
  static readonly URN = "beam:coder:nullable:v1";
  readonly urn = NullableCoder.URN;

  constructor(readonly valueCoder: Coder<T>) {
    super();
  }

  static of<T>(valueCoder: Coder<T>): NullableCoder<T> {
    return valueCoder instanceof NullableCoder ? (valueCoder as NullableCoder<T>) : new NullableCoder(valueCoder);
  }

  encode(value: T | null | undefined, out: ByteWriter): void {
    if (value === null || value === undefined) {
      out.byte(0);
    } else {
      out.byte(1);
      this.valueCoder.encode(value, out);
    }
  }

  decode(input: ByteReader): T | null {
    const b = input.byte("the null marker of a NullableCoder");
    if (b === 0) return null;
    if (b !== 1) throw new RangeError(`${this.toString()}: null marker 0x${b.toString(16).padStart(2, "0")} at offset ${input.pos - 1} is neither 00 nor 01`);
    return this.valueCoder.decode(input);
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

  /** null for an absent value, else the inner coder's (never-null) structural value. */
  override structuralValue(value: T | null | undefined): unknown {
    if (value === null || value === undefined) return null;
    const s = this.valueCoder.structuralValue(value);
    if (s === null || s === undefined) return "\uDFFE" + (super.structuralValue(value) as string);
    return s;
  }
}

registerCoder(NullableCoder.URN, (components) => {
  if (components.length !== 1) throw new Error(`${NullableCoder.URN} needs 1 component coder, got ${components.length}`);
  return new NullableCoder(components[0]!);
});
