export type PaneTiming = "EARLY" | "ON_TIME" | "LATE" | "UNKNOWN";

/** Which firing of a window produced an element (Beam's PaneInfo). */
export interface PaneInfo {
  readonly isFirst: boolean;
  readonly isLast: boolean;
  readonly timing: PaneTiming;
  readonly index: number;
  readonly nonSpeculativeIndex: number;
}

export const PaneInfo = {
  /** Elements that did not come out of a GroupByKey. */
  NO_FIRING: Object.freeze({ isFirst: true, isLast: true, timing: "UNKNOWN", index: 0, nonSpeculativeIndex: 0 }) as PaneInfo,
  /** The one firing of a window in batch. */
  ON_TIME_AND_ONLY_FIRING: Object.freeze({ isFirst: true, isLast: true, timing: "ON_TIME", index: 0, nonSpeculativeIndex: 0 }) as PaneInfo,
  of(isFirst: boolean, isLast: boolean, timing: PaneTiming, index: number, nonSpeculativeIndex: number): PaneInfo {
    return Object.freeze({ isFirst, isLast, timing, index, nonSpeculativeIndex });
  },
};
