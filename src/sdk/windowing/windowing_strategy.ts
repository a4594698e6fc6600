import type {
  AccumulationMode, ClosingBehaviorKind, OnTimeBehaviorKind, TimestampCombinerKind, TriggerSpec, WindowingStrategySpec,
} from "../../graph/types.js";
import type { BoundedWindow } from "../values/windows.js";
import { GlobalWindows } from "./global_windows.js";
import { windowFnFromSpec, type WindowFn } from "./window_fn.js";

export const DEFAULT_TRIGGER: TriggerSpec = { kind: "default" };

/** How a PCollection is windowed and when its windows fire (Beam's WindowingStrategy). */
export class WindowingStrategy {
  constructor(
    readonly windowFn: WindowFn<BoundedWindow>,
    readonly trigger: TriggerSpec = DEFAULT_TRIGGER,
    readonly accumulationMode: AccumulationMode = "DISCARDING",
    readonly allowedLatenessMillis = 0,
    readonly timestampCombiner: TimestampCombinerKind = "END_OF_WINDOW",
    readonly assigned = false,
    /** Whether the final pane fires when empty (Beam's default: only when non-empty). */
    readonly closingBehavior: ClosingBehaviorKind = "FIRE_IF_NON_EMPTY",
    /** Whether the ON_TIME pane fires when empty (Beam's default: always). */
    readonly onTimeBehavior: OnTimeBehaviorKind = "FIRE_ALWAYS",
  ) {}

  static globalDefault(): WindowingStrategy {
    return new WindowingStrategy(new GlobalWindows());
  }

  with(changes: Partial<Omit<WindowingStrategy, "with" | "toSpec">>): WindowingStrategy {
    return new WindowingStrategy(
      changes.windowFn ?? this.windowFn,
      changes.trigger ?? this.trigger,
      changes.accumulationMode ?? this.accumulationMode,
      changes.allowedLatenessMillis ?? this.allowedLatenessMillis,
      changes.timestampCombiner ?? this.timestampCombiner,
      changes.assigned ?? this.assigned,
      changes.closingBehavior ?? this.closingBehavior,
      changes.onTimeBehavior ?? this.onTimeBehavior,
    );
  }

  isGlobal(): boolean {
    return this.windowFn instanceof GlobalWindows;
  }

  toSpec(): WindowingStrategySpec {
    return {
      windowFn: this.windowFn.toSpec(),
      trigger: this.trigger,
      accumulationMode: this.accumulationMode,
      allowedLatenessMillis: this.allowedLatenessMillis,
      timestampCombiner: this.timestampCombiner,
      // The behaviours only when not Beam's defaults, so the JSON of every other strategy stays as it was.
      ...(this.closingBehavior !== "FIRE_IF_NON_EMPTY" ? { closingBehavior: this.closingBehavior } : {}),
      ...(this.onTimeBehavior !== "FIRE_ALWAYS" ? { onTimeBehavior: this.onTimeBehavior } : {}),
      assigned: this.assigned,
    };
  }

  static fromSpec(spec: WindowingStrategySpec): WindowingStrategy {
    return new WindowingStrategy(
      windowFnFromSpec(spec.windowFn),
      spec.trigger,
      spec.accumulationMode,
      spec.allowedLatenessMillis,
      spec.timestampCombiner,
      spec.assigned,
      spec.closingBehavior ?? "FIRE_IF_NON_EMPTY",
      spec.onTimeBehavior ?? "FIRE_ALWAYS",
    );
  }
}
