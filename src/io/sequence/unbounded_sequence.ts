/**
 * GenerateSequence's unbounded half (Beam's UnboundedCountingSource): numbers at a rate, read
 * until `to`, until the maximum read time, or until cancelled.
 *
 * The rules (the Flink bridge's RateLimitedSequenceSource follows them exactly):
 * - Split i of n reads from + i, from + i + n, from + 2n + i, … (Beam's stride split), so the n
 *   readers together keep the rate.
 * - The number with index k (value from + k) is due `k · period / elements` ms after the reader's
 *   start (its first poll); no rate: every number is due at once. A reader emits the numbers
 *   due by now, each stamped with the time it is emitted (never earlier than the last stamp).
 * - Ends before the first number ≥ `to`, and, with a maximum read time M, before the first number
 *   due at or after start + M: withRate(10, 1 s).withMaxReadTime(2 s) gives exactly 0 … 19. With
 *   M and no rate the reader ends at start + M, after what it emitted by then.
 * - Watermark: the time of the latest poll (equal to the last element's stamp when that poll
 *   emitted): every later number is stamped at or after it. +inf once ended.
 * - Checkpoint: the last number emitted, the reader's start and the watermark; a reader opened on
 *   it goes on after that number, on the same schedule (a reader that was down catches up).
 */
import { Urns } from "../../graph/types.js";
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from "../../sdk/values/time.js";
import { registerUnboundedSource, type SourceSplit, type UnboundedReader, type UnboundedSourceImpl } from "../registry.js";
import { isBoundedSequence, type GenerateSequencePayload } from "./generate_sequence.js";

/** One reader's share: every `count`-th number starting at from + index. */
export interface SequenceSplit extends SourceSplit {
  index: number;
  count: number;
}

/** Where a reader resumes. */
export interface SequenceCheckpoint {
  /** The last number emitted, or null before the first. */
  last: number | null;
  /** When the reader first started (ms since the epoch), or null before its first poll. */
  startedAt: number | null;
  watermark: number;
}

/** At most this many numbers per poll (an unlimited rate would otherwise fill memory). */
export const MAX_NUMBERS_PER_POLL = 10_000;

function checkPayload(p: GenerateSequencePayload): void {
  if (!p || typeof p.from !== "number") throw new Error("GenerateSequence payload has no `from`");
  if (isBoundedSequence(p)) throw new Error("this is a bounded sequence (from(a).to(b) without a rate or a maximum read time): read it with the bounded source");
}

export class SequenceReader implements UnboundedReader {
  private last: number | null;
  private startedAt: number | null;
  private wm: number;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly p: GenerateSequencePayload,
    private readonly split: SequenceSplit,
    checkpoint: SequenceCheckpoint | undefined,
    /** The clock (tests of the schedule pass their own). */
    private readonly now: () => number = Date.now,
  ) {
    this.last = checkpoint?.last ?? null;
    this.startedAt = checkpoint?.startedAt ?? null;
    this.wm = checkpoint?.watermark ?? TIMESTAMP_MIN;
  }

  private next(): number {
    return this.last === null ? this.p.from + this.split.index : this.last + this.split.count;
  }

  /** When the number with index k is due (ms since the epoch). */
  private due(k: number): number {
    const r = this.p.rate;
    return r ? this.startedAt! + (k * r.periodMillis) / r.elements : this.startedAt!;
  }

  /** True when `v` is past the end (to, or due at/after the maximum read time). */
  private pastEnd(v: number, now: number): boolean {
    if (this.p.to !== undefined && v >= this.p.to) return true;
    if (!Number.isSafeInteger(v)) return true;
    const m = this.p.maxReadTimeMillis;
    if (m === undefined) return false;
    return this.p.rate ? this.due(v - this.p.from) >= this.startedAt! + m : now >= this.startedAt! + m;
  }

  private take(): Array<{ value: unknown; timestamp: number }> {
    const now = this.now();
    const out: Array<{ value: unknown; timestamp: number }> = [];
    const stamp = Math.max(now, this.wm);
    while (out.length < MAX_NUMBERS_PER_POLL) {
      const v = this.next();
      if (this.pastEnd(v, now)) {
        this.ended = true;
        break;
      }
      if (this.due(v - this.p.from) > now) break;
      out.push({ value: v, timestamp: stamp });
      this.last = v;
    }
    this.wm = stamp;
    return out;
  }

  async poll(maxWaitMs: number): Promise<{ elements: Array<{ value: unknown; timestamp: number }>; done: boolean }> {
    if (this.ended) return { elements: [], done: true };
    if (this.startedAt === null) this.startedAt = this.now();
    let elements = this.take();
    if (elements.length === 0 && !this.ended && maxWaitMs > 0) {
      const m = this.p.maxReadTimeMillis;
      let until = this.due(this.next() - this.p.from);
      if (m !== undefined) until = Math.min(until, this.startedAt + m);
      const wait = Math.min(maxWaitMs, Math.max(0, Math.ceil(until - this.now())));
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, wait);
        });
        this.timer = undefined;
        this.wake = undefined;
      }
      if (!this.ended) elements = this.take();
    }
    return { elements, done: this.ended && elements.length === 0 };
  }

  watermark(): number {
    return this.ended ? TIMESTAMP_MAX : this.wm;
  }

  checkpoint(): SequenceCheckpoint {
    return { last: this.last, startedAt: this.startedAt, watermark: this.wm };
  }

  async close(): Promise<void> {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }
}

export const unboundedSequenceSource: UnboundedSourceImpl = {
  unbounded: true,
  async split(payload: GenerateSequencePayload, desired: number): Promise<SourceSplit[]> {
    checkPayload(payload);
    let n = Math.max(1, Math.floor(desired) || 1);
    // No more readers than numbers (from(0).to(3).withRate(...) needs at most 3).
    if (payload.to !== undefined) n = Math.max(1, Math.min(n, payload.to - payload.from));
    return Array.from({ length: n }, (_, index) => ({ index, count: n }));
  },
  async open(payload: GenerateSequencePayload, split: SourceSplit, checkpoint: unknown): Promise<UnboundedReader> {
    checkPayload(payload);
    const s = split as SequenceSplit;
    if (!Number.isInteger(s.index) || !Number.isInteger(s.count) || s.count < 1 || s.index < 0 || s.index >= s.count) {
      throw new Error(`GenerateSequence: not a split of this source: ${JSON.stringify(split)}`);
    }
    return new SequenceReader(payload, s, checkpoint as SequenceCheckpoint | undefined);
  },
};

registerUnboundedSource(Urns.GENERATE_SEQUENCE, unboundedSequenceSource);
