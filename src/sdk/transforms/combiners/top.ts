/**
 * TopFn: the n greatest (or least) inputs under an ordering, in a bounded heap so that an
 * accumulator never holds more than n elements. Beam: Top.TopCombineFn.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";
import type { Coder } from "../../coders/coder.js";
import { IterableCoder } from "../../coders/iterable_coder.js";
import { CombineFn } from "../combine_fn.js";
import { naturalCompare, type Comparator } from "./compare.js";

export interface TopOptions<T> {
  /** The ordering; the natural order if absent. */
  compare?: Comparator<T>;
  /** Keep the n least instead of the n greatest (output then ascends). */
  smallest?: boolean;
}

/**
 * The accumulator: at most n elements laid out as a binary heap whose root is the worst
 * element kept (the least, or the greatest with `smallest`), so an input that does not
 * beat the root is dropped in O(1) and one that does replaces it in O(log n).
 */
export type TopAccumulator<T> = T[];

/**
 * The n greatest inputs under `compare`, greatest first (Beam's Top.of / Top.largest);
 * with `smallest`, the n least, least first (Top.smallest). Fewer than n inputs give
 * all of them, sorted. Memory is O(n) per accumulator.
 */
export class TopFn<T> extends CombineFn<T, TopAccumulator<T>, T[]> {
  readonly n: number;
  readonly compare: Comparator<T>;
  readonly smallest: boolean;

  constructor(n: number, options: TopOptions<T> = {}) {
    super();
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Top needs a count n >= 0, got ${n}`);
    this.n = n;
    this.compare = options.compare ?? (naturalCompare as Comparator<T>);
    this.smallest = options.smallest ?? false;
  }

  /** > 0 when a ranks above b in the output (is kept in preference to b). */
  private rank(a: T, b: T): number {
    return this.smallest ? this.compare(b, a) : this.compare(a, b);
  }

  createAccumulator(): TopAccumulator<T> {
    return [];
  }

  addInput(heap: TopAccumulator<T>, input: T): TopAccumulator<T> {
    const n = this.n;
    if (n === 0) return heap;
    if (heap.length < n) {
      heap.push(input);
      this.siftUp(heap, heap.length - 1);
    } else if (this.rank(input, heap[0]!) > 0) {
      heap[0] = input;
      this.siftDown(heap, 0);
    }
    return heap;
  }

  mergeAccumulators(accs: Iterable<TopAccumulator<T>>): TopAccumulator<T> {
    let out: TopAccumulator<T> | undefined;
    for (const a of accs) {
      if (out === undefined) {
        out = a.slice();
        continue;
      }
      for (const x of a) this.addInput(out, x);
    }
    return out ?? [];
  }

  extractOutput(heap: TopAccumulator<T>): T[] {
    return heap.slice().sort((a, b) => this.rank(b, a));
  }

  override accumulatorCoder(inputCoder: Coder<T>): Coder<TopAccumulator<T>> {
    return IterableCoder.of(inputCoder) as unknown as Coder<T[]>;
  }

  override outputCoder(inputCoder: Coder<T>): Coder<T[]> {
    return IterableCoder.of(inputCoder) as unknown as Coder<T[]>;
  }

  override displayName(): string {
    return "Top";
  }

  // The heap: heap[0] ranks lowest; each parent ranks no higher than its children.
  private siftUp(heap: T[], i: number): void {
    const x = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.rank(heap[p]!, x) <= 0) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = x;
  }

  private siftDown(heap: T[], i: number): void {
    const len = heap.length;
    const x = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= len) break;
      const r = l + 1;
      const c = r < len && this.rank(heap[r]!, heap[l]!) < 0 ? r : l;
      if (this.rank(heap[c]!, x) >= 0) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = x;
  }
}

registerKnown("flowbook.TopFn", TopFn);
