import type { Coder } from "../../../sdk/coders/coder.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { CheckSampler } from "../../shared/check_sampling.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Receiver } from "./receiver.js";

/**
 * Dataflow's encodability check: an element is encoded and decoded with its
 * PCollection's coder, and the decoded copy goes on, so a pipeline that works
 * here also works where elements really cross machines.
 *
 * Which elements are checked is the sampler's choice (shared/check_sampling.ts): all of
 * them with `checks: "all"`; by default the first ones, then a thin sample. An element the
 * sample skips goes on as it is (the original object, not a copy): a later step that keeps
 * it and one that changes it then share it, as they would with the check off.
 */
export class EncodabilityCheck implements Receiver {
  constructor(
    /** Where elements go (the checked ones as their decoded copies). */
    readonly next: Receiver,
    private readonly coder: Coder<unknown>,
    private readonly producer: string,
    private readonly pcollection: string,
    /** Which elements are checked; a producer on the hot path may ask it itself (ParDoOp). */
    readonly sampler: CheckSampler = new CheckSampler("", true),
  ) {}

  process(wv: WindowedValue<unknown>): void {
    if (!this.sampler.take()) {
      this.next.process(wv);
      return;
    }
    this.checkAndForward(wv);
  }

  /** Checks this element (the sampler chose it) and forwards its decoded copy. */
  checkAndForward(wv: WindowedValue<unknown>): void {
    let copy: unknown;
    let bytes: Uint8Array;
    try {
      bytes = this.coder.encodeToBytes(wv.value);
      copy = this.coder.decodeFromBytes(bytes);
    } catch (e) {
      const err = new Error(
        `the output ${this.pcollection} cannot be encoded with ${this.coder}: ${(e as Error).message}. ` +
          `Set a coder that fits the elements with .setCoder(...) (or turn this check off with enforceEncodability: false)`,
      );
      throw UserCodeError.from(this.producer, wv.value, true, err);
    }
    // A coder must be consistent: what it decodes encodes to the same bytes again.
    const again = this.coder.encodeToBytes(copy);
    if (!Buffer.from(again).equals(Buffer.from(bytes))) {
      throw UserCodeError.from(
        this.producer,
        wv.value,
        true,
        new Error(`${this.coder} does not round-trip the elements of ${this.pcollection}: a decoded element encodes to different bytes. Fix the coder (or turn this check off with enforceEncodability: false)`),
      );
    }
    this.next.process({ value: copy, timestamp: wv.timestamp, windows: wv.windows, pane: wv.pane });
  }
}
