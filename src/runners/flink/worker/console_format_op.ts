import { formatElement } from "../../../io/console/console_sink.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { Operator, Receiver } from "../../harness/operators/receiver.js";

/**
 * ConsoleIO.write's formatting, for the bridge's console sink to print: each element as
 * the local runner prints it, at most `limit` per writer, then one "… (more …)" line.
 */
export class ConsoleFormatOp implements Operator {
  private printed = 0;
  private truncated = false;
  constructor(private readonly limit: number | null, private readonly out: Receiver) {}
  start(): void {}
  finish(): void {}
  process(wv: WindowedValue<unknown>): void {
    if (this.limit != null && this.printed >= this.limit) {
      if (!this.truncated) {
        this.truncated = true;
        this.out.process({ ...wv, value: `… (more elements not printed: limit ${this.limit})` });
      }
      return;
    }
    this.printed++;
    this.out.process({ ...wv, value: formatElement(wv.value) });
  }
}
