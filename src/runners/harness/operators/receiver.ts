import type { WindowedValue } from "../../../sdk/values/windowed_value.js";

/** Something elements are pushed into, synchronously, one at a time. */
export interface Receiver {
  process(wv: WindowedValue<unknown>): void;
}

/** A stage operation: started before the bundle, finished (flushed) after it, in plan order. */
export interface Operator extends Receiver {
  start(): void | Promise<void>;
  finish(): void | Promise<void>;
  /** Called when the task fails, to drop what it would have left (temporary files). */
  abort?(): Promise<void>;
  /** Elements received so far, for run progress (the local runner's operators count; others may not). */
  readonly elementsIn?: number;
}

/** Pushes to every receiver of a PCollection (usually exactly one). */
export function fanOut(receivers: Receiver[]): Receiver {
  if (receivers.length === 1) return receivers[0]!;
  if (receivers.length === 0) return { process() {} };
  return {
    process(wv) {
      for (let i = 0; i < receivers.length; i++) receivers[i]!.process(wv);
    },
  };
}
