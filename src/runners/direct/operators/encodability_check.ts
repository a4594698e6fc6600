import type { Coder } from "../../../sdk/coders/coder.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Receiver } from "./receiver.js";

/**
 * Dataflow's encodability check: every element is encoded and decoded with its
 * PCollection's coder, and the decoded copy goes on, so a pipeline that works
 * here also works where elements really cross machines.
 */
export class EncodabilityCheck implements Receiver {
  constructor(
    private readonly next: Receiver,
    private readonly coder: Coder<unknown>,
    private readonly producer: string,
    private readonly pcollection: string,
  ) {}

  process(wv: WindowedValue<unknown>): void {
    let copy: unknown;
    try {
      copy = this.coder.decodeFromBytes(this.coder.encodeToBytes(wv.value));
    } catch (e) {
      const err = new Error(
        `the output ${this.pcollection} cannot be encoded with ${this.coder}: ${(e as Error).message}. ` +
          `Set a coder that fits the elements with .setCoder(...) (or turn this check off with enforceEncodability: false)`,
      );
      throw UserCodeError.from(this.producer, wv.value, true, err);
    }
    this.next.process({ value: copy, timestamp: wv.timestamp, windows: wv.windows, pane: wv.pane });
  }
}
