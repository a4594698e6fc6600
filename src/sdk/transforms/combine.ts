import { registerKnown } from "../../graph/functions/known_objects.js";
import { serializeValue } from "../../graph/functions/serialize.js";
import { Urns } from "../../graph/types.js";
import type { Coder } from "../coders/coder.js";
import { GeneralObjectCoder, IterableCoder, KvCoder } from "../coders/index.js";
import { PCollection, PCollectionList } from "../pcollection.js";
import type { KV } from "../values/kv.js";
import { CombineFn, toCombineFn, type CombineFnLike } from "./combine_fn.js";
import { DoFn, type ProcessContext } from "./do_fn.js";
import { WithKeys, Values } from "./element_wise.js";
import { GroupByKey, kvCoders } from "./group_by_key.js";
import { ParDo } from "./par_do.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";
import { Create } from "./create.js";
import { Flatten } from "./flatten.js";
import { View } from "./view.js";

/** What runners read to lift a combiner: the fn, and the coders around it. */
export interface CombinePayload {
  combineFn: unknown;
  knownCombiner?: string;
  /** The accumulator's coder, when the CombineFn gives one; else runners use structured clone. */
  accumulatorCoder?: unknown;
}

function combinePayload(fn: CombineFn<unknown, unknown, unknown>, inputValueCoder: Coder<unknown>, where: string | undefined): CombinePayload {
  const payload: CombinePayload = { combineFn: serializeValue(fn, { transform: where }) };
  const known = fn.knownCombiner();
  if (known) payload.knownCombiner = known;
  const acc = fn.accumulatorCoder(inputValueCoder);
  if (acc) payload.accumulatorCoder = acc.toSpec();
  return payload;
}

function outputCoder(fn: CombineFn<unknown, unknown, unknown>, inputCoder: Coder<unknown>): Coder<unknown> {
  return fn.outputCoder(inputCoder) ?? GeneralObjectCoder.of();
}

/** KV<K, Iterable<V>> → KV<K, O>: combines the values of each grouped key. */
export class CombineGroupedValues<K, V, O> extends PTransform<PCollection<KV<K, V[]>>, PCollection<KV<K, O>>> {
  constructor(readonly fn: CombineFn<V, unknown, O>) { super(); }
  override defaultName(): string { return "Combine.GroupedValues"; }
  expand(input: PCollection<KV<K, V[]>>): PCollection<KV<K, O>> {
    const fn = this.fn as CombineFn<unknown, unknown, unknown>;
    const pc = input as PCollection<unknown>;
    const where = input.pipeline.currentTransformName();
    const valueCoder = () => {
      const v = kvCoders(pc).value;
      return v instanceof IterableCoder ? v.elementCoder : GeneralObjectCoder.of();
    };
    return input.pipeline.primitive({
      urn: Urns.COMBINE_GROUPED_VALUES,
      payload: () => combinePayload(fn, valueCoder(), where),
      outputs: [{
        tag: "main",
        coder: () => KvCoder.of(kvCoders(pc).key, outputCoder(fn, valueCoder())) as Coder<unknown>,
        windowing: input.windowingStrategy,
        isBounded: input.isBounded,
      }],
    }).get("main") as PCollection<KV<K, O>>;
  }
}

/** KV<K, V> → KV<K, O>: GroupByKey then Combine.GroupedValues, which runners may lift. */
export class CombinePerKey<K, V, O> extends PTransform<PCollection<KV<K, V>>, PCollection<KV<K, O>>> {
  private payloadFor?: () => unknown;
  constructor(readonly fn: CombineFn<V, unknown, O>, private readonly name = "Combine.perKey") { super(); }
  override defaultName(): string { return this.name; }
  override compositeSpec() {
    return this.payloadFor ? { urn: Urns.COMBINE_PER_KEY, payload: this.payloadFor } : undefined;
  }
  expand(input: PCollection<KV<K, V>>): PCollection<KV<K, O>> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError(`${this.name} must be applied to a PCollection of KVs`);
    const fn = this.fn as CombineFn<unknown, unknown, unknown>;
    const where = input.pipeline.currentTransformName();
    this.payloadFor = () => combinePayload(fn, kvCoders(input as PCollection<unknown>).value, where);
    return input
      .apply("GroupByKey", GroupByKey.create<K, V>())
      .apply("Combine.GroupedValues", new CombineGroupedValues<K, V, O>(this.fn));
  }
}

/**
 * Emits the CombineFn's empty-input value when the combined side input is empty, nothing
 * otherwise (Beam's ProduceDefault): the combined values themselves reach the output through
 * the Flatten beside it, keeping their timestamps and panes.
 */
export class ProduceDefaultFn<O> extends DoFn<unknown, O> {
  constructor(readonly fn: CombineFn<unknown, unknown, O>, readonly view: unknown) { super(); }
  processElement(c: ProcessContext<unknown, O>): void {
    const values = c.sideInput(this.view as never) as Iterable<O>;
    for (const _ of values) return;
    c.output(this.fn.extractOutput(this.fn.createAccumulator()));
  }
}

/** PCollection<V> → PCollection<O> with one element per window. */
export class CombineGlobally<V, O> extends PTransform<PCollection<V>, PCollection<O>> {
  constructor(readonly fn: CombineFn<V, unknown, O>, readonly insertDefault = true, private readonly name = "Combine.globally") { super(); }
  override defaultName(): string { return this.name; }
  /** No output for an empty input (required when the input is not globally windowed). */
  withoutDefaults(): CombineGlobally<V, O> {
    return new CombineGlobally(this.fn, false, this.name);
  }
  expand(input: PCollection<V>): PCollection<O> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError(`${this.name} must be applied to a PCollection`);
    // Checked before anything is applied, on the windowFn alone (a triggered global window keeps
    // its default), as Beam's Combine.Globally does.
    if (this.insertDefault && !input.windowingStrategy.isGlobal()) {
      throw new TransformApplicationError(
        `${input.pipeline.currentTransformName() ?? this.name}: default values are not supported in Combine.globally() ` +
          `when the input is not windowed by GlobalWindows (${input.name} is windowed by ${input.windowingStrategy.windowFn}): ` +
          `use Combine.globally(fn).withoutDefaults() to output nothing for an empty window`,
      );
    }
    const keyed = input
      .apply("WithKeys", WithKeys.of<null, V>(null))
      .setCoder(KvCoder.of(GeneralObjectCoder.of(), input.getCoder()) as never);
    const combined = keyed
      .apply("Combine.perKey", new CombinePerKey<null, V, O>(this.fn))
      .apply("Values", Values.create<O>());
    if (!this.insertDefault) return combined;
    return this.insertDefaultValueIfEmpty(combined);
  }

  /**
   * Beam's insertDefaultValueIfEmpty: the combined output flattened with the default value, which
   * is produced only when the combined output is empty. The combined panes pass through untouched
   * (timestamps, EARLY / ON_TIME / LATE); the default comes once the side input is complete.
   */
  private insertDefaultValueIfEmpty(combined: PCollection<O>): PCollection<O> {
    const view = combined.apply("View.AsIterable", View.asIterable<O>());
    const defaultIfEmpty = combined.pipeline
      .apply("CreateVoid", Create.of<null>(null))
      .apply("ProduceDefault", ParDo.of(new ProduceDefaultFn<O>(this.fn as CombineFn<unknown, unknown, O>, view)).withSideInputs(view));
    defaultIfEmpty.setCoder(combined.getCoder());
    // As Beam's setWindowingStrategyInternal: both Flatten inputs carry the combined output's strategy.
    defaultIfEmpty.windowingStrategy = combined.windowingStrategy;
    return PCollectionList.of(combined).and(defaultIfEmpty).apply("Flatten", Flatten.pCollections<O>());
  }
}

export const Combine = {
  globally<V, O>(fn: CombineFnLike<V, any, O>): CombineGlobally<V, O> {
    return new CombineGlobally(toCombineFn(fn));
  },
  perKey<K, V, O>(fn: CombineFnLike<V, any, O>): CombinePerKey<K, V, O> {
    return new CombinePerKey(toCombineFn(fn));
  },
  groupedValues<K, V, O>(fn: CombineFnLike<V, any, O>): CombineGroupedValues<K, V, O> {
    return new CombineGroupedValues(toCombineFn(fn));
  },
};

registerKnown("flowbook.ProduceDefaultFn", ProduceDefaultFn);
