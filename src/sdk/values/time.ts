/**
 * Event time. An Instant is milliseconds since the epoch as a number; a Date is
 * accepted wherever an Instant is taken. Bounds follow Beam's (its microsecond
 * bounds expressed in milliseconds), so timestamps survive a trip through Flink.
 */
export type Instant = number;

export const TIMESTAMP_MIN: Instant = -9223372036854775;
export const TIMESTAMP_MAX: Instant = 9223372036854775;
/** The max timestamp of the global window: one day before TIMESTAMP_MAX, as in Beam. */
export const END_OF_GLOBAL_WINDOW: Instant = TIMESTAMP_MAX - 86_400_000;

export function toInstant(t: Instant | Date): Instant {
  const ms = t instanceof Date ? t.getTime() : t;
  if (typeof ms !== "number" || Number.isNaN(ms)) throw new TypeError(`not a timestamp: ${String(t)}`);
  return ms;
}

/** A length of time in milliseconds. */
export class Duration {
  private constructor(readonly millis: number) {}
  static millis(n: number): Duration { return new Duration(n); }
  static seconds(n: number): Duration { return new Duration(n * 1000); }
  static minutes(n: number): Duration { return new Duration(n * 60_000); }
  static hours(n: number): Duration { return new Duration(n * 3_600_000); }
  static days(n: number): Duration { return new Duration(n * 86_400_000); }
  static ZERO = new Duration(0);
  toString(): string { return `Duration(${this.millis} ms)`; }
}

export type DurationLike = Duration | number;
export function durationMillis(d: DurationLike): number {
  return typeof d === "number" ? d : d.millis;
}
