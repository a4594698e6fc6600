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

/**
 * A timestamp as it enters the model (WithTimestamps, outputWithTimestamp, Create.timestamped,
 * a finishBundle output): a number of milliseconds or a Date. Refuses NaN, ±Infinity and
 * values outside [TIMESTAMP_MIN, TIMESTAMP_MAX] with a RangeError saying which; floors a
 * fractional millisecond to the integer below (Beam's Instant is integer milliseconds, and
 * the InstantCoder floors too, so windows computed here agree with what a coder carries).
 */
export function toInstant(t: Instant | Date): Instant {
  // The common case first: an integer number of milliseconds in range (once per output element).
  if (typeof t === "number" && Number.isInteger(t) && t >= TIMESTAMP_MIN && t <= TIMESTAMP_MAX) return t + 0;
  const isDate = t instanceof Date || Object.prototype.toString.call(t) === "[object Date]";
  const ms = isDate ? (t as Date).getTime() : t;
  if (typeof ms !== "number") {
    throw new TypeError(`not a timestamp: ${describeTime(t)} (an Instant is milliseconds since the epoch as a number, or a Date)`);
  }
  if (!Number.isFinite(ms)) {
    throw new RangeError(
      `${isDate ? "an Invalid Date" : String(ms)} is not a valid timestamp (an Instant is a finite number of milliseconds since the epoch,` +
        ` from TIMESTAMP_MIN (-9223372036854775) to TIMESTAMP_MAX (9223372036854775))`,
    );
  }
  if (ms > TIMESTAMP_MAX) {
    throw new RangeError(
      `timestamp ${ms} is past the maximum timestamp (TIMESTAMP_MAX = 9223372036854775 ms, about the year 294247);` +
        ` is it in microseconds or nanoseconds rather than milliseconds?`,
    );
  }
  if (ms < TIMESTAMP_MIN) {
    throw new RangeError(`timestamp ${ms} is before the minimum timestamp (TIMESTAMP_MIN = -9223372036854775 ms)`);
  }
  // Integer milliseconds (-0 becomes 0).
  return Math.floor(ms) + 0;
}

function describeTime(t: unknown): string {
  if (t === null || t === undefined) return String(t);
  if (typeof t === "string") return JSON.stringify(t.length > 40 ? t.slice(0, 40) + "…" : t);
  if (typeof t === "bigint") return `the bigint ${t}n`;
  if (typeof t === "object") return `an object of class ${(t as object).constructor?.name ?? "Object"}`;
  return `${typeof t} ${String(t)}`;
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
