import { Urns } from "../../graph/types.js";
import type { Coder } from "../coders/coder.js";
import { inferCoderFromValues } from "../coders/index.js";
import { PBegin, type PCollection } from "../pcollection.js";
import { TimestampedValue } from "../values/windowed_value.js";
import { toInstant } from "../values/time.js";
import { describe } from "../coders/describe.js";
import { WindowingStrategy } from "../windowing/windowing_strategy.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";
import { bytesToBase64 } from "../../graph/realm.js";

/** Create's payload: the elements encoded with the output coder, base64 (and timestamps). */
export interface CreatePayload {
  elements: string[];
  timestamps?: number[];
}

/** A bounded source of values given in the program. */
export class CreateValues<T> extends PTransform<PBegin, PCollection<T>> {
  constructor(readonly values: readonly T[], readonly timestamps?: readonly number[], private readonly coder?: Coder<T>) {
    super();
  }
  /** Sets the coder of the created elements (instead of inferring it from them). */
  withCoder(coder: Coder<T>): CreateValues<T> {
    return new CreateValues(this.values, this.timestamps, coder);
  }
  override defaultName(): string {
    return this.timestamps ? "Create.TimestampedValues" : "Create.Values";
  }
  expand(input: PBegin): PCollection<T> {
    if (!(input instanceof PBegin)) throw new TransformApplicationError("Create must be applied to the pipeline (p.apply(Create.of(...)))");
    const values = this.values;
    const where = input.pipeline.currentTransformName();
    // Timestamps are checked and made integer milliseconds here, where the user gave them.
    const timestamps = this.timestamps?.map((t, i) => {
      try {
        return toInstant(t);
      } catch (e) {
        throw new TransformApplicationError(`${where}: element ${i} (${describe(values[i])}) has an invalid timestamp: ${(e as Error).message}`);
      }
    });
    let coder: Coder<T> | undefined = this.coder;
    const getCoder = () => (coder ??= inferCoderFromValues(values as unknown[]) as Coder<T>);
    let output: PCollection<T> | undefined;
    output = input.pipeline.primitive({
      urn: Urns.CREATE,
      payload: (): CreatePayload => {
        // The output's coder, which setCoder may have replaced after this was applied.
        const c = output!.getCoder();
        const elements = values.map((v, i) => {
          try {
            return bytesToBase64(c.encodeToBytes(v));
          } catch (e) {
            throw new TransformApplicationError(`${where}: element ${i} cannot be encoded with ${c}: ${(e as Error).message}`);
          }
        });
        return timestamps ? { elements, timestamps: [...timestamps] } : { elements };
      },
      outputs: [{ tag: "main", coder: getCoder as () => Coder<unknown>, windowing: WindowingStrategy.globalDefault(), isBounded: true }],
    }).get("main") as PCollection<T>;
    return output;
  }
}

export const Create = {
  of<T>(...values: T[]): CreateValues<T> {
    return new CreateValues(values);
  },
  /** Create.of for an array or other iterable. */
  ofIterable<T>(values: Iterable<T>): CreateValues<T> {
    return new CreateValues([...values]);
  },
  timestamped<T>(...values: Array<TimestampedValue<T> | TimestampedValue<T>[]>): CreateValues<T> {
    const tvs = values.flat() as TimestampedValue<T>[];
    for (const tv of tvs) {
      if (!(tv instanceof TimestampedValue)) throw new TransformApplicationError("Create.timestamped takes TimestampedValue.of(value, timestamp) values");
    }
    return new CreateValues(tvs.map((t) => t.value), tvs.map((t) => t.timestamp));
  },
  empty<T>(coder: Coder<T>): CreateValues<T> {
    return new CreateValues<T>([], undefined, coder);
  },
};
