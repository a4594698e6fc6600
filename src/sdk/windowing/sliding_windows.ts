import { WindowFnUrns } from "../../graph/types.js";
import type { Coder } from "../coders/coder.js";
import { IntervalWindowCoder } from "../coders/interval_window_coder.js";
import { durationMillis, type DurationLike, type Instant } from "../values/time.js";
import { IntervalWindow, type BoundedWindow } from "../values/windows.js";
import { mod } from "./fixed_windows.js";
import { registerWindowFn, WindowFn } from "./window_fn.js";

const URN = WindowFnUrns.SLIDING;

/** Overlapping windows of a size, starting every period. */
export class SlidingWindows extends WindowFn<IntervalWindow> {
  private constructor(readonly sizeMillis: number, readonly periodMillis: number, readonly offsetMillis: number) {
    super();
    if (!(sizeMillis > 0)) throw new RangeError(`SlidingWindows size must be positive, got ${sizeMillis} ms`);
    if (!(periodMillis > 0)) throw new RangeError(`SlidingWindows period must be positive, got ${periodMillis} ms`);
    if (!(offsetMillis >= 0 && offsetMillis < periodMillis)) {
      throw new RangeError(`SlidingWindows offset must be in [0, period), got ${offsetMillis} ms for period ${periodMillis} ms`);
    }
  }
  /** Windows of this size; call .every(period) to set how often one starts (default: size). */
  static of(size: DurationLike): SlidingWindows {
    const s = durationMillis(size);
    return new SlidingWindows(s, s, 0);
  }
  every(period: DurationLike): SlidingWindows {
    return new SlidingWindows(this.sizeMillis, durationMillis(period), mod(this.offsetMillis, durationMillis(period)));
  }
  withOffset(offset: DurationLike): SlidingWindows {
    return new SlidingWindows(this.sizeMillis, this.periodMillis, durationMillis(offset));
  }
  assignWindows(timestamp: Instant): IntervalWindow[] {
    const windows: IntervalWindow[] = [];
    const lastStart = timestamp - mod(timestamp - this.offsetMillis, this.periodMillis);
    for (let start = lastStart; start > timestamp - this.sizeMillis; start -= this.periodMillis) {
      windows.push(new IntervalWindow(start, start + this.sizeMillis));
    }
    return windows;
  }
  windowCoder(): Coder<IntervalWindow> {
    return IntervalWindowCoder.of() as Coder<IntervalWindow>;
  }
  /** As Beam: the latest window that contains the main window's end. */
  getSideInputWindow(main: BoundedWindow): IntervalWindow {
    const t = main.maxTimestamp();
    const start = t - mod(t - this.offsetMillis, this.periodMillis);
    return new IntervalWindow(start, start + this.sizeMillis);
  }
  toSpec() {
    return { urn: URN, payload: { sizeMillis: this.sizeMillis, periodMillis: this.periodMillis, offsetMillis: this.offsetMillis } };
  }
}

registerWindowFn(URN, (p) => SlidingWindows.of(p.sizeMillis).every(p.periodMillis).withOffset(p.offsetMillis));
