import type { KV } from "../values/kv.js";
import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { notA } from "./describe.js";
import { structuralPart } from "./structural.js";

/**
 * Beam's KvCoder (`beam:coder:kv:v1`): the key's encoding, then the value's.
 * `KV("a", 1)` with (StringUtf8Coder, VarLongCoder) → `01 61 01`.
 * Values are `{ key, value }` objects. Deterministic when both components are.
 */
export class KvCoder<K, V> extends Coder<KV<K, V>> {
  static readonly URN = "beam:coder:kv:v1";
  readonly urn = KvCoder.URN;

  constructor(readonly keyCoder: Coder<K>, readonly valueCoder: Coder<V>) {
    super();
  }

  static of<K, V>(keyCoder: Coder<K>, valueCoder: Coder<V>): KvCoder<K, V> {
    return new KvCoder(keyCoder, valueCoder);
  }

  encode(value: KV<K, V>, out: ByteWriter): void {
    if (value === null || typeof value !== "object") throw notA("a KV ({ key, value })", value, this);
    this.keyCoder.encode(value.key, out);
    this.valueCoder.encode(value.value, out);
  }

  decode(input: ByteReader): KV<K, V> {
    const key = this.keyCoder.decode(input);
    const value = this.valueCoder.decode(input);
    return { key, value };
  }

  override isDeterministic(): boolean {
    return this.keyCoder.isDeterministic() && this.valueCoder.isDeterministic();
  }

  override nonDeterminismReason(): string | undefined {
    const k = this.keyCoder.nonDeterminismReason();
    if (k !== undefined) return `the key coder of ${this.toString()} is not deterministic: ${k}`;
    const v = this.valueCoder.nonDeterminismReason();
    if (v !== undefined) return `the value coder of ${this.toString()} is not deterministic: ${v}`;
    return undefined;
  }

  override components(): Coder<unknown>[] {
    return [this.keyCoder, this.valueCoder];
  }

  /** The components' structural values joined into one string, or "#" + the bytes. */
  override structuralValue(value: KV<K, V>): unknown {
    const k = structuralPart(this.keyCoder.structuralValue(value.key));
    if (k !== undefined) {
      const v = structuralPart(this.valueCoder.structuralValue(value.value));
      if (v !== undefined) return k + v;
    }
    return "#" + (super.structuralValue(value) as string);
  }
}

registerCoder(KvCoder.URN, (components) => {
  if (components.length !== 2) throw new Error(`${KvCoder.URN} needs 2 component coders, got ${components.length}`);
  return new KvCoder(components[0]!, components[1]!);
});
