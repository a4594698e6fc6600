import type { Coder } from "../../../src/sdk/coders/coder.js";
import type { CombineFn } from "../../../src/sdk/transforms/combine_fn.js";

export { rng } from "../../support/random.js";

export function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Runs a CombineFn as one accumulator: the reference answer. */
export function combineAll<I, A, O>(fn: CombineFn<I, A, O>, inputs: readonly I[]): O {
  let acc = fn.createAccumulator();
  for (const x of inputs) acc = fn.addInput(acc, x);
  return fn.extractOutput(fn.mergeAccumulators([acc]));
}

export interface SplitOptions<I, A> {
  /** Round-trip every accumulator through the fn's accumulator coder for this input coder. */
  inputCoder?: Coder<I>;
  /** Shuffle inputs before splitting (for order-insensitive fns). */
  shuffle?: boolean;
  maxParts?: number;
  compact?: boolean;
  check?: (acc: A) => void;
}

/**
 * Runs a CombineFn the way a runner might: the inputs split at random into several
 * accumulators (some empty), accumulators optionally encoded and decoded, then merged
 * in random groups, level by level, until one is left.
 */
export function combineSplit<I, A, O>(fn: CombineFn<I, A, O>, inputs: readonly I[], random: () => number, opts: SplitOptions<I, A> = {}): O {
  const xs = opts.shuffle ? shuffled(inputs, random) : inputs.slice();
  const parts = 1 + Math.floor(random() * (opts.maxParts ?? 8));
  const cuts = Array.from({ length: parts - 1 }, () => Math.floor(random() * (xs.length + 1))).sort((a, b) => a - b);
  const bounds = [0, ...cuts, xs.length];
  const coder = opts.inputCoder ? fn.accumulatorCoder(opts.inputCoder) : undefined;
  const trip = (a: A): A => {
    if (opts.compact) a = fn.compact(a);
    opts.check?.(a);
    return coder ? coder.decodeFromBytes(coder.encodeToBytes(a)) : a;
  };
  let accs: A[] = [];
  for (let p = 0; p < parts; p++) {
    let acc = fn.createAccumulator();
    for (let i = bounds[p]!; i < bounds[p + 1]!; i++) acc = fn.addInput(acc, xs[i]!);
    accs.push(trip(acc));
  }
  while (accs.length > 1) {
    const next: A[] = [];
    let i = 0;
    while (i < accs.length) {
      const g = 1 + Math.floor(random() * 3);
      next.push(trip(fn.mergeAccumulators(accs.slice(i, i + g))));
      i += g;
    }
    accs = next;
  }
  return fn.extractOutput(accs[0]!);
}
