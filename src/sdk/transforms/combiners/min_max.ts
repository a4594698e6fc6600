/**
 * MinFn and MaxFn: the least or greatest input under an ordering.
 *
 * Empty input: Beam's typed combiners return an identity value for an empty input
 * (Min.ofIntegers → Integer.MAX_VALUE, Min.ofLongs → Long.MAX_VALUE, Min.ofDoubles →
 * +Infinity; Max the opposite: MIN_VALUE, -Infinity), and its natural-order Min/Max
 * return null. Here the empty result is `undefined` unless a `defaultValue` is given,
 * e.g. `new MinFn({ defaultValue: Infinity })` for Beam's doubles behaviour (which is
 * what Min.doublesGlobally() does). An empty input only happens for Combine.globally; a
 * key in Combine.perKey always has at least one value.
 *
 * NaN under the natural order: like Java's Math.min/Math.max (Beam's Min/Max.ofDoubles),
 * a NaN input makes the result NaN for both MinFn and MaxFn.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";
import type { Coder } from "../../coders/coder.js";
import { NullableCoder } from "../../coders/nullable_coder.js";
import { CombineFn } from "../combine_fn.js";
import { isNaturalCompare, naturalCompare, type Comparator } from "./compare.js";

export interface MinMaxOptions<T> {
  /** The ordering; the natural order (numbers, bigints, strings, dates, arrays) if absent. */
  compare?: Comparator<T>;
  /** The result for an empty input; undefined if absent. */
  defaultValue?: T;
}

/**
 * The accumulator: the best value so far, or null before the first input (null rather
 * than undefined so that NullableCoder can carry it; inputs must not be null).
 */
export type MinMaxAccumulator<T> = T | null;

abstract class ExtremumFn<T, O> extends CombineFn<T, MinMaxAccumulator<T>, O> {
  readonly compare: Comparator<T>;
  readonly defaultValue: T | undefined;
  /** +1 keeps the greatest (Max), -1 the least (Min). */
  protected abstract readonly sign: 1 | -1;

  constructor(options: MinMaxOptions<T> = {}) {
    super();
    this.compare = options.compare ?? (naturalCompare as Comparator<T>);
    this.defaultValue = options.defaultValue;
  }

  /** The better of an accumulated value and a new one (keeps the first on ties). */
  protected pick(best: T, x: T): T {
    if (isNaturalCompare(this.compare)) {
      // Math.min/Math.max semantics: NaN wins, both ways.
      if (typeof best === "number" && Number.isNaN(best)) return best;
      if (typeof x === "number" && Number.isNaN(x)) return x;
    }
    return this.sign * this.compare(x, best) > 0 ? x : best;
  }

  createAccumulator(): MinMaxAccumulator<T> {
    return null;
  }

  addInput(acc: MinMaxAccumulator<T>, input: T): MinMaxAccumulator<T> {
    if (input === null || input === undefined) {
      throw new TypeError(`${this.displayName()} got ${String(input)}: filter out missing values first`);
    }
    return acc === null ? input : this.pick(acc, input);
  }

  mergeAccumulators(accs: Iterable<MinMaxAccumulator<T>>): MinMaxAccumulator<T> {
    let best: MinMaxAccumulator<T> = null;
    for (const a of accs) {
      if (a === null) continue;
      best = best === null ? a : this.pick(best, a);
    }
    return best;
  }

  extractOutput(acc: MinMaxAccumulator<T>): O {
    return (acc === null ? this.defaultValue : acc) as O;
  }

  override accumulatorCoder(inputCoder: Coder<T>): Coder<MinMaxAccumulator<T>> {
    return NullableCoder.of(inputCoder) as Coder<MinMaxAccumulator<T>>;
  }

  override outputCoder(inputCoder: Coder<T>): Coder<O> | undefined {
    // A default or a non-empty input gives a value of the input's type; the empty
    // result without a default is undefined, which only a nullable coder carries.
    return (this.defaultValue !== undefined ? inputCoder : undefined) as Coder<O> | undefined;
  }
}

/** The least input (first among equals); `defaultValue` (or undefined) when there is none. */
export class MinFn<T, O = T | undefined> extends ExtremumFn<T, O> {
  protected readonly sign = -1 as const;

  /**
   * "min" under the natural order only: over VarLongCoder or DoubleCoder input, Java's
   * Min.ofLongs / Min.ofDoubles (Math.min, NaN-propagating) gives the same value for a
   * non-empty group. The empty-input result is ours (undefined or defaultValue), never
   * Java's identity: runners take it from extractOutput(createAccumulator()).
   */
  override knownCombiner(): string | undefined {
    return isNaturalCompare(this.compare) ? "min" : undefined;
  }

  override displayName(): string {
    return "Min";
  }
}

/** The greatest input (first among equals); `defaultValue` (or undefined) when there is none. */
export class MaxFn<T, O = T | undefined> extends ExtremumFn<T, O> {
  protected readonly sign = 1 as const;

  /** "max" under the natural order only; as MinFn.knownCombiner, with Math.max. */
  override knownCombiner(): string | undefined {
    return isNaturalCompare(this.compare) ? "max" : undefined;
  }

  override displayName(): string {
    return "Max";
  }
}

registerKnown("flowbook.MinFn", MinFn);
registerKnown("flowbook.MaxFn", MaxFn);
