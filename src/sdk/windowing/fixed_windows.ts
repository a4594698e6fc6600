import { WindowFnUrns } from "../../graph/types.js";
import type { Coder } from "../coders/coder.js";
import { IntervalWindowCoder } from "../coders/interval_window_coder.js";
import { durationMillis, type DurationLike, type Instant } from "../values/time.js";
import { IntervalWindow, type BoundedWindow } from "../values/windows.js";
import { registerWindowFn, WindowFn } from "./window_fn.js";

const URN = WindowFnUrns.FIXED;

/** Windows of a fixed size, aligned to the epoch plus an offset. */
export class FixedWindows extends WindowFn<IntervalWindow> {
  private constructor(readonly sizeMillis: number, readonly offsetMillis: number) {
    super();
    if (!(sizeMillis > 0)) throw new RangeError(`FixedWindows size must be positive, got ${sizeMillis} ms`);
    if (!(offsetMillis >= 0 && offsetMillis < sizeMillis)) {
      throw new RangeError(`FixedWindows offset must be in [0, size), got ${offsetMillis} ms for size ${sizeMillis} ms`);
    }
  }
  static of(size: DurationLike): FixedWindows {
    return new FixedWindows(durationMillis(size), 0);
  }
  withOffset(offset: DurationLike): FixedWindows {
    return new FixedWindows(this.sizeMillis, durationMillis(offset));
  }
  assignWindows(timestamp: Instant): IntervalWindow[] {
    const start = timestamp - mod(timestamp - this.offsetMillis, this.sizeMillis);
    return [new IntervalWindow(start, start + this.sizeMillis)];
  }
  windowCoder(): Coder<IntervalWindow> {
    return IntervalWindowCoder.of() as Coder<IntervalWindow>;
  }
  getSideInputWindow(main: BoundedWindow): IntervalWindow {
    return this.assignWindows(main.maxTimestamp())[0]!;
  }
  toSpec() {
    return { urn: URN, payload: { sizeMillis: this.sizeMillis, offsetMillis: this.offsetMillis } };
  }
}

export function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

registerWindowFn(URN, (p) => FixedWindows.of(p.sizeMillis).withOffset(p.offsetMillis));
