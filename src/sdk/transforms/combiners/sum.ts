/**
 * SumFn: the sum of numbers or bigints. Beam: Sum.ofIntegers/ofLongs/ofDoubles.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";
import type { Coder } from "../../coders/coder.js";
import { DoubleCoder } from "../../coders/double_coder.js";
import { VarLongCoder } from "../../coders/var_long_coder.js";
import { CombineFn } from "../combine_fn.js";

export type Numeric = number | bigint;

/**
 * Adds two numerics the way SumFn does: bigints exactly, a bigint with an integral number
 * exactly, numbers as IEEE doubles, except that two safe integers (what VarLongCoder
 * decodes to numbers) whose sum leaves the safe range are added exactly into a bigint
 * (what VarLongCoder decodes such a value to). So integer sums are exact through the
 * 64-bit range, as Java's long sums are. With `doubles`, numbers are always IEEE sums.
 */
export function addNumeric(a: Numeric, b: Numeric, doubles = false): Numeric {
  if (doubles) return Number(a) + Number(b);
  if (typeof a === "number" && typeof b === "number") {
    const s = a + b;
    if (Number.isSafeInteger(s) || !Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return s;
    return BigInt(a) + BigInt(b);
  }
  if (typeof a === "bigint" && typeof b === "bigint") return a + b;
  const big = (typeof a === "bigint" ? a : b) as bigint;
  const num = (typeof a === "number" ? a : b) as number;
  if (typeof num !== "number" || typeof big !== "bigint") throw notNumeric(typeof a === "bigint" ? b : a);
  if (!Number.isInteger(num)) {
    throw new TypeError(`SumFn cannot add the fractional number ${num} to the bigint ${big}n: sum numbers or bigints, not both`);
  }
  return big + BigInt(num);
}

function notNumeric(x: unknown): TypeError {
  return new TypeError(`SumFn sums numbers and bigints, got ${x === null ? "null" : typeof x}${typeof x === "string" ? ` (${JSON.stringify(x)})` : ""}`);
}

/** A bigint back to a number where that loses nothing. */
function normalize(x: Numeric): Numeric {
  if (typeof x === "bigint" && x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(x);
  return x;
}

export interface SumOptions {
  /**
   * Sum numbers as IEEE doubles only (Beam's Sum.ofDoubles): no exact bigint results
   * past 2^53, bigints are converted to numbers. Sum.doublesGlobally/PerKey set it.
   */
  doubles?: boolean;
}

/**
 * Sums numbers, bigints, or integral numbers mixed with bigints. The empty sum is 0.
 *
 * Integer sums are exact: a sum of safe integers that leaves the safe-integer range comes
 * back as a bigint (as VarLongCoder decodes values out of that range), so the result is
 * `number | bigint` at run time even when the elements are numbers; a sum that fits is
 * always a number. `new SumFn({ doubles: true })` sums as doubles only.
 */
export class SumFn<T extends Numeric = number> extends CombineFn<T, Numeric, T> {
  readonly doubles: boolean;

  constructor(options: SumOptions = {}) {
    super();
    this.doubles = options.doubles ?? false;
  }

  createAccumulator(): Numeric {
    return 0;
  }

  addInput(acc: Numeric, input: T): Numeric {
    if (typeof input !== "number" && typeof input !== "bigint") throw notNumeric(input);
    return addNumeric(acc, input, this.doubles);
  }

  mergeAccumulators(accs: Iterable<Numeric>): Numeric {
    let s: Numeric = 0;
    for (const a of accs) s = addNumeric(s, a, this.doubles);
    return s;
  }

  extractOutput(acc: Numeric): T {
    return (this.doubles ? Number(acc) : normalize(acc)) as T;
  }

  override accumulatorCoder(inputCoder: Coder<T>): Coder<Numeric> | undefined {
    if (inputCoder instanceof VarLongCoder && !this.doubles) return VarLongCoder.of<Numeric>();
    if (inputCoder instanceof DoubleCoder && this.doubles) return DoubleCoder.of() as Coder<number> as Coder<Numeric>;
    return undefined;
  }

  override outputCoder(inputCoder: Coder<T>): Coder<T> | undefined {
    if (inputCoder instanceof VarLongCoder && !this.doubles) return VarLongCoder.of<T>();
    if (inputCoder instanceof DoubleCoder && this.doubles) return inputCoder as Coder<T>;
    return undefined;
  }

  /**
   * "sum": the Flink runner may sum natively when the input coder is VarLongCoder (Java's
   * Sum.ofLongs: exact long addition, as this is without `doubles`) or DoubleCoder (Java's
   * Sum.ofDoubles: IEEE addition, as this is with `doubles`). Over varints the results
   * are equal while the sum fits in 64 bits (Java wraps beyond that; we would produce a
   * bigint no VarLongCoder can encode, an error either way). Over doubles both are IEEE
   * sums; the order of additions differs between any two splits of the input anyway, so
   * the last bits may differ as they may between two runs. The runner must check the
   * input coder against `doubles` (VarLong ⇔ !doubles, Double ⇔ doubles), as the
   * accumulator and output coders do.
   */
  override knownCombiner(): string | undefined {
    return "sum";
  }

  override displayName(): string {
    return "Sum";
  }
}

registerKnown("flowbook.SumFn", SumFn);
