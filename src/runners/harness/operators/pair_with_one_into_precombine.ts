import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { Operator } from "./receiver.js";
import type { PrecombineWrite } from "./precombine_write.js";

/**
 * Count.perElement's Init (element → KV(element, 1)) fused into the lifted combine
 * that follows it: the library DoFn has no user code, so the runner adds each element
 * under its own key directly, without a KV or an element object per word.
 */
export class PairWithOneIntoPrecombine implements Operator {
  constructor(private readonly precombine: PrecombineWrite) {}
  start(): void {}
  finish(): void {}
  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    this.precombine.addOne(wv.value, wv);
  }

  /** Whether `count` may stand for process(): the pre-combine counts with no window (PrecombineWrite.countOne). */
  get countsDirectly(): boolean {
    return this.precombine.countingGlobal;
  }

  /**
   * One element counted, with no WindowedValue: what a ParDo whose main output this is calls
   * for each output (ParDoOp), two calls fewer per word of a WordCount.
   */
  count(value: unknown, timestamp: number): void {
    this.elementsIn++;
    this.precombine.countOne(value, timestamp);
  }
}
