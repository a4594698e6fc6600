/**
 * Where a fused stage's time goes, per operator, without a clock read per element (issue 15,
 * point 5): every TIMING_SAMPLE-th element into the stage is timed through the operators it
 * reaches, and an operator's own time is its call's time less the calls it made into the
 * operators it feeds. The sample, scaled by the stage's input over the timed input, stands
 * for every element; finishes (a pre-combine's flush) are timed in full. Both runners' workers
 * use it: the local runner's threads and Flink's Node workers.
 */
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import type { Operator, Receiver } from "./operators/receiver.js";

/** Every this-many-th input element of a stage is timed (the rest run untimed: one boolean test per call). */
export const TIMING_SAMPLE = 16;

/** One operator's own time so far: over the timed elements, and its finishes. */
export interface OpTime {
  sampledMs: number;
  finishMs: number;
}

export function newOpTime(): OpTime {
  return { sampledMs: 0, finishMs: 0 };
}

export class StageTiming {
  /** While on (a sampled element, a finish), timed operators clock their calls. */
  private on = false;
  /** Inclusive time of the nested calls made at the current level (ms). */
  private child = 0;
  private headCount = 0;
  private headTimed = 0;

  /** One element into the stage through `head`, timed when it is a sampled one. */
  process(head: Receiver, wv: WindowedValue<unknown>): void {
    if (this.headCount++ % TIMING_SAMPLE !== 0) return head.process(wv);
    this.headTimed++;
    this.during(() => head.process(wv));
  }

  /** A receiver that feeds `head` through process(): what a source or a reader pushes into. */
  head(head: Receiver): Receiver {
    return { process: (wv) => this.process(head, wv) };
  }

  /** Runs `f` with the operators clocking their calls (a bundle's finish: timed in full). */
  during<R>(f: () => R): R {
    this.on = true;
    this.child = 0;
    try {
      return f();
    } finally {
      this.on = false;
    }
  }

  /**
   * Makes an operator clock its own time into `t` while the timing is on. Patched on the
   * instance rather than wrapped, so stage builders still recognize the operator's class.
   */
  time(op: Operator, t: OpTime): Operator {
    const process = op.process;
    op.process = (wv) => {
      if (!this.on) return process.call(op, wv);
      this.timed(() => process.call(op, wv), (ms) => (t.sampledMs += ms));
    };
    const finish = op.finish;
    op.finish = () => (this.on ? this.timed(() => finish.call(op), (ms) => (t.finishMs += ms)) : finish.call(op));
    return op;
  }

  /** An operator's own time: its sample scaled to every element, plus its finishes. */
  msOf(t: OpTime): number {
    const scale = this.headTimed > 0 ? this.headCount / this.headTimed : 0;
    return t.sampledMs * scale + t.finishMs;
  }

  /** Runs `f`, adding its own time (without the nested operators' calls) to `add`. */
  private timed<R>(f: () => R, add: (ms: number) => void): R {
    const outer = this.child;
    this.child = 0;
    const t0 = performance.now();
    try {
      return f();
    } finally {
      const total = performance.now() - t0;
      add(total - this.child);
      this.child = outer + total;
    }
  }
}
