/**
 * The user-facing combiners with Beam's names: Sum, Min, Max, Mean, Top, Sample,
 * ApproximateQuantiles. Each is Combine.globally / Combine.perKey over a CombineFn of
 * this directory (so runners may lift it, and run sum/count/min/max/mean natively),
 * except Sample.any, a small composite.
 *
 * Default names follow Beam Java's: a Combine.Globally shows as
 * `Combine.globally(<fn>)` and a Combine.PerKey as `Combine.perKey(<fn>)`, where <fn> is
 * the CombineFn's displayName (Sum, Min, Max, Mean, Top, FixedSizedSample,
 * ApproximateQuantiles); Sample.any shows as `Sample.Any`.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";
import type { Coder } from "../../coders/coder.js";
import { PCollection } from "../../pcollection.js";
import type { CombineFn } from "../combine_fn.js";
import { CombineGlobally, CombinePerKey } from "../combine.js";
import { DoFn, type ProcessContext } from "../do_fn.js";
import { expandParDo } from "../par_do.js";
import { PTransform, TransformApplicationError } from "../ptransform.js";
import { ApproximateQuantilesFn, type ApproximateQuantilesOptions } from "./approximate_quantiles.js";
import { reverseNaturalCompare, type Comparator } from "./compare.js";
import { MeanFn } from "./mean.js";
import { MaxFn, MinFn, type MinMaxOptions } from "./min_max.js";
import { SampleAnyFn, SampleFn, type SampleOptions } from "./sample.js";
import { SumFn, type Numeric } from "./sum.js";
import { TopFn } from "./top.js";

type AnyFn = CombineFn<any, any, any>;

/** Combine.globally(fn) named as Beam Java names it: `Combine.globally(<fn>)`. */
export function combineGlobally<V, O>(fn: CombineFn<V, any, O>): CombineGlobally<V, O> {
  return new CombineGlobally<V, O>(fn as AnyFn, true, `Combine.globally(${fn.displayName()})`);
}

/** Combine.perKey(fn) named as Beam Java names it: `Combine.perKey(<fn>)`. */
export function combinePerKey<K, V, O>(fn: CombineFn<V, any, O>): CombinePerKey<K, V, O> {
  return new CombinePerKey<K, V, O>(fn as AnyFn, `Combine.perKey(${fn.displayName()})`);
}

// --- Sum -------------------------------------------------------------------------------

/**
 * Sums numbers (and bigints). `globally` / `perKey` sum integers exactly (past 2^53 into
 * a bigint) and fractions as doubles; the `doubles` variants are pure IEEE sums (Beam's
 * Sum.ofDoubles). Empty input sums to 0.
 */
export const Sum = {
  globally<T extends Numeric = number>(): CombineGlobally<T, T> {
    return combineGlobally(new SumFn<T>());
  },
  perKey<K, T extends Numeric = number>(): CombinePerKey<K, T, T> {
    return combinePerKey<K, T, T>(new SumFn<T>());
  },
  /** Beam's Sum.integersGlobally (and longsGlobally): exact integer sums. */
  integersGlobally(): CombineGlobally<number, number> {
    return combineGlobally(new SumFn<number>());
  },
  integersPerKey<K>(): CombinePerKey<K, number, number> {
    return combinePerKey<K, number, number>(new SumFn<number>());
  },
  longsGlobally<T extends Numeric = number>(): CombineGlobally<T, T> {
    return combineGlobally(new SumFn<T>());
  },
  longsPerKey<K, T extends Numeric = number>(): CombinePerKey<K, T, T> {
    return combinePerKey<K, T, T>(new SumFn<T>());
  },
  /** Beam's Sum.doublesGlobally: IEEE double sums. */
  doublesGlobally(): CombineGlobally<number, number> {
    return combineGlobally(new SumFn<number>({ doubles: true }));
  },
  doublesPerKey<K>(): CombinePerKey<K, number, number> {
    return combinePerKey<K, number, number>(new SumFn<number>({ doubles: true }));
  },
};

// --- Min / Max -------------------------------------------------------------------------

function minMaxOptions<T>(arg: Comparator<T> | MinMaxOptions<T> | undefined, where: string): MinMaxOptions<T> {
  if (arg === undefined) return {};
  if (typeof arg === "function") return { compare: arg };
  if (typeof arg === "object" && arg !== null) return arg;
  throw new TransformApplicationError(`${where} takes a comparator (a, b) => number or { compare, defaultValue }, got ${typeof arg}`);
}

function minGlobally<T>(options: MinMaxOptions<T> & { defaultValue: T }): CombineGlobally<T, T>;
function minGlobally<T>(compareOrOptions?: Comparator<T> | MinMaxOptions<T>): CombineGlobally<T, T | undefined>;
function minGlobally<T>(compareOrOptions?: Comparator<T> | MinMaxOptions<T>): CombineGlobally<T, T | undefined> {
  return combineGlobally(new MinFn<T>(minMaxOptions(compareOrOptions, "Min.globally")));
}

function maxGlobally<T>(options: MinMaxOptions<T> & { defaultValue: T }): CombineGlobally<T, T>;
function maxGlobally<T>(compareOrOptions?: Comparator<T> | MinMaxOptions<T>): CombineGlobally<T, T | undefined>;
function maxGlobally<T>(compareOrOptions?: Comparator<T> | MinMaxOptions<T>): CombineGlobally<T, T | undefined> {
  return combineGlobally(new MaxFn<T>(minMaxOptions(compareOrOptions, "Max.globally")));
}

/**
 * The least element (per key). Takes a comparator or `{ compare, defaultValue }`; the
 * natural order otherwise. An empty input (globally) gives `defaultValue`, undefined if
 * none, where Beam's typed variants give an identity value (Min.doublesGlobally: +Infinity).
 * Per key there is no empty input: every key has a value.
 */
export const Min = {
  globally: minGlobally,
  perKey<K, T>(compareOrOptions?: Comparator<T> | MinMaxOptions<T>): CombinePerKey<K, T, T> {
    return combinePerKey<K, T, T>(new MinFn<T, T>(minMaxOptions(compareOrOptions, "Min.perKey")));
  },
  /** Beam's Min.doublesGlobally: +Infinity for an empty input. */
  doublesGlobally(): CombineGlobally<number, number> {
    return combineGlobally(new MinFn<number, number>({ defaultValue: Infinity }));
  },
  doublesPerKey<K>(): CombinePerKey<K, number, number> {
    return combinePerKey<K, number, number>(new MinFn<number, number>({ defaultValue: Infinity }));
  },
};

/** The greatest element (per key); as Min (Max.doublesGlobally: -Infinity when empty). */
export const Max = {
  globally: maxGlobally,
  perKey<K, T>(compareOrOptions?: Comparator<T> | MinMaxOptions<T>): CombinePerKey<K, T, T> {
    return combinePerKey<K, T, T>(new MaxFn<T, T>(minMaxOptions(compareOrOptions, "Max.perKey")));
  },
  /** Beam's Max.doublesGlobally: -Infinity for an empty input. */
  doublesGlobally(): CombineGlobally<number, number> {
    return combineGlobally(new MaxFn<number, number>({ defaultValue: -Infinity }));
  },
  doublesPerKey<K>(): CombinePerKey<K, number, number> {
    return combinePerKey<K, number, number>(new MaxFn<number, number>({ defaultValue: -Infinity }));
  },
};

// --- Mean ------------------------------------------------------------------------------

/** The arithmetic mean (per key), as a double; NaN for an empty input. */
export const Mean = {
  globally<T extends Numeric = number>(): CombineGlobally<T, number> {
    return combineGlobally(new MeanFn<T>());
  },
  perKey<K, T extends Numeric = number>(): CombinePerKey<K, T, number> {
    return combinePerKey<K, T, number>(new MeanFn<T>());
  },
};

// --- Top -------------------------------------------------------------------------------

/**
 * The n greatest elements (per key) under a comparator, greatest first, as one array.
 * `largest` uses the natural order; `smallest` the reverse, least first.
 */
export const Top = {
  of<T>(n: number, compare: Comparator<T>): CombineGlobally<T, T[]> {
    return combineGlobally(new TopFn<T>(n, { compare: needComparator(compare, "Top.of") }));
  },
  largest<T>(n: number): CombineGlobally<T, T[]> {
    return combineGlobally(new TopFn<T>(n));
  },
  smallest<T>(n: number): CombineGlobally<T, T[]> {
    return combineGlobally(new TopFn<T>(n, { compare: reverseNaturalCompare as Comparator<T> }));
  },
  perKey<K, T>(n: number, compare: Comparator<T>): CombinePerKey<K, T, T[]> {
    return combinePerKey<K, T, T[]>(new TopFn<T>(n, { compare: needComparator(compare, "Top.perKey") }));
  },
  largestPerKey<K, T>(n: number): CombinePerKey<K, T, T[]> {
    return combinePerKey<K, T, T[]>(new TopFn<T>(n));
  },
  smallestPerKey<K, T>(n: number): CombinePerKey<K, T, T[]> {
    return combinePerKey<K, T, T[]>(new TopFn<T>(n, { compare: reverseNaturalCompare as Comparator<T> }));
  },
};

function needComparator<T>(compare: Comparator<T>, where: string): Comparator<T> {
  if (typeof compare !== "function") {
    throw new TransformApplicationError(`${where} needs a comparator (a, b) => number as its second argument (or use Top.largest / Top.smallest)`);
  }
  return compare;
}

// --- Sample ----------------------------------------------------------------------------

/** Outputs each element of an array input (Beam's Flatten.iterables, as a DoFn). */
export class FlattenIterableFn<T> extends DoFn<Iterable<T>, T> {
  processElement(c: ProcessContext<Iterable<T>, T>): void {
    for (const x of c.element()) c.output(x);
  }
}

/**
 * Sample.any(n): at most n elements of the input, chosen any way (no randomness).
 * Expands, as Beam's, into `Combine.globally(SampleAny)` without defaults, then a ParDo
 * that flattens the array back into elements.
 */
export class SampleAny<T> extends PTransform<PCollection<T>, PCollection<T>> {
  constructor(readonly n: number) {
    super();
    if (!Number.isSafeInteger(n) || n < 0) throw new TransformApplicationError(`Sample.any needs a limit n >= 0, got ${n}`);
  }
  override defaultName(): string {
    return "Sample.Any";
  }
  expand(input: PCollection<T>): PCollection<T> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError("Sample.any must be applied to a PCollection");
    const coder = input.getCoder();
    const samples = input.apply(combineGlobally(new SampleAnyFn<T>(this.n)).withoutDefaults());
    return samples.apply(
      "Flatten.Iterables",
      new FlattenIterables<T>(() => coder),
    );
  }
}

/** PCollection<Iterable<T>> → PCollection<T>: Beam's Flatten.iterables. */
export class FlattenIterables<T> extends PTransform<PCollection<Iterable<T>>, PCollection<T>> {
  constructor(private readonly elementCoder?: () => Coder<T>) {
    super();
  }
  override defaultName(): string {
    return "Flatten.Iterables";
  }
  expand(input: PCollection<Iterable<T>>): PCollection<T> {
    const coder = this.elementCoder;
    return expandParDo(
      input,
      new FlattenIterableFn<T>() as DoFn<Iterable<T>, unknown>,
      [],
      "main",
      [],
      coder ? (coder as () => Coder<unknown>) : undefined,
    ).get("main") as PCollection<T>;
  }
}

/**
 * Samples: `any(n)` (n arbitrary elements, as elements), and uniform random samples of a
 * fixed size as one array, globally or per key. `{ seed }` makes the random choices
 * repeatable.
 */
export const Sample = {
  any<T>(n: number): SampleAny<T> {
    return new SampleAny<T>(n);
  },
  fixedSizeGlobally<T>(n: number, options: SampleOptions = {}): CombineGlobally<T, T[]> {
    return combineGlobally(new SampleFn<T>(n, options));
  },
  fixedSizePerKey<K, T>(n: number, options: SampleOptions = {}): CombinePerKey<K, T, T[]> {
    return combinePerKey<K, T, T[]>(new SampleFn<T>(n, options));
  },
};

// --- ApproximateQuantiles ----------------------------------------------------------------

function quantileOptions<T>(arg: Comparator<T> | ApproximateQuantilesOptions<T> | undefined): ApproximateQuantilesOptions<T> {
  if (arg === undefined) return {};
  if (typeof arg === "function") return { compare: arg };
  return arg;
}

/**
 * Approximate N-tiles (per key): an array of numQuantiles elements, the least, the
 * evenly spaced intermediate ones and the greatest (for quartiles ask for 5). Takes a
 * comparator or `{ compare, epsilon, maxInputSize }`.
 */
export const ApproximateQuantiles = {
  globally<T>(numQuantiles: number, compareOrOptions?: Comparator<T> | ApproximateQuantilesOptions<T>): CombineGlobally<T, T[]> {
    return combineGlobally(new ApproximateQuantilesFn<T>(numQuantiles, quantileOptions(compareOrOptions)));
  },
  perKey<K, T>(numQuantiles: number, compareOrOptions?: Comparator<T> | ApproximateQuantilesOptions<T>): CombinePerKey<K, T, T[]> {
    return combinePerKey<K, T, T[]>(new ApproximateQuantilesFn<T>(numQuantiles, quantileOptions(compareOrOptions)));
  },
};


registerKnown("flowbook.FlattenIterableFn", FlattenIterableFn);
