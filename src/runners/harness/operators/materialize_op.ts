import type { WindowedValueCoder } from "../../../sdk/coders/windowed_value_coder.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { ChunkedOutput } from "../../shared/chunked_output.js";
import { TIMESTAMP_MAX } from "../../../sdk/values/time.js";
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
  /** The earliest event timestamp received (TIMESTAMP_MAX: none): what the materialized bundle holds its readers' watermarks at. */
  minTimestamp = TIMESTAMP_MAX;
  /** A sample (a limit) that has its elements: more would be dropped. */
  get full(): boolean {
    return this.limit !== undefined && this.out.count >= this.limit;
  }
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    this.total++;
    if (wv.timestamp < this.minTimestamp) this.minTimestamp = wv.timestamp;
    if (this.limit !== undefined && this.out.count >= this.limit) return;
    this.coder.encode(wv, this.out.writer);
    this.out.endRecord();
  }
}
