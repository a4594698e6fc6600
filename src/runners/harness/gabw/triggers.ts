/**
 * Trigger state machines: what runs a TriggerSpec (src/sdk/windowing/triggers.ts) per key
 * and window, after Beam's runners-core (TriggerStateMachine, ExecutableTriggerStateMachine,
 * TriggerStateMachineRunner and one machine per kind). The trigger tree is numbered in
 * pre-order; a window's TriggerStore holds one finished bit and one number cell per node (an
 * element count, or the processing time a delay runs until), so the machines themselves are
 * stateless and shared by every key and window.
 *
 * The contract with the operator: onElement for each element in an open window; shouldFire
 * after a bundle of elements and on timers; onFire just before the pane is emitted; the root's
 * finished bit closes the window (elements for it are dropped until it is garbage-collected);
 * onMerge when windows merge, with the merged windows' stores as `sources`.
 */
import type { TriggerSpec } from "../../../graph/types.js";
import type { KnownTriggerSpec, TimestampTransformSpec } from "../../../sdk/windowing/triggers.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import type { TimeDomain } from "./timers.js";

/** A window's trigger state: finished bits and cells, one per node of the trigger tree. */
export interface TriggerStore {
  finished: boolean[];
  cells: Array<number | undefined>;
}

export interface TriggerContext {
  readonly window: BoundedWindow;
  readonly store: TriggerStore;
  /** The window fn merges (sessions): composite triggers then run all their subtriggers. */
  readonly merging: boolean;
  /** The input watermark. */
  readonly eventTime: number;
  readonly processingTime: number;
  readonly synchronizedProcessingTime: number;
  setTimer(time: number, domain: TimeDomain): void;
  /** For onMerge: the stores of the active windows being merged (the result's own among them if it was active). */
  readonly sources?: readonly TriggerStore[];
}

/** One node of an executable trigger tree. */
export abstract class TriggerStateMachine {
  index = 0;
  /** The first index after this node's subtree. */
  end = 0;
  constructor(readonly subs: TriggerStateMachine[] = []) {}

  abstract onElement(c: TriggerContext): void;
  abstract onMerge(c: TriggerContext): void;
  abstract shouldFire(c: TriggerContext): boolean;
  abstract onFire(c: TriggerContext): void;
  /** Clears this subtree's cells (not its finished bits). */
  clear(c: TriggerContext): void {
    for (const s of this.subs) s.clear(c);
  }
  abstract describe(): string;

  isFinished(c: TriggerContext): boolean {
    return c.store.finished[this.index] === true;
  }
  setFinished(c: TriggerContext, finished: boolean): void {
    c.store.finished[this.index] = finished;
  }
  /** Unsets the subtree's finished bits and clears its cells (Beam's resetTree). */
  resetTree(c: TriggerContext): void {
    for (let i = this.index; i < this.end; i++) c.store.finished[i] = false;
    this.clear(c);
  }
  firstUnfinishedSub(c: TriggerContext): TriggerStateMachine | undefined {
    for (const s of this.subs) if (!s.isFinished(c)) return s;
    return undefined;
  }
  /**
   * An element for subtriggers that run one after another (AfterEach, AfterWatermark's early
   * then late): the current one sees it; while windows merge every one does, since a merge
   * may revive a finished one and each must keep its state.
   */
  protected onElementInSequence(c: TriggerContext): void {
    if (!c.merging) this.firstUnfinishedSub(c)?.onElement(c);
    else for (const s of this.subs) s.onElement(c);
  }
  finishedInAnyMergingWindow(c: TriggerContext): boolean {
    return (c.sources ?? []).some((s) => s.finished[this.index] === true);
  }
  finishedInAllMergingWindows(c: TriggerContext): boolean {
    return (c.sources ?? []).every((s) => s.finished[this.index] === true);
  }
  cell(c: TriggerContext): number | undefined {
    return c.store.cells[this.index];
  }
  setCell(c: TriggerContext, v: number | undefined): void {
    c.store.cells[this.index] = v;
  }
  /** The merged windows' cells, combined (a sum of counts, the earliest delay). */
  mergedCells(c: TriggerContext, combine: (a: number, b: number) => number): number | undefined {
    let r: number | undefined;
    for (const s of c.sources ?? []) {
      const v = s.cells[this.index];
      if (v !== undefined) r = r === undefined ? v : combine(r, v);
    }
    return r;
  }
}

/** Triggers that fire at most once: firing finishes them. */
abstract class OnceTriggerStateMachine extends TriggerStateMachine {
  onFire(c: TriggerContext): void {
    this.onOnlyFiring(c);
    this.setFinished(c, true);
  }
  protected onOnlyFiring(_c: TriggerContext): void {}
}

function endOfWindowReached(c: TriggerContext): boolean {
  return c.eventTime > c.window.maxTimestamp();
}

/** Fires whenever the watermark is past the end of the window; never finishes. */
export class DefaultTriggerStateMachine extends TriggerStateMachine {
  onElement(c: TriggerContext): void {
    if (!endOfWindowReached(c)) c.setTimer(c.window.maxTimestamp(), "EVENT_TIME");
  }
  onMerge(c: TriggerContext): void {
    if (!endOfWindowReached(c)) c.setTimer(c.window.maxTimestamp(), "EVENT_TIME");
  }
  shouldFire(c: TriggerContext): boolean {
    return endOfWindowReached(c);
  }
  onFire(_c: TriggerContext): void {}
  describe(): string {
    return "DefaultTrigger";
  }
}

/** AfterWatermark.pastEndOfWindow(): fires once when the watermark passes the end of the window. */
class AfterWatermarkStateMachine extends OnceTriggerStateMachine {
  onElement(c: TriggerContext): void {
    if (!endOfWindowReached(c)) c.setTimer(c.window.maxTimestamp(), "EVENT_TIME");
  }
  onMerge(c: TriggerContext): void {
    // Finished in the merged window only if finished in all merged ones and already past its end.
    if (!this.finishedInAllMergingWindows(c) || !endOfWindowReached(c)) this.setFinished(c, false);
    if (!this.isFinished(c)) c.setTimer(c.window.maxTimestamp(), "EVENT_TIME");
  }
  shouldFire(c: TriggerContext): boolean {
    return endOfWindowReached(c);
  }
  describe(): string {
    return "AfterWatermark.pastEndOfWindow()";
  }
}

/**
 * AfterWatermark with early and late firings. Subtree 0 (early) repeats until the end of the
 * window; its finished bit then means "past the end of the window"; subtree 1 (late, if any)
 * repeats after that.
 */
class AfterWatermarkEarlyAndLateStateMachine extends TriggerStateMachine {
  constructor(early: TriggerStateMachine, private readonly late: TriggerStateMachine | undefined) {
    super(late ? [early, late] : [early]);
  }
  private get early(): TriggerStateMachine {
    return this.subs[0]!;
  }
  onElement(c: TriggerContext): void {
    this.onElementInSequence(c);
  }
  onMerge(c: TriggerContext): void {
    const early = this.early;
    if (!early.finishedInAllMergingWindows(c) || !endOfWindowReached(c)) {
      early.onMerge(c);
      early.setFinished(c, false);
      if (this.late) {
        this.late.setFinished(c, false);
        this.late.clear(c);
      }
    } else {
      early.setFinished(c, true);
      this.late?.onMerge(c);
    }
  }
  shouldFire(c: TriggerContext): boolean {
    if (!this.early.isFinished(c)) return this.early.shouldFire(c) || endOfWindowReached(c);
    if (!this.late) return false;
    return this.late.shouldFire(c);
  }
  onFire(c: TriggerContext): void {
    const early = this.early;
    if (!early.isFinished(c)) {
      if (!endOfWindowReached(c)) {
        // An early firing: the early trigger repeats.
        early.onFire(c);
        early.clear(c);
        early.setFinished(c, false);
      } else {
        // The on-time firing: the early trigger is done for good.
        if (early.shouldFire(c)) early.onFire(c);
        early.setFinished(c, true);
        early.clear(c);
        if (!this.late) this.setFinished(c, true);
        else this.late.clear(c); // it ran in parallel; late panes count from here
      }
    } else if (this.late) {
      // A late firing: the late trigger repeats.
      this.late.onFire(c);
      this.late.clear(c);
      this.late.setFinished(c, false);
    } else {
      this.setFinished(c, true);
    }
  }
  describe(): string {
    return `AfterWatermark.pastEndOfWindow().withEarlyFirings(${this.early.describe()})${this.late ? `.withLateFirings(${this.late.describe()})` : ""}`;
  }
}

/** Fires once the pane has at least `count` elements. Cell: the pane's element count. */
class AfterPaneStateMachine extends OnceTriggerStateMachine {
  constructor(readonly count: number) {
    super();
  }
  onElement(c: TriggerContext): void {
    this.setCell(c, (this.cell(c) ?? 0) + 1);
  }
  onMerge(c: TriggerContext): void {
    if (this.finishedInAnyMergingWindow(c)) {
      this.setFinished(c, true);
      this.setCell(c, undefined);
      return;
    }
    this.setCell(c, this.mergedCells(c, (a, b) => a + b));
  }
  shouldFire(c: TriggerContext): boolean {
    return (this.cell(c) ?? 0) >= this.count;
  }
  override clear(c: TriggerContext): void {
    this.setCell(c, undefined);
  }
  protected override onOnlyFiring(c: TriggerContext): void {
    this.clear(c);
  }
  describe(): string {
    return `AfterPane.elementCountAtLeast(${this.count})`;
  }
}

/**
 * Fires once its domain's time has passed the (transformed) time the pane's first element
 * arrived. Cell: the time it waits until.
 */
class AfterDelayFromFirstElementStateMachine extends OnceTriggerStateMachine {
  constructor(readonly transforms: readonly TimestampTransformSpec[], readonly domain: TimeDomain) {
    super();
  }
  private now(c: TriggerContext): number {
    return this.domain === "SYNCHRONIZED_PROCESSING_TIME" ? c.synchronizedProcessingTime : c.processingTime;
  }
  target(t: number): number {
    for (const x of this.transforms) {
      if (x.kind === "delay") t += x.delayMillis;
      else {
        // The smallest point at or after t that is offset + k * period.
        const since = (((t - x.offsetMillis) % x.periodMillis) + x.periodMillis) % x.periodMillis;
        if (since !== 0) t += x.periodMillis - since;
      }
    }
    return t;
  }
  onElement(c: TriggerContext): void {
    // Processing time only advances: once set, a later target would only be ignored.
    if (this.cell(c) !== undefined) return;
    const t = this.target(this.now(c));
    this.setCell(c, t);
    c.setTimer(t, this.domain);
  }
  onMerge(c: TriggerContext): void {
    if (this.isFinished(c)) {
      this.setCell(c, undefined);
      return;
    }
    const t = this.mergedCells(c, Math.min);
    this.setCell(c, t);
    if (t !== undefined) c.setTimer(t, this.domain);
  }
  shouldFire(c: TriggerContext): boolean {
    const until = this.cell(c);
    return until !== undefined && this.now(c) > until;
  }
  override clear(c: TriggerContext): void {
    this.setCell(c, undefined);
  }
  protected override onOnlyFiring(c: TriggerContext): void {
    this.clear(c);
  }
  describe(): string {
    if (this.domain === "SYNCHRONIZED_PROCESSING_TIME") return "AfterSynchronizedProcessingTime.ofFirstElement()";
    let s = "AfterProcessingTime.pastFirstElementInPane()";
    for (const t of this.transforms) s += t.kind === "delay" ? `.plusDelayOf(${t.delayMillis} ms)` : `.alignedTo(${t.periodMillis} ms, ${t.offsetMillis})`;
    return s;
  }
}

/** Never fires: only the on-time and final panes (which the operator emits itself) come out. */
class NeverStateMachine extends OnceTriggerStateMachine {
  onElement(_c: TriggerContext): void {}
  onMerge(_c: TriggerContext): void {}
  shouldFire(_c: TriggerContext): boolean {
    return false;
  }
  describe(): string {
    return "Never.ever()";
  }
}

/** Fires as its subtrigger does, resetting it each time it finishes; never finishes itself. */
class RepeatedlyStateMachine extends TriggerStateMachine {
  constructor(sub: TriggerStateMachine) {
    super([sub]);
  }
  onElement(c: TriggerContext): void {
    this.subs[0]!.onElement(c);
  }
  onMerge(c: TriggerContext): void {
    this.subs[0]!.onMerge(c);
  }
  shouldFire(c: TriggerContext): boolean {
    return this.subs[0]!.shouldFire(c);
  }
  onFire(c: TriggerContext): void {
    const sub = this.subs[0]!;
    sub.onFire(c);
    if (sub.isFinished(c)) sub.resetTree(c);
  }
  describe(): string {
    return `Repeatedly.forever(${this.subs[0]!.describe()})`;
  }
}

/** Fires (and finishes) once any subtrigger is ready. Beam: AfterFirst (proto AfterAny). */
class AfterFirstStateMachine extends OnceTriggerStateMachine {
  onElement(c: TriggerContext): void {
    for (const s of this.subs) s.onElement(c);
  }
  onMerge(c: TriggerContext): void {
    for (const s of this.subs) s.onMerge(c);
    this.setFinished(c, this.subs.some((s) => s.isFinished(c)));
  }
  shouldFire(c: TriggerContext): boolean {
    for (const s of this.subs) if (s.isFinished(c) || s.shouldFire(c)) return true;
    return false;
  }
  override onFire(c: TriggerContext): void {
    for (const s of this.subs) {
      if (s.shouldFire(c)) s.onFire(c);
      // A subtrigger not ready has nonetheless lost the pane it was tracking.
      else s.clear(c);
    }
    this.setFinished(c, true);
  }
  describe(): string {
    return `AfterFirst.of(${this.subs.map((s) => s.describe()).join(", ")})`;
  }
}

/** Fires (and finishes) once every subtrigger is ready. */
class AfterAllStateMachine extends OnceTriggerStateMachine {
  onElement(c: TriggerContext): void {
    for (const s of this.subs) if (!s.isFinished(c)) s.onElement(c);
  }
  onMerge(c: TriggerContext): void {
    for (const s of this.subs) s.onMerge(c);
    this.setFinished(c, this.subs.every((s) => s.isFinished(c)));
  }
  shouldFire(c: TriggerContext): boolean {
    for (const s of this.subs) if (!s.isFinished(c) && !s.shouldFire(c)) return false;
    return true;
  }
  override onFire(c: TriggerContext): void {
    for (const s of this.subs) s.onFire(c);
    this.setFinished(c, true);
  }
  describe(): string {
    return `AfterAll.of(${this.subs.map((s) => s.describe()).join(", ")})`;
  }
}

/** Runs its subtriggers one after another; finishes when the last one does. */
class AfterEachStateMachine extends TriggerStateMachine {
  onElement(c: TriggerContext): void {
    this.onElementInSequence(c);
  }
  onMerge(c: TriggerContext): void {
    let priorFinished = true;
    for (const s of this.subs) {
      if (priorFinished) {
        s.onMerge(c);
        priorFinished = s.isFinished(c);
      } else {
        s.clear(c);
      }
    }
    this.setFinished(c, this.firstUnfinishedSub(c) === undefined);
  }
  shouldFire(c: TriggerContext): boolean {
    return this.firstUnfinishedSub(c)?.shouldFire(c) ?? false;
  }
  onFire(c: TriggerContext): void {
    this.firstUnfinishedSub(c)?.onFire(c);
    // Where windows merge, every subtrigger runs for each pending pane: start them afresh.
    if (c.merging) for (const s of this.subs) s.clear(c);
    this.setFinished(c, this.firstUnfinishedSub(c) === undefined);
  }
  describe(): string {
    return `AfterEach.inOrder(${this.subs.map((s) => s.describe()).join(", ")})`;
  }
}

/** Fires as `main` does, and finishes once `until` fires (one last time) or `main` finishes. */
class OrFinallyStateMachine extends TriggerStateMachine {
  onElement(c: TriggerContext): void {
    this.subs[0]!.onElement(c);
    this.subs[1]!.onElement(c);
  }
  onMerge(c: TriggerContext): void {
    for (const s of this.subs) s.onMerge(c);
    this.setFinished(c, this.subs.some((s) => s.isFinished(c)));
  }
  shouldFire(c: TriggerContext): boolean {
    return this.subs[0]!.shouldFire(c) || this.subs[1]!.shouldFire(c);
  }
  onFire(c: TriggerContext): void {
    const [main, until] = this.subs as [TriggerStateMachine, TriggerStateMachine];
    if (until.shouldFire(c)) {
      until.onFire(c);
      main.clear(c);
    } else {
      main.onFire(c);
      // `until` keeps counting across main's firings.
    }
    this.setFinished(c, this.subs.some((s) => s.isFinished(c)));
  }
  describe(): string {
    return `${this.subs[0]!.describe()}.orFinally(${this.subs[1]!.describe()})`;
  }
}

function machineFor(spec: KnownTriggerSpec, where: string): TriggerStateMachine {
  switch (spec.kind) {
    case "default":
      return new DefaultTriggerStateMachine();
    case "afterEndOfWindow":
      if (!spec.earlyFirings && !spec.lateFirings) return new AfterWatermarkStateMachine();
      return new AfterWatermarkEarlyAndLateStateMachine(
        spec.earlyFirings ? machineFor(spec.earlyFirings, where) : new NeverStateMachine(),
        spec.lateFirings ? machineFor(spec.lateFirings, where) : undefined,
      );
    case "afterProcessingTime":
      return new AfterDelayFromFirstElementStateMachine(spec.timestampTransforms ?? [], "PROCESSING_TIME");
    case "afterSynchronizedProcessingTime":
      return new AfterDelayFromFirstElementStateMachine([], "SYNCHRONIZED_PROCESSING_TIME");
    case "elementCount":
      return new AfterPaneStateMachine(spec.elementCount);
    case "always":
      // Beam translates Always to Repeatedly.forever(AfterPane.elementCountAtLeast(1)).
      return new RepeatedlyStateMachine(new AfterPaneStateMachine(1));
    case "never":
      return new NeverStateMachine();
    case "repeat":
      return new RepeatedlyStateMachine(machineFor(spec.subtrigger, where));
    case "afterAny":
      return new AfterFirstStateMachine(spec.subtriggers.map((s) => machineFor(s, where)));
    case "afterAll":
      return new AfterAllStateMachine(spec.subtriggers.map((s) => machineFor(s, where)));
    case "afterEach":
      return new AfterEachStateMachine(spec.subtriggers.map((s) => machineFor(s, where)));
    case "orFinally":
      return new OrFinallyStateMachine([machineFor(spec.main, where), machineFor(spec.finally, where)]);
    default:
      throw new TypeError(`${where}: unknown trigger kind '${(spec as { kind?: unknown }).kind}' (${JSON.stringify(spec)})`);
  }
}

function number(t: TriggerStateMachine, next: number): number {
  t.index = next++;
  for (const s of t.subs) next = number(s, next);
  t.end = next;
  return next;
}

/** An executable trigger tree: the machines, numbered, with the size of a window's store. */
export class ExecutableTrigger {
  readonly size: number;
  constructor(readonly root: TriggerStateMachine) {
    this.size = number(root, 0);
  }

  /** Builds the state machines of a trigger spec; `where` names the transform in errors. */
  static of(spec: TriggerSpec, where = "trigger"): ExecutableTrigger {
    return new ExecutableTrigger(machineFor(spec as KnownTriggerSpec, where));
  }

  newStore(): TriggerStore {
    return { finished: new Array<boolean>(this.size).fill(false), cells: new Array<number | undefined>(this.size).fill(undefined) };
  }

  /** The trigger is finished: the window is closed. */
  isClosed(store: TriggerStore | undefined): boolean {
    return store !== undefined && store.finished[0] === true;
  }

  toString(): string {
    return this.root.describe();
  }
}

/**
 * Whether a trigger, over bounded input (the watermark goes straight to +∞ once a key's input is
 * read), fires exactly one ON_TIME pane per window, as a lifted combine (accumulators merged
 * once) does: the default trigger, Never, AfterWatermark without early firings (nothing is late).
 */
export function firesOncePerWindowWhenBounded(spec: TriggerSpec): boolean {
  const s = spec as KnownTriggerSpec;
  return s.kind === "default" || s.kind === "never" || (s.kind === "afterEndOfWindow" && !s.earlyFirings);
}
