import { WindowFnUrns } from "../../graph/types.js";
import type { Coder } from "../coders/coder.js";
import { IntervalWindowCoder } from "../coders/interval_window_coder.js";
import { durationMillis, type DurationLike, type Instant } from "../values/time.js";
import { IntervalWindow, type BoundedWindow } from "../values/windows.js";
import { registerWindowFn, WindowFn, type WindowMerge } from "./window_fn.js";

const URN = WindowFnUrns.SESSIONS;

/** Each element opens [t, t + gap); windows that overlap merge into one session. */
export class Sessions extends WindowFn<IntervalWindow> {
  private constructor(readonly gapMillis: number) {
    super();
    if (!(gapMillis > 0)) throw new RangeError(`Sessions gap must be positive, got ${gapMillis} ms`);
  }
  static withGapDuration(gap: DurationLike): Sessions {
    return new Sessions(durationMillis(gap));
  }
  assignWindows(timestamp: Instant): IntervalWindow[] {
    return [new IntervalWindow(timestamp, timestamp + this.gapMillis)];
  }
  override isNonMerging(): boolean {
    return false;
  }
  /** Sorts by start and merges overlapping runs (Beam's MergeOverlappingIntervalWindows). */
  override mergeWindows(windows: IntervalWindow[]): WindowMerge<IntervalWindow>[] {
    const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
    const merges: WindowMerge<IntervalWindow>[] = [];
    let current: WindowMerge<IntervalWindow> | undefined;
    for (const w of sorted) {
      if (current && current.result.intersects(w)) {
        current.toMerge.push(w);
        current.result = current.result.span(w);
      } else {
        if (current) merges.push(current);
        current = { toMerge: [w], result: w };
      }
    }
    if (current) merges.push(current);
    return merges;
  }
  windowCoder(): Coder<IntervalWindow> {
    return IntervalWindowCoder.of() as Coder<IntervalWindow>;
  }
  getSideInputWindow(_main: BoundedWindow): IntervalWindow {
    throw new Error("Sessions cannot be used as side input windowing: session windows are not known until they merge");
  }
  toSpec() {
    return { urn: URN, payload: { gapMillis: this.gapMillis } };
  }
}

registerWindowFn(URN, (p) => Sessions.withGapDuration(p.gapMillis));
