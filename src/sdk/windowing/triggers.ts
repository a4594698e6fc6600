/**
 * Triggers as data. Each builder makes a Trigger object whose `toSpec()` is the JSON the
 * pipeline graph keeps (WindowingStrategySpec.trigger), and `triggerFromSpec` rebuilds
 * the object. The spec mirrors Beam's runner API (beam_runner_api.proto, message
 * Trigger): one `kind` per member of its `oneof trigger`, with the same fields in
 * camelCase and durations in milliseconds:
 *
 * | kind                              | fields                                      | builder                                     |
 * |-----------------------------------|---------------------------------------------|---------------------------------------------|
 * | `default`                         |                                             | DefaultTrigger.of()                         |
 * | `afterAll`                        | subtriggers                                 | AfterAll.of(...)                            |
 * | `afterAny`                        | subtriggers                                 | AfterFirst.of(...)                          |
 * | `afterEach`                       | subtriggers                                 | AfterEach.inOrder(...)                      |
 * | `afterEndOfWindow`                | earlyFirings?, lateFirings?                 | AfterWatermark.pastEndOfWindow()            |
 * | `afterProcessingTime`             | timestampTransforms (delay / alignTo)       | AfterProcessingTime.pastFirstElementInPane() |
 * | `afterSynchronizedProcessingTime` |                                             | AfterSynchronizedProcessingTime.ofFirstElement() |
 * | `always`                          |                                             | Always.of()                                 |
 * | `elementCount`                    | elementCount                                | AfterPane.elementCountAtLeast(n)            |
 * | `never`                           |                                             | Never.ever()                                |
 * | `orFinally`                       | main, finally                               | t.orFinally(until)                          |
 * | `repeat`                          | subtrigger                                  | Repeatedly.forever(t)                       |
 *
 * `timestampTransforms` entries are `{ kind: "delay", delayMillis }` and
 * `{ kind: "alignTo", periodMillis, offsetMillis }`, applied in order to the arrival
 * time of the pane's first element.
 *
 * Only the data model lives here: triggers are not executed yet. What is here beyond the
 * data is what Beam's SDK decides at construction time: which triggers fire at most once
 * ("once" triggers, required by withEarlyFirings, withLateFirings, orFinally, AfterFirst
 * and AfterAll, as in Beam Java) and the continuation trigger a runner uses downstream of
 * a GroupByKey.
 */
import { registerKnown } from "../../graph/functions/known_objects.js";
import type { TriggerSpec } from "../../graph/types.js";
import { durationMillis, toInstant, type DurationLike, type Instant } from "../values/time.js";

/** A step applied to the arrival time of a pane's first element (proto TimestampTransform). */
export type TimestampTransformSpec =
  | { kind: "delay"; delayMillis: number }
  | { kind: "alignTo"; periodMillis: number; offsetMillis: number };

/** The precise shape of each kind of TriggerSpec. */
export type KnownTriggerSpec =
  | { kind: "default" }
  | { kind: "afterAll"; subtriggers: KnownTriggerSpec[] }
  | { kind: "afterAny"; subtriggers: KnownTriggerSpec[] }
  | { kind: "afterEach"; subtriggers: KnownTriggerSpec[] }
  | { kind: "afterEndOfWindow"; earlyFirings?: KnownTriggerSpec; lateFirings?: KnownTriggerSpec }
  | { kind: "afterProcessingTime"; timestampTransforms: TimestampTransformSpec[] }
  | { kind: "afterSynchronizedProcessingTime" }
  | { kind: "always" }
  | { kind: "elementCount"; elementCount: number }
  | { kind: "never" }
  | { kind: "orFinally"; main: KnownTriggerSpec; finally: KnownTriggerSpec }
  | { kind: "repeat"; subtrigger: KnownTriggerSpec };

export type TriggerKind = KnownTriggerSpec["kind"];

/** A trigger: when a window's pane may be output. Immutable; builders return new ones. */
export abstract class Trigger {
  abstract toSpec(): KnownTriggerSpec & TriggerSpec;

  /** True for triggers that fire at most once (Beam Java's OnceTrigger). */
  isOnce(): boolean {
    return false;
  }

  /** Whether this trigger can finish (then the window's state is dropped; Beam's mayFinish). */
  abstract mayFinish(): boolean;

  /** The trigger to use after a GroupByKey that this trigger governed (Beam's continuation). */
  abstract getContinuationTrigger(): Trigger;

  /** Fires as this one does, and finishes once `until` fires (Beam's orFinally). */
  orFinally(until: Trigger): OrFinallyTrigger {
    requireOnce(until, "orFinally");
    return new OrFinallyTrigger(this, until);
  }

  /** The builder call that makes this trigger, e.g. `Repeatedly.forever(AfterPane.elementCountAtLeast(2))`. */
  abstract toString(): string;

  /** Structural equality: the same spec. */
  equals(other: unknown): boolean {
    return other instanceof Trigger && JSON.stringify(this.toSpec()) === JSON.stringify(other.toSpec());
  }
}

/** Triggers that fire at most once. */
export abstract class OnceTrigger extends Trigger {
  override isOnce(): boolean {
    return true;
  }
  mayFinish(): boolean {
    return true;
  }
  abstract override getContinuationTrigger(): OnceTrigger;
}

function requireOnce(t: unknown, where: string): void {
  if (!(t instanceof Trigger)) {
    throw new TypeError(`${where} needs a trigger (AfterPane.elementCountAtLeast(n), AfterProcessingTime..., ...), got ${t === null ? "null" : typeof t}`);
  }
  if (!t.isOnce()) {
    throw new TypeError(
      `${where} needs a trigger that fires at most once, got ${t.toString()}; ` +
        `AfterWatermark, AfterProcessingTime, AfterPane, Never and AfterFirst/AfterAll of those fire once (Repeatedly, AfterEach, DefaultTrigger and orFinally do not)`,
    );
  }
}

function requireTriggers(ts: unknown[], where: string, once: boolean): void {
  if (ts.length === 0) throw new TypeError(`${where} needs at least one trigger`);
  for (const t of ts) {
    if (once) requireOnce(t, where);
    else if (!(t instanceof Trigger)) throw new TypeError(`${where} needs triggers, got ${t === null ? "null" : typeof t}`);
  }
}

function nonNegativeMillis(d: DurationLike, where: string): number {
  const ms = durationMillis(d);
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw new RangeError(`${where} needs a non-negative duration, got ${String(ms)}`);
  return ms;
}

// ---------------------------------------------------------------------------------------

/**
 * The default: fire when the watermark passes the end of the window, and again for every
 * late element (within the allowed lateness). Beam: DefaultTrigger.of().
 */
export class DefaultTrigger extends Trigger {
  static of(): DefaultTrigger {
    return new DefaultTrigger();
  }
  toSpec() {
    return { kind: "default" as const };
  }
  mayFinish(): boolean {
    return false;
  }
  getContinuationTrigger(): DefaultTrigger {
    return this;
  }
  toString(): string {
    return "DefaultTrigger.of()";
  }
}

/** Fires once the watermark passes the end of the window. Beam: AfterWatermark. */
export class AfterWatermark extends OnceTrigger {
  static pastEndOfWindow(): AfterWatermark {
    return new AfterWatermark();
  }

  /** Also fires before the end of the window, each time `early` fires (repeatedly). */
  withEarlyFirings(early: Trigger): AfterWatermarkEarlyAndLate {
    requireOnce(early, "AfterWatermark.withEarlyFirings");
    return new AfterWatermarkEarlyAndLate(early as OnceTrigger, undefined);
  }

  /** Also fires after the end of the window, each time `late` fires (repeatedly). */
  withLateFirings(late: Trigger): AfterWatermarkEarlyAndLate {
    requireOnce(late, "AfterWatermark.withLateFirings");
    return new AfterWatermarkEarlyAndLate(undefined, late as OnceTrigger);
  }

  toSpec() {
    return { kind: "afterEndOfWindow" as const };
  }
  getContinuationTrigger(): AfterWatermark {
    return this;
  }
  toString(): string {
    return "AfterWatermark.pastEndOfWindow()";
  }
}

/**
 * AfterWatermark with early and/or late firings: the early trigger repeats until the
 * end of the window, the on-time pane fires then, and the late trigger repeats after it.
 * Finishes (at the end of the window) only when there are no late firings.
 */
export class AfterWatermarkEarlyAndLate extends Trigger {
  constructor(readonly early: OnceTrigger | undefined, readonly late: OnceTrigger | undefined) {
    super();
  }

  withEarlyFirings(early: Trigger): AfterWatermarkEarlyAndLate {
    requireOnce(early, "AfterWatermark.withEarlyFirings");
    return new AfterWatermarkEarlyAndLate(early as OnceTrigger, this.late);
  }

  withLateFirings(late: Trigger): AfterWatermarkEarlyAndLate {
    requireOnce(late, "AfterWatermark.withLateFirings");
    return new AfterWatermarkEarlyAndLate(this.early, late as OnceTrigger);
  }

  toSpec() {
    const spec: { kind: "afterEndOfWindow"; earlyFirings?: KnownTriggerSpec; lateFirings?: KnownTriggerSpec } = { kind: "afterEndOfWindow" };
    if (this.early) spec.earlyFirings = this.early.toSpec();
    if (this.late) spec.lateFirings = this.late.toSpec();
    return spec;
  }
  mayFinish(): boolean {
    return this.late === undefined;
  }
  getContinuationTrigger(): AfterWatermarkEarlyAndLate {
    return new AfterWatermarkEarlyAndLate(this.early?.getContinuationTrigger(), this.late?.getContinuationTrigger());
  }
  toString(): string {
    let s = "AfterWatermark.pastEndOfWindow()";
    if (this.early) s += `.withEarlyFirings(${this.early.toString()})`;
    if (this.late) s += `.withLateFirings(${this.late.toString()})`;
    return s;
  }
}

/**
 * Fires once a delay (in processing time) has passed since the first element of the pane
 * arrived, optionally aligned to a period. Beam: AfterProcessingTime.
 */
export class AfterProcessingTime extends OnceTrigger {
  constructor(readonly timestampTransforms: readonly TimestampTransformSpec[] = []) {
    super();
  }

  static pastFirstElementInPane(): AfterProcessingTime {
    return new AfterProcessingTime([]);
  }

  /** Adds a delay to the (transformed) arrival time. */
  plusDelayOf(delay: DurationLike): AfterProcessingTime {
    const delayMillis = nonNegativeMillis(delay, "AfterProcessingTime.plusDelayOf");
    return new AfterProcessingTime([...this.timestampTransforms, { kind: "delay", delayMillis }]);
  }

  /**
   * Rounds the (transformed) arrival time up to the next multiple of `period` after
   * `offset` (an Instant or Date; the epoch if absent), e.g. alignedTo(Duration.minutes(1))
   * fires on the minute.
   */
  alignedTo(period: DurationLike, offset: Instant | Date = 0): AfterProcessingTime {
    const periodMillis = durationMillis(period);
    if (!(periodMillis > 0)) throw new RangeError(`AfterProcessingTime.alignedTo needs a positive period, got ${periodMillis}`);
    const offsetMillis = toInstant(offset);
    return new AfterProcessingTime([...this.timestampTransforms, { kind: "alignTo", periodMillis, offsetMillis }]);
  }

  toSpec() {
    return { kind: "afterProcessingTime" as const, timestampTransforms: this.timestampTransforms.map((t) => ({ ...t })) };
  }
  /** Downstream of a GroupByKey: fire when upstream processing time has caught up. */
  getContinuationTrigger(): AfterSynchronizedProcessingTime {
    return new AfterSynchronizedProcessingTime();
  }
  toString(): string {
    let s = "AfterProcessingTime.pastFirstElementInPane()";
    for (const t of this.timestampTransforms) {
      s += t.kind === "delay"
        ? `.plusDelayOf(Duration.millis(${t.delayMillis}))`
        : `.alignedTo(Duration.millis(${t.periodMillis})${t.offsetMillis ? `, ${t.offsetMillis}` : ""})`;
    }
    return s;
  }
}

/**
 * Fires once upstream processing time has caught up with the arrival of the pane's first
 * element. Not for users: the continuation of AfterProcessingTime (as in Beam).
 */
export class AfterSynchronizedProcessingTime extends OnceTrigger {
  static ofFirstElement(): AfterSynchronizedProcessingTime {
    return new AfterSynchronizedProcessingTime();
  }
  toSpec() {
    return { kind: "afterSynchronizedProcessingTime" as const };
  }
  getContinuationTrigger(): AfterSynchronizedProcessingTime {
    return this;
  }
  toString(): string {
    return "AfterSynchronizedProcessingTime.ofFirstElement()";
  }
}

/** Fires once at least n elements are in the pane. Beam: AfterPane.elementCountAtLeast. */
export class AfterPane extends OnceTrigger {
  constructor(readonly elementCount: number) {
    super();
    if (!Number.isSafeInteger(elementCount) || elementCount < 1) {
      throw new RangeError(`AfterPane.elementCountAtLeast needs a count >= 1, got ${elementCount}`);
    }
  }
  static elementCountAtLeast(n: number): AfterPane {
    return new AfterPane(n);
  }
  toSpec() {
    return { kind: "elementCount" as const, elementCount: this.elementCount };
  }
  /** Downstream, any element fires: the upstream count has been met already. */
  getContinuationTrigger(): AfterPane {
    return new AfterPane(1);
  }
  toString(): string {
    return `AfterPane.elementCountAtLeast(${this.elementCount})`;
  }
}

/** Fires for every element (AfterPane.elementCountAtLeast(1), repeated, said plainly). */
export class Always extends Trigger {
  static of(): Always {
    return new Always();
  }
  toSpec() {
    return { kind: "always" as const };
  }
  mayFinish(): boolean {
    return false;
  }
  getContinuationTrigger(): Always {
    return this;
  }
  toString(): string {
    return "Always.of()";
  }
}

/**
 * Never fires: only the on-time pane at the end of the window (and the final pane at
 * garbage collection) are output. Beam: Never.ever().
 */
export class Never extends OnceTrigger {
  static ever(): Never {
    return new Never();
  }
  toSpec() {
    return { kind: "never" as const };
  }
  getContinuationTrigger(): Never {
    return this;
  }
  toString(): string {
    return "Never.ever()";
  }
}

/** Fires the subtrigger over and over, resetting it each time. Beam: Repeatedly.forever. */
export class Repeatedly extends Trigger {
  constructor(readonly subtrigger: Trigger) {
    super();
  }
  static forever(t: Trigger): Repeatedly {
    requireTriggers([t], "Repeatedly.forever", false);
    return new Repeatedly(t);
  }
  toSpec() {
    return { kind: "repeat" as const, subtrigger: this.subtrigger.toSpec() };
  }
  mayFinish(): boolean {
    return false;
  }
  getContinuationTrigger(): Repeatedly {
    return new Repeatedly(this.subtrigger.getContinuationTrigger());
  }
  toString(): string {
    return `Repeatedly.forever(${this.subtrigger.toString()})`;
  }
}

/** Fires once any of its (once) subtriggers fires. Beam: AfterFirst.of (proto: AfterAny). */
export class AfterFirst extends OnceTrigger {
  constructor(readonly subtriggers: readonly OnceTrigger[]) {
    super();
  }
  static of(...triggers: Trigger[]): AfterFirst {
    requireTriggers(triggers, "AfterFirst.of", true);
    return new AfterFirst(triggers as OnceTrigger[]);
  }
  toSpec() {
    return { kind: "afterAny" as const, subtriggers: this.subtriggers.map((t) => t.toSpec()) };
  }
  getContinuationTrigger(): AfterFirst {
    return new AfterFirst(this.subtriggers.map((t) => t.getContinuationTrigger()));
  }
  toString(): string {
    return `AfterFirst.of(${this.subtriggers.map(String).join(", ")})`;
  }
}

/** Fires once all of its (once) subtriggers have fired. Beam: AfterAll.of. */
export class AfterAll extends OnceTrigger {
  constructor(readonly subtriggers: readonly OnceTrigger[]) {
    super();
  }
  static of(...triggers: Trigger[]): AfterAll {
    requireTriggers(triggers, "AfterAll.of", true);
    return new AfterAll(triggers as OnceTrigger[]);
  }
  toSpec() {
    return { kind: "afterAll" as const, subtriggers: this.subtriggers.map((t) => t.toSpec()) };
  }
  getContinuationTrigger(): AfterAll {
    return new AfterAll(this.subtriggers.map((t) => t.getContinuationTrigger()));
  }
  toString(): string {
    return `AfterAll.of(${this.subtriggers.map(String).join(", ")})`;
  }
}

/**
 * Fires as the first subtrigger until it finishes, then as the second, and so on; finishes
 * when the last one does. Beam: AfterEach.inOrder.
 */
export class AfterEach extends Trigger {
  constructor(readonly subtriggers: readonly Trigger[]) {
    super();
  }
  static inOrder(...triggers: Trigger[]): AfterEach {
    requireTriggers(triggers, "AfterEach.inOrder", false);
    return new AfterEach(triggers);
  }
  toSpec() {
    return { kind: "afterEach" as const, subtriggers: this.subtriggers.map((t) => t.toSpec()) };
  }
  mayFinish(): boolean {
    return this.subtriggers[this.subtriggers.length - 1]!.mayFinish();
  }
  /** Downstream any subtrigger's continuation may fire, repeatedly (as Beam). */
  getContinuationTrigger(): Repeatedly {
    return new Repeatedly(new AfterFirst(this.subtriggers.map((t) => t.getContinuationTrigger()) as OnceTrigger[]));
  }
  toString(): string {
    return `AfterEach.inOrder(${this.subtriggers.map(String).join(", ")})`;
  }
}

/** Fires as `main` does, and finishes for good when `until` fires. Beam: t.orFinally(until). */
export class OrFinallyTrigger extends Trigger {
  constructor(readonly main: Trigger, readonly until: OnceTrigger) {
    super();
  }
  toSpec() {
    return { kind: "orFinally" as const, main: this.main.toSpec(), finally: this.until.toSpec() };
  }
  override isOnce(): boolean {
    return false;
  }
  mayFinish(): boolean {
    return true;
  }
  getContinuationTrigger(): OrFinallyTrigger {
    return new OrFinallyTrigger(this.main.getContinuationTrigger(), this.until.getContinuationTrigger());
  }
  toString(): string {
    return `${this.main.toString()}.orFinally(${this.until.toString()})`;
  }
}

// ---------------------------------------------------------------------------------------

function bad(spec: unknown, why: string): never {
  let s: string;
  try {
    s = JSON.stringify(spec);
  } catch {
    s = String(spec);
  }
  throw new TypeError(`not a trigger spec (${why}): ${s && s.length > 200 ? s.slice(0, 200) + "…" : s}`);
}

function subtriggersOf(spec: Record<string, unknown>): Trigger[] {
  const subs = spec.subtriggers;
  if (!Array.isArray(subs) || subs.length === 0) bad(spec, `${String(spec.kind)} needs a non-empty subtriggers array`);
  return subs.map((s) => triggerFromSpec(s as TriggerSpec));
}

function onceOf(t: Trigger, spec: unknown, field: string): OnceTrigger {
  if (!t.isOnce()) bad(spec, `${field} must fire at most once, got ${t.toString()}`);
  return t as OnceTrigger;
}

function finiteNumber(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

function timestampTransformsOf(spec: Record<string, unknown>): TimestampTransformSpec[] {
  const ts = spec.timestampTransforms ?? [];
  if (!Array.isArray(ts)) bad(spec, "timestampTransforms must be an array");
  return ts.map((t: unknown): TimestampTransformSpec => {
    const o = (t ?? {}) as Record<string, unknown>;
    if (o.kind === "delay" && finiteNumber(o.delayMillis) && o.delayMillis >= 0) return { kind: "delay", delayMillis: o.delayMillis };
    if (o.kind === "alignTo" && finiteNumber(o.periodMillis) && o.periodMillis > 0) {
      const offsetMillis = o.offsetMillis ?? 0;
      if (!finiteNumber(offsetMillis)) bad(spec, "alignTo.offsetMillis must be a number");
      return { kind: "alignTo", periodMillis: o.periodMillis, offsetMillis };
    }
    return bad(spec, `bad timestamp transform ${JSON.stringify(t)}`);
  });
}

/** Rebuilds the Trigger that `toSpec()` described. */
export function triggerFromSpec(spec: TriggerSpec): Trigger {
  if (spec === null || typeof spec !== "object" || typeof spec.kind !== "string") bad(spec, "no kind");
  const s = spec as Record<string, unknown>;
  switch (spec.kind as TriggerKind) {
    case "default":
      return new DefaultTrigger();
    case "afterAll":
      return new AfterAll(subtriggersOf(s).map((t) => onceOf(t, spec, "an AfterAll subtrigger")));
    case "afterAny":
      return new AfterFirst(subtriggersOf(s).map((t) => onceOf(t, spec, "an AfterFirst subtrigger")));
    case "afterEach":
      return new AfterEach(subtriggersOf(s));
    case "afterEndOfWindow": {
      const early = s.earlyFirings === undefined || s.earlyFirings === null ? undefined : onceOf(triggerFromSpec(s.earlyFirings as TriggerSpec), spec, "earlyFirings");
      const late = s.lateFirings === undefined || s.lateFirings === null ? undefined : onceOf(triggerFromSpec(s.lateFirings as TriggerSpec), spec, "lateFirings");
      return early || late ? new AfterWatermarkEarlyAndLate(early, late) : new AfterWatermark();
    }
    case "afterProcessingTime":
      return new AfterProcessingTime(timestampTransformsOf(s));
    case "afterSynchronizedProcessingTime":
      return new AfterSynchronizedProcessingTime();
    case "always":
      return new Always();
    case "elementCount":
      if (!Number.isSafeInteger(s.elementCount) || (s.elementCount as number) < 1) bad(spec, "elementCount must be an integer >= 1");
      return new AfterPane(s.elementCount as number);
    case "never":
      return new Never();
    case "orFinally":
      if (!s.main || !s.finally) bad(spec, "orFinally needs main and finally");
      return new OrFinallyTrigger(triggerFromSpec(s.main as TriggerSpec), onceOf(triggerFromSpec(s.finally as TriggerSpec), spec, "finally"));
    case "repeat":
      if (!s.subtrigger) bad(spec, "repeat needs a subtrigger");
      return new Repeatedly(triggerFromSpec(s.subtrigger as TriggerSpec));
    default:
      return bad(spec, `unknown kind '${spec.kind}'`);
  }
}

for (const [name, cls] of Object.entries({
  DefaultTrigger,
  AfterWatermark,
  AfterWatermarkEarlyAndLate,
  AfterProcessingTime,
  AfterSynchronizedProcessingTime,
  AfterPane,
  Always,
  Never,
  Repeatedly,
  AfterFirst,
  AfterAll,
  AfterEach,
  OrFinallyTrigger,
})) {
  registerKnown(`flowbook.trigger.${name}`, cls);
}
