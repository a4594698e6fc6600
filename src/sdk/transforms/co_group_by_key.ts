import { registerKnown } from "../../graph/functions/known_objects.js";
import type { ByteReader, ByteWriter } from "../coders/byte_io.js";
import { Coder, registerCoder } from "../coders/coder.js";
import { KvCoder } from "../coders/index.js";
import { UnionCoder, type RawUnionValue } from "../coders/union_coder.js";
import { PCollection, PCollectionList } from "../pcollection.js";
import type { Pipeline } from "../pipeline.js";
import { KV } from "../values/kv.js";
import { TupleTag } from "../values/tuple_tag.js";
import { DoFn, type ProcessContext } from "./do_fn.js";
import { expandParDo } from "./par_do.js";
import { Flatten } from "./flatten.js";
import { GroupByKey, checkKeyCoder, kvCoders } from "./group_by_key.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";

/** The values of one key from each CoGroupByKey input, by TupleTag. */
export class CoGbkResult {
  constructor(readonly tags: readonly string[], readonly values: readonly unknown[][]) {}
  private index(tag: TupleTag<unknown> | string): number {
    const id = typeof tag === "string" ? tag : tag.id;
    const i = this.tags.indexOf(id);
    if (i < 0) throw new Error(`CoGbkResult has no tag '${id}' (tags: ${this.tags.join(", ")})`);
    return i;
  }
  getAll<V>(tag: TupleTag<V> | string): V[] {
    return this.values[this.index(tag as TupleTag<unknown>)] as V[];
  }
  /** The one value for this tag; the default (or an error) when there is none or more than one. */
  getOnly<V>(tag: TupleTag<V> | string, ...defaultValue: [V?]): V {
    const vs = this.getAll(tag);
    if (vs.length === 1) return vs[0]!;
    if (vs.length === 0 && defaultValue.length > 0) return defaultValue[0] as V;
    throw new Error(`CoGbkResult.getOnly('${typeof tag === "string" ? tag : tag.id}'): expected one value, found ${vs.length}`);
  }
  toJSON(): Record<string, unknown[]> {
    return Object.fromEntries(this.tags.map((t, i) => [t, this.values[i]!]));
  }
}

/** Encodes a CoGbkResult as one iterable per tag, in tag order. */
export class CoGbkResultCoder extends Coder<CoGbkResult> {
  readonly urn = "flowbook:coder:cogbk_result:v1";
  constructor(readonly tags: string[], readonly valueCoders: Coder<unknown>[]) { super(); }
  encode(r: CoGbkResult, out: ByteWriter): void {
    for (let i = 0; i < this.tags.length; i++) {
      const vs = r.values[i] ?? [];
      out.int32BE(vs.length);
      for (const v of vs) this.valueCoders[i]!.encode(v, out);
    }
  }
  decode(input: ByteReader): CoGbkResult {
    const values = this.tags.map((_, i) => {
      const n = input.int32BE();
      const vs: unknown[] = [];
      for (let j = 0; j < n; j++) vs.push(this.valueCoders[i]!.decode(input));
      return vs;
    });
    return new CoGbkResult(this.tags, values);
  }
  override isDeterministic(): boolean { return false; }
  override nonDeterminismReason(): string { return "the order of grouped values is not defined"; }
  override components(): Coder<unknown>[] { return this.valueCoders; }
  override payload(): unknown { return { tags: this.tags }; }
}
registerCoder("flowbook:coder:cogbk_result:v1", (c, p) => new CoGbkResultCoder((p as { tags: string[] }).tags, c));

export class MakeUnionFn extends DoFn<KV<unknown, unknown>, KV<unknown, RawUnionValue>> {
  constructor(readonly union: number) { super(); }
  processElement(c: ProcessContext<KV<unknown, unknown>, KV<unknown, RawUnionValue>>): void {
    const e = c.element();
    c.output({ key: e.key, value: { union: this.union, value: e.value } });
  }
}

export class ConstructCoGbkResultFn extends DoFn<KV<unknown, RawUnionValue[]>, KV<unknown, CoGbkResult>> {
  constructor(readonly tags: string[]) { super(); }
  processElement(c: ProcessContext<KV<unknown, RawUnionValue[]>, KV<unknown, CoGbkResult>>): void {
    const e = c.element();
    const values: unknown[][] = this.tags.map(() => []);
    for (const u of e.value) values[u.union]!.push(u.value);
    c.output({ key: e.key, value: new CoGbkResult(this.tags, values) });
  }
}

/** CoGroupByKey's input: PCollections of KVs with the same key type, each under a TupleTag. */
export class KeyedPCollectionTuple<K> {
  private constructor(readonly pipeline: Pipeline, readonly entries: ReadonlyArray<[TupleTag<unknown>, PCollection<KV<K, unknown>>]>) {}
  static of<K, V>(tag: TupleTag<V> | string, pc: PCollection<KV<K, V>>): KeyedPCollectionTuple<K> {
    const t = typeof tag === "string" ? new TupleTag<V>(tag) : tag;
    return new KeyedPCollectionTuple<K>(pc.pipeline, [[t as TupleTag<unknown>, pc as PCollection<KV<K, unknown>>]]);
  }
  and<V>(tag: TupleTag<V> | string, pc: PCollection<KV<K, V>>): KeyedPCollectionTuple<K> {
    const t = typeof tag === "string" ? new TupleTag<V>(tag) : tag;
    return new KeyedPCollectionTuple<K>(this.pipeline, [...this.entries, [t as TupleTag<unknown>, pc as PCollection<KV<K, unknown>>]]);
  }
  pcollections(): Array<[string, PCollection<unknown>]> {
    return this.entries.map(([t, pc]) => [t.id, pc as PCollection<unknown>]);
  }
  apply<O>(transform: PTransform<KeyedPCollectionTuple<K>, O>): O;
  apply<O>(name: string, transform: PTransform<KeyedPCollectionTuple<K>, O>): O;
  apply<O>(a: string | PTransform<KeyedPCollectionTuple<K>, O>, b?: PTransform<KeyedPCollectionTuple<K>, O>): O {
    return typeof a === "string" ? this.pipeline.applyTransform(a, b!, this) : this.pipeline.applyTransform(undefined, a, this);
  }
}

/** Joins several keyed PCollections: KV<K, CoGbkResult> per key and window. */
export class CoGroupByKey<K> extends PTransform<KeyedPCollectionTuple<K>, PCollection<KV<K, CoGbkResult>>> {
  static create<K>(): CoGroupByKey<K> {
    return new CoGroupByKey<K>();
  }
  override defaultName(): string { return "CoGroupByKey"; }
  expand(input: KeyedPCollectionTuple<K>): PCollection<KV<K, CoGbkResult>> {
    if (!(input instanceof KeyedPCollectionTuple)) throw new TransformApplicationError("CoGroupByKey must be applied to a KeyedPCollectionTuple");
    if (input.entries.length === 0) throw new TransformApplicationError("CoGroupByKey needs at least one input");
    const tags = input.entries.map(([t]) => t.id);
    const coders = input.entries.map(([, pc]) => kvCoders(pc as PCollection<unknown>));
    const name = input.pipeline.currentTransformName();
    for (const [, pc] of input.entries) checkKeyCoder(pc as PCollection<unknown>, name);
    const unionCoder = UnionCoder.of(coders.map((c) => c.value));
    const unionKv = KvCoder.of(coders[0]!.key, unionCoder);
    const tagged = input.entries.map(([, pc], i) =>
      pc.apply(`MakeUnionTable${i}`, new MakeUnion(i)).setCoder(unionKv as never) as PCollection<KV<K, RawUnionValue>>,
    );
    const grouped = PCollectionList.of(tagged).apply("Flatten", Flatten.pCollections()).apply("GBK", GroupByKey.create<K, RawUnionValue>());
    const resultCoder = KvCoder.of(coders[0]!.key, new CoGbkResultCoder(tags, coders.map((c) => c.value)));
    return grouped.apply("ConstructCoGbkResultFn", new ConstructResult<K>(tags)).setCoder(resultCoder as never);
  }
}

class MakeUnion<K> extends PTransform<PCollection<KV<K, unknown>>, PCollection<KV<K, RawUnionValue>>> {
  constructor(readonly union: number) { super(); }
  expand(input: PCollection<KV<K, unknown>>): PCollection<KV<K, RawUnionValue>> {
    return expandParDo(input, new MakeUnionFn(this.union) as DoFn<KV<K, unknown>, unknown>).get("main") as PCollection<KV<K, RawUnionValue>>;
  }
}
class ConstructResult<K> extends PTransform<PCollection<KV<K, RawUnionValue[]>>, PCollection<KV<K, CoGbkResult>>> {
  constructor(readonly tags: string[]) { super(); }
  expand(input: PCollection<KV<K, RawUnionValue[]>>): PCollection<KV<K, CoGbkResult>> {
    return expandParDo(input, new ConstructCoGbkResultFn(this.tags) as unknown as DoFn<KV<K, RawUnionValue[]>, unknown>).get("main") as PCollection<KV<K, CoGbkResult>>;
  }
}

registerKnown("flowbook.MakeUnionFn", MakeUnionFn);
registerKnown("flowbook.ConstructCoGbkResultFn", ConstructCoGbkResultFn);
registerKnown("flowbook.CoGbkResult", CoGbkResult);
registerKnown("flowbook.CoGbkResultCoder", CoGbkResultCoder);
