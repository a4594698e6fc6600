import type { WindowedValueCoder } from "../../../sdk/coders/windowed_value_coder.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { ChunkedOutput } from "../../shared/chunked_output.js";
import type { Operator } from "./receiver.js";

/** Keeps a PCollection's elements (encoded) for side inputs, Flatten, and collect(). */
export class MaterializeOp implements Operator {
  readonly out = new ChunkedOutput(256 * 1024);
  total = 0;
  constructor(private readonly coder: WindowedValueCoder<unknown>, private readonly limit: number | undefined) {}
  start(): void {}
  finish(): void {}
  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  /** A sample (a limit) that has its elements: more would be dropped. */
  get full(): boolean {
    return this.limit !== undefined && this.out.count >= this.limit;
  }
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    this.total++;
    if (this.limit !== undefined && this.out.count >= this.limit) return;
    this.coder.encode(wv, this.out.writer);
    this.out.endRecord();
  }
}
