/**
 * MeanFn: the arithmetic mean of numbers (bigints are converted to numbers).
 * Beam: Mean.of(), with its CountSum accumulator.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";
import type { ByteReader, ByteWriter } from "../../coders/byte_io.js";
import { Coder, registerCoder } from "../../coders/coder.js";
import { DoubleCoder } from "../../coders/double_coder.js";
import { CombineFn } from "../combine_fn.js";

/** How many inputs, and their sum as a double. */
export interface MeanAccumulator {
  count: number;
  sum: number;
}

/**
 * Beam's Mean.CountSumCoder layout: the count as a big-endian int64 (BigEndianLongCoder),
 * then the sum as a big-endian double (DoubleCoder), so a Java-side mean reads the same
 * 16 bytes.
 */
export class MeanAccumulatorCoder extends Coder<MeanAccumulator> {
  static readonly URN = "flowbook:coder:mean_accumulator:v1";
  static readonly INSTANCE = new MeanAccumulatorCoder();
  readonly urn = MeanAccumulatorCoder.URN;

  static of(): MeanAccumulatorCoder {
    return MeanAccumulatorCoder.INSTANCE;
  }

  encode(value: MeanAccumulator, out: ByteWriter): void {
    out.int64BE(BigInt(value.count));
    out.float64BE(value.sum);
  }

  decode(input: ByteReader): MeanAccumulator {
    const count = Number(input.int64BE());
    const sum = input.float64BE();
    return { count, sum };
  }
}
registerCoder(MeanAccumulatorCoder.URN, () => MeanAccumulatorCoder.INSTANCE);

/** The mean of its inputs; NaN for no inputs (as Beam's Mean). */
export class MeanFn<T extends number | bigint = number> extends CombineFn<T, MeanAccumulator, number> {
  createAccumulator(): MeanAccumulator {
    return { count: 0, sum: 0 };
  }

  addInput(acc: MeanAccumulator, input: T): MeanAccumulator {
    if (typeof input !== "number" && typeof input !== "bigint") {
      throw new TypeError(`MeanFn averages numbers, got ${input === null ? "null" : typeof input}`);
    }
    acc.count += 1;
    acc.sum += Number(input);
    return acc;
  }

  mergeAccumulators(accs: Iterable<MeanAccumulator>): MeanAccumulator {
    const out = { count: 0, sum: 0 };
    for (const a of accs) {
      out.count += a.count;
      out.sum += a.sum;
    }
    return out;
  }

  extractOutput(acc: MeanAccumulator): number {
    return acc.count === 0 ? NaN : acc.sum / acc.count;
  }

  override accumulatorCoder(_inputCoder: Coder<T>): Coder<MeanAccumulator> {
    return MeanAccumulatorCoder.of();
  }

  override outputCoder(_inputCoder: Coder<T>): Coder<number> {
    return DoubleCoder.of();
  }

  /**
   * "mean": Java's Mean.of() over longs or doubles keeps a long count and a double sum
   * and returns sum / count (NaN when empty), exactly this accumulator and output, so the
   * Flink runner may average VarLongCoder or DoubleCoder input natively.
   */
  override knownCombiner(): string | undefined {
    return "mean";
  }

  override displayName(): string {
    return "Mean";
  }
}

registerKnown("flowbook.MeanFn", MeanFn);
registerKnown("flowbook.MeanAccumulatorCoder", MeanAccumulatorCoder);
