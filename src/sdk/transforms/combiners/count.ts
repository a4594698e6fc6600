/**
 * CountFn: how many inputs there were. Beam: Count.combineFn(). Count.perElement,
 * Count.globally and Count.perKey (in ../count.ts) are built on it.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";
import type { Coder } from "../../coders/coder.js";
import { VarLongCoder } from "../../coders/var_long_coder.js";
import { CombineFn } from "../combine_fn.js";

/** Counts its inputs, whatever they are. The empty count is 0. */
export class CountFn<T = unknown> extends CombineFn<T, number, number> {
  createAccumulator(): number {
    return 0;
  }

  addInput(acc: number, _input: T): number {
    return acc + 1;
  }

  mergeAccumulators(accs: Iterable<number>): number {
    let n = 0;
    for (const a of accs) n += a;
    return n;
  }

  extractOutput(acc: number): number {
    return acc;
  }

  override accumulatorCoder(_inputCoder: Coder<T>): Coder<number> {
    return VarLongCoder.of();
  }

  override outputCoder(_inputCoder: Coder<T>): Coder<number> {
    return VarLongCoder.of();
  }

  /**
   * "count": Java's Count.combineFn() counts inputs of any type into a long and encodes
   * it with VarLongCoder, exactly as this does (counts stay below 2^53), so the Flink
   * runner may count natively whatever the input coder.
   */
  override knownCombiner(): string | undefined {
    return "count";
  }

  override displayName(): string {
    return "Count";
  }
}

registerKnown("flowbook.CountFn", CountFn);
