import { registerKnown } from "../../graph/functions/known_objects.js";
import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";

/** A value tagged with the index of the CoGroupByKey input it came from. */
export interface RawUnionValue {
  union: number;
  value: unknown;
}

/** Encodes a RawUnionValue as a varint index then the value with that input's coder. */
export class UnionCoder extends Coder<RawUnionValue> {
  readonly urn = "flowbook:coder:union:v1";
  constructor(readonly elementCoders: Coder<unknown>[]) { super(); }
  static of(coders: Coder<unknown>[]): UnionCoder { return new UnionCoder(coders); }
  encode(v: RawUnionValue, out: ByteWriter): void {
    const c = this.elementCoders[v.union];
    if (!c) throw new RangeError(`union index ${v.union} out of range (${this.elementCoders.length} inputs)`);
    out.varUint(v.union);
    c.encode(v.value, out);
  }
  decode(input: ByteReader): RawUnionValue {
    const union = input.varUint();
    const c = this.elementCoders[union];
    if (!c) throw new RangeError(`union index ${union} out of range (${this.elementCoders.length} inputs)`);
    return { union, value: c.decode(input) };
  }
  override isDeterministic(): boolean { return this.elementCoders.every((c) => c.isDeterministic()); }
  override components(): Coder<unknown>[] { return this.elementCoders; }
}

registerCoder("flowbook:coder:union:v1", (components) => new UnionCoder(components));
registerKnown("flowbook.UnionCoder", UnionCoder);
