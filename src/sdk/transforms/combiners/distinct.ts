/**
 * Distinct: the distinct elements of a PCollection (per window), as Beam's.
 *
 *   Distinct.create()                      CreateIndex (element → KV(element, null))
 *                                          → Combine.perKey(Null) → SinglePaneDistinct (Keys)
 *   Distinct.withRepresentativeValueFn(f)  WithKeys(f) → Combine.perKey(AnyValue) → Values
 *
 * Elements are compared by their encoding (the GroupByKey key rule), so the input coder
 * (or, with a representative-value function, the key coder) must be deterministic.
 * Beam switches to a stateful dedup across panes when a trigger fires more than once;
 * triggers do not run yet here, so this is the single-pane form.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";
import type { Coder } from "../../coders/coder.js";
import { GeneralObjectCoder, IterableCoder, KvCoder } from "../../coders/index.js";
import { PCollection } from "../../pcollection.js";
import type { KV } from "../../values/kv.js";
import { CombineFn } from "../combine_fn.js";
import { MapElements, Values, Keys, WithKeys } from "../element_wise.js";
import { PTransform, TransformApplicationError } from "../ptransform.js";
import { combinePerKey } from "./facades.js";

/** Ignores its inputs: all that Distinct needs of the grouped values is that there were some. */
export class NullCombineFn extends CombineFn<unknown, null, null> {
  createAccumulator(): null {
    return null;
  }
  addInput(): null {
    return null;
  }
  mergeAccumulators(): null {
    return null;
  }
  extractOutput(): null {
    return null;
  }
  override displayName(): string {
    return "Null";
  }
}

/** Keeps one of its inputs (the first it sees; which one is unspecified across splits). */
export class AnyValueFn<T> extends CombineFn<T, T[], T> {
  createAccumulator(): T[] {
    return [];
  }
  addInput(acc: T[], input: T): T[] {
    if (acc.length === 0) acc.push(input);
    return acc;
  }
  mergeAccumulators(accs: Iterable<T[]>): T[] {
    for (const a of accs) if (a.length > 0) return [a[0]!];
    return [];
  }
  extractOutput(acc: T[]): T {
    return acc[0] as T;
  }
  override accumulatorCoder(inputCoder: Coder<T>): Coder<T[]> {
    return IterableCoder.of(inputCoder) as unknown as Coder<T[]>;
  }
  override outputCoder(inputCoder: Coder<T>): Coder<T> {
    return inputCoder;
  }
  override displayName(): string {
    return "AnyValue";
  }
}

/** element → KV(element, null). */
export function keyWithNull<T>(element: T): KV<T, null> {
  return { key: element, value: null };
}

/** Distinct.create(): each distinct element once (per window). */
export class Distinct<T> extends PTransform<PCollection<T>, PCollection<T>> {
  override defaultName(): string {
    return "Distinct";
  }
  expand(input: PCollection<T>): PCollection<T> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError("Distinct must be applied to a PCollection");
    const coder = input.getCoder();
    return input
      .apply("CreateIndex", MapElements.via<T, KV<T, null>>(keyWithNull).withOutputCoder(KvCoder.of(coder, GeneralObjectCoder.of()) as unknown as Coder<KV<T, null>>))
      .apply(combinePerKey<T, null, null>(new NullCombineFn() as CombineFn<null, null, null>))
      .apply("SinglePaneDistinct", Keys.create<T>());
  }

  static create<T>(): Distinct<T> {
    return new Distinct<T>();
  }

  /** Dedups by a representative value of each element, keeping one element per value. */
  static withRepresentativeValueFn<T, R>(fn: (element: T) => R): DistinctWithRepresentativeValues<T, R> {
    if (typeof fn !== "function") throw new TransformApplicationError(`Distinct.withRepresentativeValueFn needs a function, got ${typeof fn}`);
    return new DistinctWithRepresentativeValues<T, R>(fn);
  }
}

/** Distinct.withRepresentativeValueFn(fn): one element for each distinct fn(element). */
export class DistinctWithRepresentativeValues<T, R> extends PTransform<PCollection<T>, PCollection<T>> {
  constructor(readonly fn: (element: T) => R, private readonly keyCoder?: Coder<R>) {
    super();
  }
  /** The coder of the representative values (deterministic); inferred otherwise. */
  withRepresentativeCoder(coder: Coder<R>): DistinctWithRepresentativeValues<T, R> {
    return new DistinctWithRepresentativeValues(this.fn, coder);
  }
  override defaultName(): string {
    return "Distinct.WithRepresentativeValues";
  }
  expand(input: PCollection<T>): PCollection<T> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError("Distinct.withRepresentativeValueFn must be applied to a PCollection");
    let withKeys = WithKeys.of<R, T>(this.fn);
    if (this.keyCoder) withKeys = withKeys.withKeyCoder(this.keyCoder);
    return input
      .apply(withKeys)
      .apply(combinePerKey<R, T, T>(new AnyValueFn<T>()))
      .apply(Values.create<T>());
  }
}

registerKnown("flowbook.NullCombineFn", NullCombineFn);
registerKnown("flowbook.AnyValueFn", AnyValueFn);
registerKnown("flowbook.keyWithNull", keyWithNull);
