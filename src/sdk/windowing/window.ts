import {
  Urns, type AccumulationMode, type ClosingBehaviorKind, type OnTimeBehaviorKind, type TimestampCombinerKind, type TriggerSpec,
} from "../../graph/types.js";
import { PCollection } from "../pcollection.js";
import { PTransform, TransformApplicationError } from "../transforms/ptransform.js";
import { durationMillis, type DurationLike } from "../values/time.js";
import type { BoundedWindow } from "../values/windows.js";
import { checkClosingBehavior, checkOnTimeBehavior } from "./pane_behaviors.js";
import { WindowFn } from "./window_fn.js";

/** Anything with a spec: the trigger builders of triggers.ts. */
export interface TriggerLike {
  toSpec(): TriggerSpec;
}

interface WindowSettings {
  windowFn?: WindowFn<BoundedWindow>;
  trigger?: TriggerSpec;
  accumulationMode?: AccumulationMode;
  allowedLatenessMillis?: number;
  timestampCombiner?: TimestampCombinerKind;
  closingBehavior?: ClosingBehaviorKind;
  onTimeBehavior?: OnTimeBehaviorKind;
}

/** Window.into(fn) and its settings: assigns windows, and sets how they fire. */
export class WindowInto<T> extends PTransform<PCollection<T>, PCollection<T>> {
  constructor(private readonly settings: WindowSettings) { super(); }
  private with(s: WindowSettings): WindowInto<T> {
    return new WindowInto<T>({ ...this.settings, ...s });
  }
  triggering(trigger: TriggerLike): WindowInto<T> {
    if (!trigger || typeof trigger.toSpec !== "function") throw new TransformApplicationError("Window.triggering needs a trigger (AfterWatermark.pastEndOfWindow(), ...)");
    return this.with({ trigger: trigger.toSpec() });
  }
  /** As Beam's: without a closing behaviour, the input's stays (FIRE_IF_NON_EMPTY unless set). */
  withAllowedLateness(d: DurationLike, closingBehavior?: ClosingBehaviorKind): WindowInto<T> {
    const lateness = { allowedLatenessMillis: durationMillis(d) };
    return this.with(closingBehavior === undefined ? lateness : { ...lateness, closingBehavior: checkClosingBehavior(closingBehavior, "Window.withAllowedLateness") });
  }
  withOnTimeBehavior(behavior: OnTimeBehaviorKind): WindowInto<T> {
    return this.with({ onTimeBehavior: checkOnTimeBehavior(behavior, "Window.withOnTimeBehavior") });
  }
  accumulatingFiredPanes(): WindowInto<T> {
    return this.with({ accumulationMode: "ACCUMULATING" });
  }
  discardingFiredPanes(): WindowInto<T> {
    return this.with({ accumulationMode: "DISCARDING" });
  }
  withTimestampCombiner(c: TimestampCombinerKind): WindowInto<T> {
    return this.with({ timestampCombiner: c });
  }
  override defaultName(): string {
    return this.settings.windowFn ? `Window.Into(${this.settings.windowFn.constructor.name})` : "Window.Configure";
  }
  expand(input: PCollection<T>): PCollection<T> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError("Window.into must be applied to a PCollection");
    const s = this.settings;
    const base = input.windowingStrategy;
    const strategy = base.with({
      ...(s.windowFn ? { windowFn: s.windowFn, assigned: true } : {}),
      ...(s.trigger ? { trigger: s.trigger } : {}),
      ...(s.accumulationMode ? { accumulationMode: s.accumulationMode } : {}),
      ...(s.allowedLatenessMillis !== undefined ? { allowedLatenessMillis: s.allowedLatenessMillis } : {}),
      ...(s.timestampCombiner ? { timestampCombiner: s.timestampCombiner } : {}),
      ...(s.closingBehavior ? { closingBehavior: s.closingBehavior } : {}),
      ...(s.onTimeBehavior ? { onTimeBehavior: s.onTimeBehavior } : {}),
    });
    const windowFn = strategy.windowFn;
    return input.pipeline.primitive({
      urn: Urns.WINDOW_INTO,
      // Without a new WindowFn this only changes the strategy: runners pass elements through.
      payload: () => ({ windowFn: s.windowFn ? windowFn.toSpec() : undefined }),
      outputs: [{ tag: "main", coder: () => input.getCoder() as never, windowing: strategy, isBounded: input.isBounded }],
    }).get("main") as PCollection<T>;
  }
}

export const Window = {
  into<T>(windowFn: WindowFn<any>): WindowInto<T> {
    if (!(windowFn instanceof WindowFn)) {
      throw new TransformApplicationError("Window.into needs a WindowFn: FixedWindows.of(d), SlidingWindows.of(d).every(p), Sessions.withGapDuration(d) or new GlobalWindows()");
    }
    return new WindowInto<T>({ windowFn });
  },
  /** Changes triggering or lateness without changing the windows. */
  configure<T>(): WindowInto<T> {
    return new WindowInto<T>({});
  },
};
