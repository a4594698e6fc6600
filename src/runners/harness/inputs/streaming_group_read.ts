/**
 * GroupByKey's (or a lifted Combine.perKey's) reading half over unbounded input: one
 * group-also-by-window operator per shuffle partition that lives across bundles. Each call
 * brings the shuffle runs written since the last (possibly none: a timer-only call) and the
 * time now — the stage's input watermark and the run's processing time; time is advanced
 * first (timers due fire, late data is then recognised as late), then each key's records are
 * one bundle. What the operator keeps afterwards (its watermark hold and next timers) goes
 * back to the scheduler, which calls again when time passes a timer.
 *
 * Pure TypeScript over harness/gabw: usable on the local runner's thread and in Flink's Node
 * worker alike.
 */
import type { Coder } from "../../../sdk/coders/coder.js";
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import { TIMESTAMP_MAX } from "../../../sdk/values/time.js";
import type { WindowingStrategy } from "../../../sdk/windowing/windowing_strategy.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { CounterSink } from "../gabw/group_also_by_window.js";
import { CombiningState, type PaneBuffer } from "../gabw/state.js";
import type { Receiver } from "../operators/receiver.js";
import { forEachKeyGroup } from "../shuffle/key_groups.js";
import type { ShuffleRun } from "../shuffle/runs.js";
import { GroupByKeyReader } from "./group_by_key_read.js";

/** The time a streaming read runs at. */
export interface StreamTime {
  /** The reading stage's input watermark (TIMESTAMP_MAX: +∞, the input ended). */
  inputWatermark: number;
  /** The run's processing time (ms). */
  processingTime: number;
}

/** What the operator keeps after a read (TIMESTAMP_MAX: nothing). */
export interface StreamTimers {
  hold: number;
  nextTimer: number;
  nextProcessingTimer: number;
}

const NOWHERE: Receiver = {
  process() {
    throw new Error("a streaming grouping emitted outside a read");
  },
};

export class StreamingGroupRead {
  private out: Receiver = NOWHERE;
  private counters: CounterSink | undefined;
  private readonly reader: GroupByKeyReader;

  /** `combineFn`: the shuffle carries a lifted combine's accumulators, merged per pane. */
  constructor(keyCoder: Coder<unknown>, valueCoder: Coder<unknown>, strategy: WindowingStrategy, private readonly transform: string, combineFn?: CombineFn<unknown, unknown, unknown>) {
    // The operator outlives a task; each read points it at that task's receivers and metrics.
    const forward: Receiver = { process: (wv) => this.out.process(wv) };
    const metrics: CounterSink = { inc: (k, n) => this.counters?.inc(k, n) };
    const newBuffer = combineFn ? () => new AccumulatorBuffer(combineFn, transform) : undefined;
    this.reader = new GroupByKeyReader(keyCoder, valueCoder, strategy, forward, transform, metrics, newBuffer ? { streaming: true, newBuffer } : { streaming: true });
  }

  read(runs: ShuffleRun[], time: StreamTime, out: Receiver, counters: CounterSink | undefined): StreamTimers {
    this.out = out;
    this.counters = counters;
    const op = this.reader.op;
    try {
      if (time.processingTime > op.processingTime) op.advanceProcessingTime(time.processingTime);
      // +∞ as the operator's own +∞, past every garbage-collection time.
      const wm = time.inputWatermark >= TIMESTAMP_MAX ? Infinity : time.inputWatermark;
      if (wm > op.inputWatermark) op.advanceInputWatermark(wm);
      forEachKeyGroup(runs, (k, records) => this.reader.readKey(k, 0, k.length, records));
    } finally {
      this.out = NOWHERE;
      this.counters = undefined;
    }
    const p = Math.min(op.nextTimer("PROCESSING_TIME") ?? TIMESTAMP_MAX, op.nextTimer("SYNCHRONIZED_PROCESSING_TIME") ?? TIMESTAMP_MAX);
    return { hold: Math.min(op.watermarkHold(), TIMESTAMP_MAX), nextTimer: Math.min(op.nextTimer("EVENT_TIME") ?? TIMESTAMP_MAX, TIMESTAMP_MAX), nextProcessingTimer: p };
  }

  /** Keys with state (tests, progress). */
  get keyCount(): number {
    return this.reader.op.keyCount;
  }

  get name(): string {
    return this.transform;
  }
}

/** A pane of a lifted combine: the writers' accumulators merged; its output is extractOutput. */
class AccumulatorBuffer implements PaneBuffer<unknown, unknown> {
  private readonly state: CombiningState<unknown, unknown, unknown>;
  constructor(private readonly fn: CombineFn<unknown, unknown, unknown>, private readonly transform: string) {
    this.state = new CombiningState(fn);
  }
  add(acc: unknown): void {
    try {
      this.state.addAccumulator(acc);
    } catch (e) {
      throw UserCodeError.from(this.transform, undefined, false, e);
    }
  }
  mergeFrom(other: PaneBuffer<unknown, unknown>): void {
    const a = (other as AccumulatorBuffer).state.accumulator();
    if (a !== undefined) this.add(a);
  }
  isEmpty(): boolean {
    return this.state.isEmpty();
  }
  extract(_last: boolean): unknown {
    try {
      return this.state.read();
    } catch (e) {
      throw UserCodeError.from(this.transform, { accumulator: this.state.accumulator() }, true, e);
    }
  }
  clear(): void {
    this.state.clear();
  }
}
