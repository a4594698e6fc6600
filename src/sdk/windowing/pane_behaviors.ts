import type { ClosingBehaviorKind, OnTimeBehaviorKind } from "../../graph/types.js";

/**
 * Beam's Window.ClosingBehavior: whether a window's final pane, at its end + allowed lateness,
 * fires when no element arrived since the pane before (FIRE_ALWAYS) or only when some did
 * (FIRE_IF_NON_EMPTY, the default).
 */
export const ClosingBehavior = {
  FIRE_ALWAYS: "FIRE_ALWAYS",
  FIRE_IF_NON_EMPTY: "FIRE_IF_NON_EMPTY",
} as const satisfies Record<ClosingBehaviorKind, ClosingBehaviorKind>;
export type ClosingBehavior = ClosingBehaviorKind;

/**
 * Beam's Window.OnTimeBehavior: whether the ON_TIME pane fires when it has no new element
 * (FIRE_ALWAYS, the default) or only when it has some (FIRE_IF_NON_EMPTY).
 */
export const OnTimeBehavior = {
  FIRE_ALWAYS: "FIRE_ALWAYS",
  FIRE_IF_NON_EMPTY: "FIRE_IF_NON_EMPTY",
} as const satisfies Record<OnTimeBehaviorKind, OnTimeBehaviorKind>;
export type OnTimeBehavior = OnTimeBehaviorKind;

const CLOSING: readonly string[] = Object.values(ClosingBehavior);
const ON_TIME: readonly string[] = Object.values(OnTimeBehavior);

/** The behaviour, or a TypeError naming the setting and what it accepts. */
export function checkClosingBehavior(b: unknown, where: string): ClosingBehaviorKind {
  if (typeof b !== "string" || !CLOSING.includes(b)) {
    throw new TypeError(`${where}: the closing behaviour must be ClosingBehavior.FIRE_ALWAYS or ClosingBehavior.FIRE_IF_NON_EMPTY, got ${String(b)}`);
  }
  return b as ClosingBehaviorKind;
}

export function checkOnTimeBehavior(b: unknown, where: string): OnTimeBehaviorKind {
  if (typeof b !== "string" || !ON_TIME.includes(b)) {
    throw new TypeError(`${where}: the on-time behaviour must be OnTimeBehavior.FIRE_ALWAYS or OnTimeBehavior.FIRE_IF_NON_EMPTY, got ${String(b)}`);
  }
  return b as OnTimeBehaviorKind;
}
