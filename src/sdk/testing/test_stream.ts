import { Urns } from "../../graph/types.js";
import type { CoderSpec } from "../../graph/types.js";
import { bytesToBase64 } from "../../graph/realm.js";
import type { Coder } from "../coders/coder.js";
import { describe } from "../coders/describe.js";
import { PBegin, type PCollection } from "../pcollection.js";
import { PTransform, TransformApplicationError } from "../transforms/ptransform.js";
import { TIMESTAMP_MAX, TIMESTAMP_MIN, durationMillis, toInstant, type DurationLike, type Instant } from "../values/time.js";
import { TimestampedValue } from "../values/windowed_value.js";
import { WindowingStrategy } from "../windowing/windowing_strategy.js";

/**
 * TestStream's payload in the pipeline graph. Both runners (and the Flink runner's Java
 * source) build the stream from this, so its shape is a contract: elements are encoded with
 * `coder` and base64'd as Create encodes its elements; +∞ is TIMESTAMP_MAX (JSON has no
 * Infinity).
 */
export interface TestStreamPayload {
  coder: CoderSpec;
  events: TestStreamEventSpec[];
}

export type TestStreamEventSpec =
  | { kind: "elements"; elements: Array<{ value: string; timestamp: number }> }
  | { kind: "watermark"; to: number }
  | { kind: "processing_time"; advanceMillis: number };

/** One event as the user gave it (values still live, encoded when the graph is built). */
type Event<T> =
  | { kind: "elements"; elements: Array<{ value: T; timestamp: Instant }> }
  | { kind: "watermark"; to: Instant }
  | { kind: "processing_time"; advanceMillis: number };

/**
 * An unbounded source for tests, as Beam's TestStream: a script of element batches,
 * watermark advances and processing-time advances. A runner applies each event once the
 * pipeline has done everything the previous ones allow, so results are deterministic.
 *
 * ```ts
 * p.apply(TestStream.create(StringUtf8Coder.of())
 *   .addElements(TimestampedValue.of("a", 1000), "b")   // "b" at the current watermark
 *   .advanceWatermarkTo(60_000)
 *   .advanceProcessingTime(Duration.minutes(1))
 *   .advanceWatermarkToInfinity());
 * ```
 *
 * Each call returns a new TestStream (they are values); `advanceWatermarkToInfinity()`
 * ends the script, and only an ended script can be applied.
 */
export class TestStream<T> extends PTransform<PBegin, PCollection<T>> {
  private constructor(
    readonly coder: Coder<T>,
    private readonly events: readonly Event<T>[],
    /** The watermark after the events so far: the timestamp of untimestamped elements. */
    private readonly currentWatermark: Instant,
    private readonly ended: boolean,
  ) {
    super();
  }

  static create<T>(coder: Coder<T>): TestStream<T> {
    if (!coder || typeof (coder as Coder<T>).encodeToBytes !== "function") {
      throw new TransformApplicationError(`TestStream.create takes the elements' coder (e.g. StringUtf8Coder.of()), got ${describe(coder)}`);
    }
    return new TestStream(coder, [], TIMESTAMP_MIN, false);
  }

  /**
   * Adds a batch of elements, one bundle at the source. A plain value is stamped with the
   * current watermark (Beam's TestStream does the same); `TimestampedValue.of(v, t)` keeps t.
   */
  addElements(...elements: Array<T | TimestampedValue<T>>): TestStream<T> {
    this.checkOpen("addElements");
    if (elements.length === 0) throw new TransformApplicationError("TestStream.addElements needs at least one element");
    const batch = elements.map((e, i) => {
      if (!(e instanceof TimestampedValue)) return { value: e as T, timestamp: this.currentWatermark };
      let t: Instant;
      try {
        t = toInstant(e.timestamp);
      } catch (err) {
        throw new TransformApplicationError(`TestStream.addElements: element ${i} (${describe(e.value)}) has an invalid timestamp: ${(err as Error).message}`);
      }
      if (t >= TIMESTAMP_MAX) {
        throw new TransformApplicationError(`TestStream.addElements: element ${i} (${describe(e.value)}) has timestamp ${t}; elements must have timestamps before TIMESTAMP_MAX (${TIMESTAMP_MAX})`);
      }
      return { value: e.value, timestamp: t };
    });
    return this.with({ kind: "elements", elements: batch }, this.currentWatermark);
  }

  /** Advances the source's watermark to t, which must be later than the current watermark. */
  advanceWatermarkTo(t: Instant | Date): TestStream<T> {
    this.checkOpen("advanceWatermarkTo");
    let to: Instant;
    try {
      to = toInstant(t);
    } catch (err) {
      throw new TransformApplicationError(`TestStream.advanceWatermarkTo: ${(err as Error).message}`);
    }
    if (to <= this.currentWatermark) {
      throw new TransformApplicationError(`TestStream.advanceWatermarkTo(${to}): the watermark must advance, and it is already at ${this.currentWatermark}`);
    }
    if (to >= TIMESTAMP_MAX) {
      throw new TransformApplicationError(`TestStream.advanceWatermarkTo(${to}): the watermark cannot reach TIMESTAMP_MAX this way; end the stream with advanceWatermarkToInfinity()`);
    }
    return this.with({ kind: "watermark", to }, to);
  }

  /** Advances the run's processing-time clock by a positive duration. */
  advanceProcessingTime(d: DurationLike): TestStream<T> {
    this.checkOpen("advanceProcessingTime");
    const ms = durationMillis(d);
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) {
      throw new TransformApplicationError(`TestStream.advanceProcessingTime: the processing time must advance by a positive amount, got ${describe(ms)}`);
    }
    return this.with({ kind: "processing_time", advanceMillis: Math.ceil(ms) }, this.currentWatermark);
  }

  /** Ends the stream: the watermark goes to +∞, every window closes. */
  advanceWatermarkToInfinity(): TestStream<T> {
    this.checkOpen("advanceWatermarkToInfinity");
    const s = this.with({ kind: "watermark", to: TIMESTAMP_MAX }, TIMESTAMP_MAX);
    return new TestStream(s.coder, s.events, TIMESTAMP_MAX, true);
  }

  override defaultName(): string {
    return "TestStream";
  }

  expand(input: PBegin): PCollection<T> {
    if (!(input instanceof PBegin)) throw new TransformApplicationError("TestStream must be applied to the pipeline (p.apply(TestStream.create(coder)...))");
    if (!this.ended) {
      throw new TransformApplicationError("TestStream: end the stream with .advanceWatermarkToInfinity() before applying it (its last event says when the stream ends)");
    }
    const where = input.pipeline.currentTransformName();
    const events = this.events;
    let output: PCollection<T> | undefined;
    output = input.pipeline.primitive({
      urn: Urns.TEST_STREAM,
      payload: (): TestStreamPayload => {
        // The output's coder, which setCoder may have replaced after this was applied.
        const c = output!.getCoder();
        return {
          coder: c.toSpec(),
          events: events.map((e, n): TestStreamEventSpec => {
            if (e.kind !== "elements") return { ...e };
            return {
              kind: "elements",
              elements: e.elements.map((el, i) => {
                try {
                  return { value: bytesToBase64(c.encodeToBytes(el.value)), timestamp: el.timestamp };
                } catch (err) {
                  throw new TransformApplicationError(`${where}: event ${n}, element ${i} (${describe(el.value)}) cannot be encoded with ${c}: ${(err as Error).message}`);
                }
              }),
            };
          }),
        };
      },
      outputs: [{ tag: "main", coder: () => this.coder as Coder<unknown>, windowing: WindowingStrategy.globalDefault(), isBounded: false }],
    }).get("main") as PCollection<T>;
    return output;
  }

  private with(event: Event<T>, watermark: Instant): TestStream<T> {
    return new TestStream(this.coder, [...this.events, event], watermark, false);
  }

  private checkOpen(what: string): void {
    if (this.ended) throw new TransformApplicationError(`TestStream.${what}: the stream already ended with advanceWatermarkToInfinity()`);
  }
}
