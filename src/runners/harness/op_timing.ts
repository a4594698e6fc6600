/**
 * Where a fused stage's time goes, per operator, without a clock read per element (issue 15,
 * point 5): a sample of the elements into the stage (DENSE_SAMPLE, then SPARSE_SAMPLE) is timed
 * through the operators it reaches, and an operator's own time is its call's time less the calls it made into the
 * operators it feeds. The sample, scaled by the stage's input over the timed input, stands
 * for every element; finishes (a pre-combine's flush) are timed in full. Both runners' workers
 * use it: the local runner's threads and Flink's Node workers.
 */
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import type { Operator, Receiver } from "./operators/receiver.js";

/** Every this-many-th of a stage's first DENSE_UNTIL input elements is timed: small inputs get a fair sample. */
export const DENSE_SAMPLE = 16;
export const DENSE_UNTIL = 16_384;
/**
 * After those, every this-many-th. A timed element costs two clock reads per operator it
 * reaches; at one in 16 that was a tenth of WordCount's time, at one in 1 024 it is lost in the
 * noise, and a large input still gives thousands of timed elements.
 */
export const SPARSE_SAMPLE = 1024;

/** One operator's own time so far: over the timed elements, and its finishes. */
export interface OpTime {
  sampledMs: number;
  finishMs: number;
}

export function newOpTime(): OpTime {
  return { sampledMs: 0, finishMs: 0 };
}

export class StageTiming {
  /** While on (a sampled element, a finish), the timed operators clock their calls. */
  private on = false;
  /** Inclusive time of the nested calls made at the current level (ms). */
  private child = 0;
  private headCount = 0;
  private headTimed = 0;
  /** Elements into the stage until the next timed one (a countdown: no division per element). */
  private untilTimed = 0;
  private readonly timedOps: Array<{ op: Operator; t: OpTime }> = [];

  /** One element into the stage through `head`, timed when it is a sampled one. */
  process(head: Receiver, wv: WindowedValue<unknown>): void {
    this.headCount++;
    if (this.untilTimed-- > 0) return head.process(wv);
    // Elements 0, 16, 32, … up to DENSE_UNTIL, then every SPARSE_SAMPLE-th (headCount is this one's index + 1).
    this.untilTimed = (this.headCount + DENSE_SAMPLE <= DENSE_UNTIL + 1 ? DENSE_SAMPLE : SPARSE_SAMPLE) - 1;
    this.headTimed++;
    this.during(() => head.process(wv));
  }

  /** A receiver that feeds `head` through process(): what a source or a reader pushes into. */
  head(head: Receiver): Receiver {
    return { process: (wv) => this.process(head, wv) };
  }

  /**
   * Runs `f` with the operators clocking their calls (a bundle's finish: timed in full). The
   * clocking wrappers exist only meanwhile: the other elements call the operators themselves,
   * with no extra call in between (a wrapper shared by every operator is a call site the JIT
   * can neither inline nor predict, and cost WordCount a fifth of its time).
   */
  during<R>(f: () => R): R {
    if (this.on) return f();
    this.on = true;
    this.child = 0;
    const restore = this.timedOps.map(({ op, t }) => this.clock(op, t));
    try {
      return f();
    } finally {
      for (let i = restore.length - 1; i >= 0; i--) restore[i]!();
      this.on = false;
    }
  }

  /** Makes an operator clock its own time into `t` during sampled elements and finishes. */
  time(op: Operator, t: OpTime): Operator {
    this.timedOps.push({ op, t });
    return op;
  }

  /** An operator's own time: its sample scaled to every element, plus its finishes. */
  msOf(t: OpTime): number {
    const scale = this.headTimed > 0 ? this.headCount / this.headTimed : 0;
    return t.sampledMs * scale + t.finishMs;
  }

  /**
   * Patches `op`'s process and finish on the instance (so stage builders still recognize the
   * operator's class) with clocked calls; returns what puts them back as they were: an own
   * property restored, a prototype method uncovered again.
   */
  private clock(op: Operator, t: OpTime): () => void {
    const own = op as unknown as Record<string, unknown>;
    const ownProcess = Object.prototype.hasOwnProperty.call(op, "process");
    const ownFinish = Object.prototype.hasOwnProperty.call(op, "finish");
    const process = op.process;
    const finish = op.finish;
    op.process = (wv) => this.timed(() => process.call(op, wv), (ms) => (t.sampledMs += ms));
    op.finish = () => this.timed(() => finish.call(op), (ms) => (t.finishMs += ms));
    return () => {
      if (ownFinish) op.finish = finish;
      else delete own.finish;
      if (ownProcess) op.process = process;
      else delete own.process;
    };
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
