import { registerKnown } from "../../graph/functions/known_objects.js";
import type { Coder } from "../coders/coder.js";

/**
 * How to combine many inputs into one output through an accumulator: the unit of
 * combiner lifting. Runners call addInput before the shuffle, mergeAccumulators
 * after it and extractOutput once per key and window.
 */
export abstract class CombineFn<I, A, O> {
  abstract createAccumulator(): A;
  abstract addInput(accumulator: A, input: I): A;
  abstract mergeAccumulators(accumulators: Iterable<A>): A;
  abstract extractOutput(accumulator: A): O;

  /** Shrinks an accumulator before it is sent through a shuffle. */
  compact(accumulator: A): A {
    return accumulator;
  }

  /** The accumulator's coder; undefined means the runner's structured-clone coder. */
  accumulatorCoder(_inputCoder: Coder<I>): Coder<A> | undefined {
    return undefined;
  }

  /** The output's coder; undefined means inferred (GeneralObjectCoder). */
  outputCoder(_inputCoder: Coder<I>): Coder<O> | undefined {
    return undefined;
  }

  /**
   * A name for a combiner runners may run natively, with the same result, when the
   * input coder is one they know (e.g. the Flink runner sums varints in Java).
   * One of "sum", "count", "min", "max", "mean", or undefined.
   */
  knownCombiner(): string | undefined {
    return undefined;
  }

  /** The name shown in transform names and plans. */
  displayName(): string {
    return this.constructor.name;
  }
}

/** A CombineFn from a function over all values, as in Combine.globally(values => ...). */
export class IterableCombineFn<V> extends CombineFn<V, V[], V> {
  constructor(readonly fn: (values: V[]) => V) {
    super();
  }
  createAccumulator(): V[] {
    return [];
  }
  addInput(acc: V[], input: V): V[] {
    acc.push(input);
    // Keep the accumulator small: a function over iterables must also be associative.
    if (acc.length >= 64) return [this.fn(acc)];
    return acc;
  }
  mergeAccumulators(accs: Iterable<V[]>): V[] {
    const all: V[] = [];
    for (const a of accs) for (const v of a) all.push(v);
    return all.length > 1 ? [this.fn(all)] : all;
  }
  extractOutput(acc: V[]): V {
    return this.fn(acc);
  }
  override compact(acc: V[]): V[] {
    return acc.length > 1 ? [this.fn(acc)] : acc;
  }
  override displayName(): string {
    return this.fn.name || "fn";
  }
}

interface CombineFnMethods<I, A, O> {
  createAccumulator(): A;
  addInput(accumulator: A, input: I): A;
  mergeAccumulators(accumulators: Iterable<A>): A;
  extractOutput(accumulator: A): O;
}

/** A CombineFn written as an object literal with the four methods. */
export class ObjectCombineFn<I, A, O> extends CombineFn<I, A, O> {
  constructor(readonly methods: CombineFnMethods<I, A, O>) {
    super();
  }
  createAccumulator(): A { return this.methods.createAccumulator(); }
  addInput(acc: A, input: I): A { return this.methods.addInput(acc, input); }
  mergeAccumulators(accs: Iterable<A>): A { return this.methods.mergeAccumulators(accs); }
  extractOutput(acc: A): O { return this.methods.extractOutput(acc); }
}

export type CombineFnLike<I, A, O> = CombineFn<I, A, O> | CombineFnMethods<I, A, O> | ((values: I[]) => O);

export function toCombineFn<I, A, O>(fn: CombineFnLike<I, A, O>): CombineFn<I, A, O> {
  if (fn instanceof CombineFn) return fn;
  if (typeof fn === "function") return new IterableCombineFn(fn as unknown as (v: I[]) => I) as unknown as CombineFn<I, A, O>;
  // An object literal with the four methods.
  const o = fn as Partial<CombineFn<I, A, O>>;
  if (o && typeof o.createAccumulator === "function" && typeof o.addInput === "function" &&
      typeof o.mergeAccumulators === "function" && typeof o.extractOutput === "function") {
    return new ObjectCombineFn(o as CombineFnMethods<I, A, O>);
  }
  throw new TypeError("expected a CombineFn (createAccumulator, addInput, mergeAccumulators, extractOutput) or a function over an array of values");
}

registerKnown("flowbook.CombineFn", CombineFn);
registerKnown("flowbook.IterableCombineFn", IterableCombineFn);
registerKnown("flowbook.ObjectCombineFn", ObjectCombineFn);
