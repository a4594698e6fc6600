import type { WindowedValueCoder } from "../../../sdk/coders/windowed_value_coder.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { ShuffleRun } from "../shuffle/runs.js";
import { UnsortedRunWriter, type SpillConfig } from "../shuffle/writer.js";
import type { Operator } from "./receiver.js";

/**
 * Spreads elements round-robin over a fixed number of partitions (a sink's shards); above
 * its memory budget the partitions spill to a file (harness/shuffle), in write order.
 */
export class ReshuffleWrite implements Operator {
  private readonly writer: UnsortedRunWriter;
  private next: number;
  constructor(private readonly coder: WindowedValueCoder<unknown>, partitions: number, taskIndex: number, spill?: SpillConfig) {
    this.writer = new UnsortedRunWriter(partitions, spill);
    this.next = taskIndex % partitions;
  }
  start(): void {}
  finish(): void {}
  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    const p = this.next;
    this.next = (p + 1) % this.writer.parts.length;
    const w = this.writer.parts[p]!.writer;
    const before = w.length;
    this.coder.encode(wv, w);
    this.writer.endRecord(p, w.length - before);
  }
  /** Per partition, this task's runs. */
  takeRuns(): ShuffleRun[][] {
    return this.writer.takeRuns();
  }
}
