/**
 * SampleFn: a uniform random sample of fixed size (a reservoir), mergeable without bias;
 * SampleAnyFn: any n inputs, the cheapest way to look at a few. Beam: Sample.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";
import type { ByteReader, ByteWriter } from "../../coders/byte_io.js";
import { Coder, registerCoder } from "../../coders/coder.js";
import { IterableCoder } from "../../coders/iterable_coder.js";
import { CombineFn } from "../combine_fn.js";

/** A reservoir: a uniform sample of min(n, seen) of the `seen` inputs it summarizes. */
export interface Reservoir<T> {
  seen: number;
  items: T[];
}

export interface SampleOptions {
  /**
   * Seeds the random choices so that a run can be repeated (tests). Without it, choices
   * come from Math.random, independent everywhere. With it, every copy of the CombineFn
   * (one per worker) starts from the same state and draws the same sequence: each
   * accumulator is still a uniform sample of its inputs, but choices made in different
   * workers are correlated, so keep seeds for tests and single-process runs.
   */
  seed?: number;
}

/**
 * A uniform random sample of n inputs (all of them, when there are fewer): every n-subset
 * of the inputs is equally likely, however the inputs are split across accumulators.
 *
 * addInput is reservoir sampling (Algorithm R). Two reservoirs that summarize N1 and N2
 * inputs merge into one of size k = min(n, N1 + N2) by drawing how many come from each
 * side the way a uniform k-subset of N1 + N2 items would split (hypergeometrically: one
 * at a time with probability remaining1 / (remaining1 + remaining2)), then taking that
 * many at random from each side. A random subset of a uniform sample is a uniform sample,
 * so the merged reservoir is uniform over both inputs. Output order is arbitrary.
 */
export class SampleFn<T> extends CombineFn<T, Reservoir<T>, T[]> {
  readonly n: number;
  readonly seed: number | undefined;
  /** The seeded generator's state (mulberry32); unused without a seed. */
  rngState: number;

  constructor(n: number, options: SampleOptions = {}) {
    super();
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Sample needs a sample size n >= 0, got ${n}`);
    this.n = n;
    this.seed = options.seed;
    this.rngState = (options.seed ?? 0) >>> 0;
  }

  /** A uniform double in [0, 1). */
  random(): number {
    if (this.seed === undefined) return Math.random();
    // mulberry32
    let t = (this.rngState = (this.rngState + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, bound). */
  private below(bound: number): number {
    return Math.floor(this.random() * bound);
  }

  createAccumulator(): Reservoir<T> {
    return { seen: 0, items: [] };
  }

  addInput(acc: Reservoir<T>, input: T): Reservoir<T> {
    acc.seen += 1;
    if (acc.items.length < this.n) {
      acc.items.push(input);
    } else if (this.n > 0) {
      const j = this.below(acc.seen);
      if (j < this.n) acc.items[j] = input;
    }
    return acc;
  }

  mergeAccumulators(accs: Iterable<Reservoir<T>>): Reservoir<T> {
    let out: Reservoir<T> | undefined;
    for (const a of accs) out = out === undefined ? { seen: a.seen, items: a.items.slice() } : this.merge2(out, a);
    return out ?? this.createAccumulator();
  }

  private merge2(a: Reservoir<T>, b: Reservoir<T>): Reservoir<T> {
    if (b.seen === 0) return a;
    if (a.seen === 0) return { seen: b.seen, items: b.items.slice() };
    const k = Math.min(this.n, a.seen + b.seen);
    let remA = a.seen;
    let remB = b.seen;
    let takeA = 0;
    for (let i = 0; i < k; i++) {
      if (this.below(remA + remB) < remA) {
        takeA++;
        remA--;
      } else {
        remB--;
      }
    }
    const items = this.randomSubset(a.items, takeA);
    for (const x of this.randomSubset(b.items, k - takeA)) items.push(x);
    return { seen: a.seen + b.seen, items };
  }

  /** m items chosen uniformly without replacement (a partial Fisher–Yates shuffle). */
  private randomSubset(items: T[], m: number): T[] {
    if (m > items.length) throw new Error(`SampleFn: cannot take ${m} of ${items.length} (a reservoir was not uniform)`);
    const pool = items.slice();
    for (let i = 0; i < m; i++) {
      const j = i + this.below(pool.length - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    pool.length = m;
    return pool;
  }

  extractOutput(acc: Reservoir<T>): T[] {
    return acc.items.slice();
  }

  override accumulatorCoder(inputCoder: Coder<T>): Coder<Reservoir<T>> {
    return ReservoirCoder.of(inputCoder);
  }

  override outputCoder(inputCoder: Coder<T>): Coder<T[]> {
    return IterableCoder.of(inputCoder) as unknown as Coder<T[]>;
  }

  override displayName(): string {
    return "FixedSizedSample";
  }
}

/** A reservoir as a varint count of inputs seen, then the sample as an iterable. */
export class ReservoirCoder<T> extends Coder<Reservoir<T>> {
  static readonly URN = "flowbook:coder:sample_reservoir:v1";
  readonly urn = ReservoirCoder.URN;
  private readonly items: IterableCoder<T>;

  constructor(readonly elementCoder: Coder<T>) {
    super();
    this.items = IterableCoder.of(elementCoder);
  }

  static of<T>(elementCoder: Coder<T>): ReservoirCoder<T> {
    return new ReservoirCoder(elementCoder);
  }

  encode(value: Reservoir<T>, out: ByteWriter): void {
    out.varUint(value.seen);
    this.items.encode(value.items, out);
  }

  decode(input: ByteReader): Reservoir<T> {
    const seen = input.varUint("the input count of a sample reservoir");
    const items = this.items.decode(input);
    return { seen, items };
  }

  override isDeterministic(): boolean {
    return this.elementCoder.isDeterministic();
  }

  override components(): Coder<unknown>[] {
    return [this.elementCoder as Coder<unknown>];
  }
}
registerCoder(ReservoirCoder.URN, (components) => {
  if (components.length !== 1) throw new Error(`${ReservoirCoder.URN} needs 1 component coder, got ${components.length}`);
  return new ReservoirCoder(components[0]!);
});

/**
 * Any n inputs (the first n each accumulator sees): no randomness, no guarantee of which.
 * Beam: Sample.SampleAnyCombineFn, behind Sample.any(n).
 */
export class SampleAnyFn<T> extends CombineFn<T, T[], T[]> {
  readonly n: number;

  constructor(n: number) {
    super();
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Sample.any needs a limit n >= 0, got ${n}`);
    this.n = n;
  }

  createAccumulator(): T[] {
    return [];
  }

  addInput(acc: T[], input: T): T[] {
    if (acc.length < this.n) acc.push(input);
    return acc;
  }

  mergeAccumulators(accs: Iterable<T[]>): T[] {
    const out: T[] = [];
    for (const a of accs) {
      for (const x of a) {
        if (out.length >= this.n) return out;
        out.push(x);
      }
    }
    return out;
  }

  extractOutput(acc: T[]): T[] {
    return acc.slice();
  }

  override accumulatorCoder(inputCoder: Coder<T>): Coder<T[]> {
    return IterableCoder.of(inputCoder) as unknown as Coder<T[]>;
  }

  override outputCoder(inputCoder: Coder<T>): Coder<T[]> {
    return IterableCoder.of(inputCoder) as unknown as Coder<T[]>;
  }

  override displayName(): string {
    return "SampleAny";
  }
}

registerKnown("flowbook.SampleFn", SampleFn);
registerKnown("flowbook.SampleAnyFn", SampleAnyFn);
registerKnown("flowbook.ReservoirCoder", ReservoirCoder);
