import { registerKnown } from "../../graph/functions/known_objects.js";
import type { Coder } from "../coders/coder.js";
import { GeneralObjectCoder, KvCoder } from "../coders/index.js";
import { PCollection } from "../pcollection.js";
import { installSugar } from "../pipeline.js";
import { KV } from "../values/kv.js";
import { DoFn, type ProcessContext } from "./do_fn.js";
import { expandParDo } from "./par_do.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";

function needFunction(fn: unknown, what: string): void {
  if (typeof fn !== "function") throw new TransformApplicationError(`${what} needs a function, got ${fn === null ? "null" : typeof fn}`);
}

function kvCoderOf(pc: PCollection<unknown>): KvCoder<unknown, unknown> | undefined {
  const c = pc.getCoder();
  return c instanceof KvCoder ? c : undefined;
}

/** A ParDo with a library DoFn and a known output coder: the base of Map, Filter, Keys... */
abstract class ElementWise<I, O> extends PTransform<PCollection<I>, PCollection<O>> {
  abstract doFn(): DoFn<I, O>;
  outputCoder(_input: PCollection<I>): Coder<O> | undefined {
    return undefined;
  }
  expand(input: PCollection<I>): PCollection<O> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError(`${this.defaultName()} must be applied to a PCollection`);
    const fn = this.doFn();
    return expandParDo(input, fn as DoFn<I, unknown>, [], "main", [], () => this.outputCoder(input) ?? GeneralObjectCoder.of()).get("main") as PCollection<O>;
  }
}

export class MapFn<I, O> extends DoFn<I, O> {
  constructor(readonly fn: (e: I) => O) { super(); }
  processElement(c: ProcessContext<I, O>): void { c.output(this.fn(c.element())); }
}
export class FlatMapFn<I, O> extends DoFn<I, O> {
  constructor(readonly fn: (e: I) => Iterable<O>) { super(); }
  processElement(c: ProcessContext<I, O>): void {
    const out = this.fn(c.element());
    if (out == null || typeof (out as Iterable<O>)[Symbol.iterator] !== "function") {
      throw new TypeError(`FlatMapElements function returned ${out === null ? "null" : typeof out}, not an iterable`);
    }
    for (const o of out) c.output(o);
  }
}
export class FilterFn<T> extends DoFn<T, T> {
  constructor(readonly fn: (e: T) => boolean) { super(); }
  processElement(c: ProcessContext<T, T>): void { if (this.fn(c.element())) c.output(c.element()); }
}
export class WithKeysFn<K, V> extends DoFn<V, KV<K, V>> {
  constructor(readonly fn: ((e: V) => K) | undefined, readonly constant: K | undefined) { super(); }
  processElement(c: ProcessContext<V, KV<K, V>>): void {
    const e = c.element();
    c.output({ key: this.fn ? this.fn(e) : (this.constant as K), value: e });
  }
}
export class KeysFn<K> extends DoFn<KV<K, unknown>, K> {
  processElement(c: ProcessContext<KV<K, unknown>, K>): void { c.output(c.element().key); }
}
export class ValuesFn<V> extends DoFn<KV<unknown, V>, V> {
  processElement(c: ProcessContext<KV<unknown, V>, V>): void { c.output(c.element().value); }
}
export class KvSwapFn<K, V> extends DoFn<KV<K, V>, KV<V, K>> {
  processElement(c: ProcessContext<KV<K, V>, KV<V, K>>): void {
    const e = c.element();
    c.output({ key: e.value, value: e.key });
  }
}

class MapElementsT<I, O> extends ElementWise<I, O> {
  constructor(readonly fn: (e: I) => O, private coder?: Coder<O>) { super(); }
  doFn() { return new MapFn(this.fn); }
  override defaultName() { return "Map"; }
  override outputCoder() { return this.coder; }
  /** Sets the output's coder. */
  withOutputCoder(coder: Coder<O>): MapElementsT<I, O> { return new MapElementsT(this.fn, coder); }
}
class FlatMapElementsT<I, O> extends ElementWise<I, O> {
  constructor(readonly fn: (e: I) => Iterable<O>, private coder?: Coder<O>) { super(); }
  doFn() { return new FlatMapFn(this.fn); }
  override defaultName() { return "FlatMap"; }
  override outputCoder() { return this.coder; }
  withOutputCoder(coder: Coder<O>): FlatMapElementsT<I, O> { return new FlatMapElementsT(this.fn, coder); }
}
class FilterT<T> extends ElementWise<T, T> {
  constructor(readonly fn: (e: T) => boolean) { super(); }
  doFn() { return new FilterFn(this.fn); }
  override defaultName() { return "Filter"; }
  override outputCoder(input: PCollection<T>) { return input.getCoder(); }
}
class WithKeysT<K, V> extends ElementWise<V, KV<K, V>> {
  constructor(readonly fn: ((e: V) => K) | undefined, readonly constant: K | undefined, private keyCoder?: Coder<K>) { super(); }
  doFn() { return new WithKeysFn<K, V>(this.fn, this.constant); }
  override defaultName() { return "WithKeys"; }
  withKeyCoder(c: Coder<K>): WithKeysT<K, V> { return new WithKeysT(this.fn, this.constant, c); }
  override outputCoder(input: PCollection<V>) {
    return KvCoder.of((this.keyCoder ?? GeneralObjectCoder.of()) as Coder<K>, input.getCoder()) as unknown as Coder<KV<K, V>>;
  }
}
class KeysT<K> extends ElementWise<KV<K, unknown>, K> {
  doFn() { return new KeysFn<K>(); }
  override defaultName() { return "Keys"; }
  override outputCoder(input: PCollection<KV<K, unknown>>) { return kvCoderOf(input as PCollection<unknown>)?.keyCoder as Coder<K> | undefined; }
}
class ValuesT<V> extends ElementWise<KV<unknown, V>, V> {
  doFn() { return new ValuesFn<V>(); }
  override defaultName() { return "Values"; }
  override outputCoder(input: PCollection<KV<unknown, V>>) { return kvCoderOf(input as PCollection<unknown>)?.valueCoder as Coder<V> | undefined; }
}
class KvSwapT<K, V> extends ElementWise<KV<K, V>, KV<V, K>> {
  doFn() { return new KvSwapFn<K, V>(); }
  override defaultName() { return "KvSwap"; }
  override outputCoder(input: PCollection<KV<K, V>>) {
    const kv = kvCoderOf(input as PCollection<unknown>);
    return kv ? (KvCoder.of(kv.valueCoder, kv.keyCoder) as unknown as Coder<KV<V, K>>) : undefined;
  }
}

export const MapElements = {
  via<I, O>(fn: (element: I) => O): MapElementsT<I, O> {
    needFunction(fn, "MapElements.via");
    return new MapElementsT(fn);
  },
};
export const FlatMapElements = {
  via<I, O>(fn: (element: I) => Iterable<O>): FlatMapElementsT<I, O> {
    needFunction(fn, "FlatMapElements.via");
    return new FlatMapElementsT(fn);
  },
};
export const Filter = {
  by<T>(predicate: (element: T) => boolean): FilterT<T> {
    needFunction(predicate, "Filter.by");
    return new FilterT(predicate);
  },
};
export const WithKeys = {
  /** A function of the element, or a constant key for every element. */
  of<K, V>(keyFnOrValue: ((element: V) => K) | K): WithKeysT<K, V> {
    return typeof keyFnOrValue === "function"
      ? new WithKeysT<K, V>(keyFnOrValue as (e: V) => K, undefined)
      : new WithKeysT<K, V>(undefined, keyFnOrValue);
  },
};
export const Keys = { create<K>(): KeysT<K> { return new KeysT<K>(); } };
export const Values = { create<V>(): ValuesT<V> { return new ValuesT<V>(); } };
export const KvSwap = { create<K, V>(): KvSwapT<K, V> { return new KvSwapT<K, V>(); } };

installSugar({
  map: (pc, fn, name) => (name ? pc.apply(name, MapElements.via(fn)) : pc.apply(MapElements.via(fn))),
  flatMap: (pc, fn, name) => (name ? pc.apply(name, FlatMapElements.via(fn)) : pc.apply(FlatMapElements.via(fn))),
  filter: (pc, fn, name) => (name ? pc.apply(name, Filter.by(fn)) : pc.apply(Filter.by(fn))),
});

for (const [n, c] of Object.entries({ MapFn, FlatMapFn, FilterFn, WithKeysFn, KeysFn, ValuesFn, KvSwapFn })) {
  registerKnown(`flowbook.${n}`, c);
}
