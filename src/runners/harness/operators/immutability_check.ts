import type { TransformNode } from "../../../graph/types.js";
import type { Coder } from "../../../sdk/coders/coder.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { CheckSampler } from "../../shared/check_sampling.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Operator } from "./receiver.js";

/**
 * Dataflow's immutability check around a ParDo: a sampled element (shared/check_sampling.ts)
 * is encoded with the input's coder before the DoFn sees it and again after, and the DoFn
 * fails if the bytes differ. Elements the sample skips reach the DoFn unchecked.
 *
 * It wraps the ParDo's operator rather than living in it, so that the elements it skips
 * cost one counter; it counts as the ParDo (`elementsIn`), being its input's consumer.
 */
export class ImmutabilityCheck implements Operator {
  constructor(
    private readonly inner: Operator,
    private readonly transform: TransformNode,
    private readonly inputCoder: Coder<unknown>,
    private readonly sampler: CheckSampler,
  ) {}

  get elementsIn(): number | undefined {
    return this.inner.elementsIn;
  }

  start(): void | Promise<void> {
    return this.inner.start();
  }

  finish(): void | Promise<void> {
    return this.inner.finish();
  }

  abort(): Promise<void> {
    return this.inner.abort?.() ?? Promise.resolve();
  }

  process(wv: WindowedValue<unknown>): void {
    if (!this.sampler.take()) {
      this.inner.process(wv);
      return;
    }
    const before = this.encode(wv.value);
    this.inner.process(wv);
    const after = this.inputCoder.encodeToBytes(wv.value);
    if (!Buffer.from(before).equals(Buffer.from(after))) {
      throw UserCodeError.from(
        this.transform.fullName,
        wv.value,
        true,
        new Error("the DoFn mutated its input element; DoFns must not change their inputs (copy the element, change the copy). Turn this check off with enforceImmutability: false"),
      );
    }
  }

  private encode(value: unknown): Uint8Array {
    try {
      return this.inputCoder.encodeToBytes(value);
    } catch (e) {
      throw UserCodeError.from(
        this.transform.fullName,
        value,
        true,
        new Error(
          `cannot check that the DoFn leaves its input unchanged (enforceImmutability): the element cannot be encoded with ${this.inputCoder}: ${(e as Error).message}. ` +
            `Set a coder that fits with .setCoder(...), or turn the check off with enforceImmutability: false`,
        ),
      );
    }
  }
}
