/**
 * ApproximateQuantilesFn: approximate N-tiles in bounded memory. Beam:
 * ApproximateQuantiles.ApproximateQuantilesCombineFn, with its algorithm:
 *
 *   [MRL98] Manku, Rajagopalan & Lindsay, "Approximate Medians and other Quantiles in One
 *   Pass and with Limited Memory", Proc. 1998 ACM SIGMOD, pp. 426-435 (the "New
 *   Algorithm", a generalization of Munro-Paterson).
 *
 * Inputs are gathered into sorted buffers of k elements; a buffer has a level and a
 * weight (how many inputs each of its elements stands for). When there are more than b
 * buffers, the lowest-level ones are collapsed into one of the next level by taking every
 * weight-th element of their weighted, sorted union. So an accumulator holds at most
 * b·k + k - 1 elements whatever the input size, and until more than b full buffers have
 * been seen nothing is collapsed and the result is exact (the sorted input's elements at
 * the evenly spaced ranks). b and k are chosen from epsilon and the largest expected
 * input size N so that each returned quantile's rank is within epsilon·N of the exact
 * one: the smallest b with (b-2)·2^(b-2) >= epsilon·N, less one, and k = ⌈N / 2^(b-1)⌉.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";
import type { ByteReader, ByteWriter } from "../../coders/byte_io.js";
import { Coder, registerCoder } from "../../coders/coder.js";
import { IterableCoder } from "../../coders/iterable_coder.js";
import { NullableCoder } from "../../coders/nullable_coder.js";
import { CombineFn } from "../combine_fn.js";
import { naturalCompare, type Comparator } from "./compare.js";

/** Beam's default bound on the input size the error guarantee is computed for: 10^9. */
export const DEFAULT_MAX_NUM_ELEMENTS = 1e9;

/** A sorted buffer whose elements each stand for `weight` inputs. */
export interface QuantileBuffer<T> {
  level: number;
  weight: number;
  elements: T[];
}

/** The accumulator: extremes, the not-yet-full buffer, and the full buffers by level. */
export interface QuantileState<T> {
  min: T | null;
  max: T | null;
  /** Inputs not yet in a full buffer (fewer than bufferSize). */
  unbuffered: T[];
  /** Full buffers, ordered by level, lowest first. */
  buffers: QuantileBuffer<T>[];
  /** Alternates rounding up and down when collapsing to an even weight (avoids bias). */
  offsetJitter: number;
}

export interface ApproximateQuantilesOptions<T> {
  /** The ordering; the natural order if absent. */
  compare?: Comparator<T>;
  /** The error bound as a fraction of the input size; 1 / numQuantiles if absent. */
  epsilon?: number;
  /** The input size the error bound must hold for; 10^9 if absent. */
  maxInputSize?: number;
}

/** Beam's choice of b (numBuffers) and k (bufferSize) for an error bound and input size. */
export function optimalBuffers(epsilon: number, maxNumElements: number): { numBuffers: number; bufferSize: number } {
  let b = 2;
  while ((b - 2) * 2 ** (b - 2) < epsilon * maxNumElements) b++;
  b--;
  const k = Math.max(2, Math.ceil(maxNumElements / 2 ** (b - 1)));
  return { numBuffers: b, bufferSize: k };
}

/**
 * The approximate N-tiles of the inputs: a list of numQuantiles elements, the least
 * input, numQuantiles - 2 evenly spaced intermediate ones and the greatest input, in
 * ascending order under `compare`. For traditional N-tiles (quartiles: N = 4) ask for
 * N + 1. An empty input gives an empty list; fewer inputs than numQuantiles give inputs
 * repeated at the evenly spaced ranks (a single input x gives [x, x, ..., x]), as Beam.
 */
export class ApproximateQuantilesFn<T> extends CombineFn<T, QuantileState<T>, T[]> {
  readonly numQuantiles: number;
  readonly compare: Comparator<T>;
  readonly epsilon: number;
  readonly maxInputSize: number;
  /** k in the paper. */
  readonly bufferSize: number;
  /** b in the paper. */
  readonly numBuffers: number;

  constructor(numQuantiles: number, options: ApproximateQuantilesOptions<T> = {}) {
    super();
    if (!Number.isSafeInteger(numQuantiles) || numQuantiles < 2) {
      throw new RangeError(`ApproximateQuantiles needs numQuantiles >= 2 (the least and the greatest element at least), got ${numQuantiles}`);
    }
    const epsilon = options.epsilon ?? 1 / numQuantiles;
    const maxInputSize = options.maxInputSize ?? DEFAULT_MAX_NUM_ELEMENTS;
    if (!(epsilon > 0 && epsilon < 1)) throw new RangeError(`ApproximateQuantiles needs 0 < epsilon < 1, got ${epsilon}`);
    if (!(maxInputSize >= 1)) throw new RangeError(`ApproximateQuantiles needs maxInputSize >= 1, got ${maxInputSize}`);
    this.numQuantiles = numQuantiles;
    this.compare = options.compare ?? (naturalCompare as Comparator<T>);
    this.epsilon = epsilon;
    this.maxInputSize = maxInputSize;
    const { numBuffers, bufferSize } = optimalBuffers(epsilon, maxInputSize);
    this.numBuffers = numBuffers;
    this.bufferSize = bufferSize;
  }

  /** Like this one with another error bound (Beam: withEpsilon). */
  withEpsilon(epsilon: number): ApproximateQuantilesFn<T> {
    return new ApproximateQuantilesFn(this.numQuantiles, { compare: this.compare, epsilon, maxInputSize: this.maxInputSize });
  }

  /** Like this one for another expected input size (Beam: withMaxInputSize). */
  withMaxInputSize(maxInputSize: number): ApproximateQuantilesFn<T> {
    return new ApproximateQuantilesFn(this.numQuantiles, { compare: this.compare, epsilon: this.epsilon, maxInputSize });
  }

  createAccumulator(): QuantileState<T> {
    return { min: null, max: null, unbuffered: [], buffers: [], offsetJitter: 0 };
  }

  addInput(state: QuantileState<T>, elem: T): QuantileState<T> {
    if (elem === null || elem === undefined) {
      throw new TypeError(`ApproximateQuantiles got ${String(elem)}: filter out missing values first`);
    }
    if (isEmpty(state)) {
      state.min = state.max = elem;
    } else if (this.compare(elem, state.min as T) < 0) {
      state.min = elem;
    } else if (this.compare(elem, state.max as T) > 0) {
      state.max = elem;
    }
    this.addUnbuffered(state, elem);
    return state;
  }

  mergeAccumulators(accs: Iterable<QuantileState<T>>): QuantileState<T> {
    let out: QuantileState<T> | undefined;
    for (const other of accs) {
      if (out === undefined) {
        out = { ...other, unbuffered: other.unbuffered.slice(), buffers: other.buffers.slice() };
        continue;
      }
      if (isEmpty(other)) continue;
      if (out.min === null || this.compare(other.min as T, out.min) < 0) out.min = other.min;
      if (out.max === null || this.compare(other.max as T, out.max) > 0) out.max = other.max;
      for (const elem of other.unbuffered) this.addUnbuffered(out, elem);
      for (const b of other.buffers) insertBuffer(out.buffers, b);
      this.collapseIfNeeded(out);
    }
    return out ?? this.createAccumulator();
  }

  extractOutput(state: QuantileState<T>): T[] {
    if (isEmpty(state)) return [];
    let totalCount = state.unbuffered.length;
    for (const b of state.buffers) totalCount += this.bufferSize * b.weight;
    const all = state.buffers.slice();
    if (state.unbuffered.length > 0) {
      all.push({ level: 0, weight: 1, elements: state.unbuffered.slice().sort(this.compare) });
    }
    const q = this.numQuantiles;
    const step = totalCount / (q - 1);
    const offset = (totalCount - 1) / (q - 1);
    const quantiles = this.interpolate(all, q - 2, step, offset);
    return [state.min as T, ...quantiles, state.max as T];
  }

  override accumulatorCoder(inputCoder: Coder<T>): Coder<QuantileState<T>> {
    return QuantileStateCoder.of(inputCoder);
  }

  override outputCoder(inputCoder: Coder<T>): Coder<T[]> {
    return IterableCoder.of(inputCoder) as unknown as Coder<T[]>;
  }

  override displayName(): string {
    return "ApproximateQuantiles";
  }

  private addUnbuffered(state: QuantileState<T>, elem: T): void {
    state.unbuffered.push(elem);
    if (state.unbuffered.length === this.bufferSize) {
      const elements = state.unbuffered.sort(this.compare);
      state.unbuffered = [];
      insertBuffer(state.buffers, { level: 0, weight: 1, elements });
      this.collapseIfNeeded(state);
    }
  }

  private collapseIfNeeded(state: QuantileState<T>): void {
    const buffers = state.buffers;
    while (buffers.length > this.numBuffers) {
      const toCollapse = [buffers.shift()!, buffers.shift()!];
      const minLevel = toCollapse[1]!.level;
      while (buffers.length > 0 && buffers[0]!.level === minLevel) toCollapse.push(buffers.shift()!);
      insertBuffer(buffers, this.collapse(state, toCollapse));
    }
  }

  private collapse(state: QuantileState<T>, buffers: QuantileBuffer<T>[]): QuantileBuffer<T> {
    let newLevel = 0;
    let newWeight = 0;
    for (const b of buffers) {
      // As in the paper there are at least two buffers of the (minimal) level, except when
      // merging independently built accumulators; then take the greater level.
      newLevel = Math.max(newLevel, b.level + 1);
      newWeight += b.weight;
    }
    let offset: number;
    if (newWeight % 2 === 1) {
      offset = (newWeight + 1) / 2;
    } else {
      state.offsetJitter = 2 - state.offsetJitter;
      offset = (newWeight + state.offsetJitter) / 2;
    }
    return { level: newLevel, weight: newWeight, elements: this.interpolate(buffers, this.bufferSize, newWeight, offset) };
  }

  /**
   * As if taking the sorted union of the buffers with each element repeated `weight`
   * times, picks the elements at positions (j · step + offset) for 0 <= j < count.
   */
  private interpolate(buffers: QuantileBuffer<T>[], count: number, step: number, offset: number): T[] {
    const weighted: { v: T; w: number }[] = [];
    for (const b of buffers) for (const v of b.elements) weighted.push({ v, w: b.weight });
    // Each buffer is a sorted run; the sort (TimSort in V8) merges the runs.
    weighted.sort((a, b) => this.compare(a.v, b.v));
    const out: T[] = [];
    if (weighted.length === 0) return out;
    let i = 0;
    let current = weighted[0]!.w;
    for (let j = 0; j < count; j++) {
      const target = j * step + offset;
      while (current <= target && i + 1 < weighted.length) {
        i++;
        current += weighted[i]!.w;
      }
      out.push(weighted[i]!.v);
    }
    return out;
  }
}

function isEmpty<T>(state: QuantileState<T>): boolean {
  return state.unbuffered.length === 0 && state.buffers.length === 0;
}

/** Inserts keeping the list ordered by level (after buffers of the same level). */
function insertBuffer<T>(buffers: QuantileBuffer<T>[], b: QuantileBuffer<T>): void {
  let i = buffers.length;
  while (i > 0 && buffers[i - 1]!.level > b.level) i--;
  buffers.splice(i, 0, b);
}

/**
 * A QuantileState: min and max (nullable), the unbuffered elements, the buffer count
 * (int32), each buffer as level (int32), weight (int64) and elements, then the jitter.
 */
export class QuantileStateCoder<T> extends Coder<QuantileState<T>> {
  static readonly URN = "flowbook:coder:quantile_state:v1";
  readonly urn = QuantileStateCoder.URN;
  private readonly nullable: NullableCoder<T>;
  private readonly list: IterableCoder<T>;

  constructor(readonly elementCoder: Coder<T>) {
    super();
    this.nullable = NullableCoder.of(elementCoder);
    this.list = IterableCoder.of(elementCoder);
  }

  static of<T>(elementCoder: Coder<T>): QuantileStateCoder<T> {
    return new QuantileStateCoder(elementCoder);
  }

  encode(s: QuantileState<T>, out: ByteWriter): void {
    this.nullable.encode(s.min, out);
    this.nullable.encode(s.max, out);
    this.list.encode(s.unbuffered, out);
    out.int32BE(s.buffers.length);
    for (const b of s.buffers) {
      out.int32BE(b.level);
      out.int64BE(BigInt(b.weight));
      this.list.encode(b.elements, out);
    }
    out.byte(s.offsetJitter);
  }

  decode(input: ByteReader): QuantileState<T> {
    const min = this.nullable.decode(input);
    const max = this.nullable.decode(input);
    const unbuffered = this.list.decode(input);
    const n = input.int32BE("the buffer count of a quantile state");
    const buffers: QuantileBuffer<T>[] = [];
    for (let i = 0; i < n; i++) {
      const level = input.int32BE("a quantile buffer's level");
      const weight = Number(input.int64BE("a quantile buffer's weight"));
      buffers.push({ level, weight, elements: this.list.decode(input) });
    }
    const offsetJitter = input.byte("a quantile state's jitter");
    return { min, max, unbuffered, buffers, offsetJitter };
  }

  override isDeterministic(): boolean {
    return this.elementCoder.isDeterministic();
  }

  override components(): Coder<unknown>[] {
    return [this.elementCoder as Coder<unknown>];
  }
}
registerCoder(QuantileStateCoder.URN, (components) => {
  if (components.length !== 1) throw new Error(`${QuantileStateCoder.URN} needs 1 component coder, got ${components.length}`);
  return new QuantileStateCoder(components[0]!);
});

registerKnown("flowbook.ApproximateQuantilesFn", ApproximateQuantilesFn);
registerKnown("flowbook.QuantileStateCoder", QuantileStateCoder);
