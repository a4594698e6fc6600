/**
 * GenerateSequence: the numbers [from, to), as Beam's GenerateSequence.
 *
 *   p.apply(GenerateSequence.from(0).to(1_000_000))            // bounded: 0 … 999 999
 *   p.apply(GenerateSequence.from(0).withRate(100, Duration.seconds(1)))  // unbounded: 100 a second
 *
 * Bounded when `to` is given and neither a rate nor a maximum read time is (as in Beam);
 * each element's timestamp is then TIMESTAMP_MIN, as Create's. Unbounded sequences stamp
 * each number with the time it was generated. Builders are immutable.
 */
import { Urns } from "../../graph/types.js";
import { VarLongCoder } from "../../sdk/coders/index.js";
import { PBegin, type PCollection } from "../../sdk/pcollection.js";
import { PTransform, TransformApplicationError } from "../../sdk/transforms/ptransform.js";
import { durationMillis, type DurationLike } from "../../sdk/values/time.js";
import { WindowingStrategy } from "../../sdk/windowing/windowing_strategy.js";
import "./sequence_source.js";
import "./unbounded_sequence.js";

/** GenerateSequence's payload in the pipeline graph. */
export interface GenerateSequencePayload {
  from: number;
  /** Exclusive; absent: no end. */
  to?: number;
  /** `elements` numbers every `periodMillis`. */
  rate?: { elements: number; periodMillis: number };
  maxReadTimeMillis?: number;
}

function fail(message: string): never {
  throw new TransformApplicationError(message);
}

function checkLong(n: unknown, what: string): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n)) fail(`${what} needs an integer (a safe JavaScript integer), got ${typeof n === "number" ? n : JSON.stringify(n)}`);
  return n;
}

export function isBoundedSequence(p: GenerateSequencePayload): boolean {
  return p.to !== undefined && p.rate === undefined && p.maxReadTimeMillis === undefined;
}

export class GenerateSequence extends PTransform<PBegin, PCollection<number>> {
  private constructor(private readonly spec: GenerateSequencePayload) {
    super();
  }

  /** The first number (inclusive). */
  static from(from: number): GenerateSequence {
    return new GenerateSequence({ from: checkLong(from, "GenerateSequence.from()") });
  }

  /** The end (exclusive): with no rate, the sequence is bounded. */
  to(to: number): GenerateSequence {
    checkLong(to, "GenerateSequence.to()");
    if (to < this.spec.from) fail(`GenerateSequence.to(${to}) is before from(${this.spec.from})`);
    return new GenerateSequence({ ...this.spec, to });
  }

  /**
   * At most `elements` numbers per `period` over all the source's readers (an unbounded source,
   * even with `to`), each stamped with the time it is emitted.
   */
  withRate(elements: number, period: DurationLike): GenerateSequence {
    if (typeof elements !== "number" || !Number.isInteger(elements) || elements <= 0) fail(`GenerateSequence.withRate() needs a positive number of elements, got ${String(elements)}`);
    const periodMillis = durationMillis(period);
    if (!Number.isFinite(periodMillis) || periodMillis <= 0) fail(`GenerateSequence.withRate() needs a positive period, got ${String(periodMillis)} ms`);
    return new GenerateSequence({ ...this.spec, rate: { elements, periodMillis } });
  }

  /**
   * Stops generating after this long (an unbounded source). With a rate, exactly the numbers due
   * in that time: withRate(10, 1 s).withMaxReadTime(2 s) gives 0 … 19 (rules:
   * unbounded_sequence.ts, the same on Flink).
   */
  withMaxReadTime(d: DurationLike): GenerateSequence {
    const ms = durationMillis(d);
    if (!Number.isFinite(ms) || ms <= 0) fail(`GenerateSequence.withMaxReadTime() needs a positive duration, got ${String(ms)} ms`);
    return new GenerateSequence({ ...this.spec, maxReadTimeMillis: ms });
  }

  override defaultName(): string {
    return "GenerateSequence";
  }

  expand(input: PBegin): PCollection<number> {
    if (!(input instanceof PBegin)) fail("GenerateSequence must be applied to the pipeline: p.apply(GenerateSequence.from(0).to(n))");
    const payload = { ...this.spec };
    return input.pipeline
      .primitive({
        urn: Urns.GENERATE_SEQUENCE,
        payload: () => ({ ...payload }),
        outputs: [{ tag: "main", coder: () => VarLongCoder.of(), windowing: WindowingStrategy.globalDefault(), isBounded: isBoundedSequence(payload) }],
      })
      .get("main") as PCollection<number>;
  }
}
