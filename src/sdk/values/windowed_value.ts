import { PaneInfo } from "./pane.js";
import { TIMESTAMP_MIN, type Instant } from "./time.js";
import { BoundedWindow, GlobalWindow } from "./windows.js";

/**
 * What runners move: an element with its event timestamp, its windows and the pane
 * that produced it. A batch pipeline is the special case of one global window.
 */
export interface WindowedValue<T> {
  readonly value: T;
  readonly timestamp: Instant;
  readonly windows: readonly BoundedWindow[];
  readonly pane: PaneInfo;
}

const GLOBAL_WINDOWS: readonly BoundedWindow[] = Object.freeze([GlobalWindow.INSTANCE]);

export const WindowedValue = {
  of<T>(value: T, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo = PaneInfo.NO_FIRING): WindowedValue<T> {
    return { value, timestamp, windows, pane };
  },
  /** An element of a batch source: global window, minimum timestamp. */
  valueInGlobalWindow<T>(value: T, timestamp: Instant = TIMESTAMP_MIN): WindowedValue<T> {
    return { value, timestamp, windows: GLOBAL_WINDOWS, pane: PaneInfo.NO_FIRING };
  },
  withValue<T, U>(wv: WindowedValue<T>, value: U): WindowedValue<U> {
    return { value, timestamp: wv.timestamp, windows: wv.windows, pane: wv.pane };
  },
  GLOBAL_WINDOWS,
};

/** A value with an event timestamp, for Create.timestamped and TestStream. */
export class TimestampedValue<T> {
  constructor(readonly value: T, readonly timestamp: Instant) {}
  static of<T>(value: T, timestamp: Instant | Date): TimestampedValue<T> {
    return new TimestampedValue(value, timestamp instanceof Date ? timestamp.getTime() : timestamp);
  }
}
