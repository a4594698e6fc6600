import type { WindowedValueCoder } from "../../../sdk/coders/windowed_value_coder.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { ChunkedOutput } from "../../shared/chunked_output.js";
import type { Operator } from "./receiver.js";

/** Spreads elements round-robin over a fixed number of partitions (a sink's shards). */
export class ReshuffleWrite implements Operator {
  readonly parts: ChunkedOutput[];
  private next: number;
  constructor(private readonly coder: WindowedValueCoder<unknown>, partitions: number, taskIndex: number) {
    this.parts = Array.from({ length: partitions }, () => new ChunkedOutput());
    this.next = taskIndex % partitions;
  }
  start(): void {}
  finish(): void {}
  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    const p = this.parts[this.next]!;
    this.next = (this.next + 1) % this.parts.length;
    this.coder.encode(wv, p.writer);
    p.endRecord();
  }
  take(): Uint8Array[][] {
    return this.parts.map((p) => p.take());
  }
}
