import { registerKnown } from "../../graph/functions/known_objects.js";
import { PCollection } from "../pcollection.js";
import { toInstant, type Instant } from "../values/time.js";
import { DoFn, type ProcessContext } from "./do_fn.js";
import { expandParDo } from "./par_do.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";

export class WithTimestampsFn<T> extends DoFn<T, T> {
  constructor(readonly fn: (e: T) => Instant | Date) { super(); }
  processElement(c: ProcessContext<T, T>): void {
    const e = c.element();
    const t = this.fn(e);
    let ts: number;
    try {
      ts = toInstant(t);
    } catch (e) {
      const err = new (e instanceof RangeError ? RangeError : TypeError)(`WithTimestamps function returned ${String(t)}: ${(e as Error).message}`);
      throw err;
    }
    c.outputWithTimestamp(e, ts);
  }
}

/** Sets each element's event timestamp from a function of the element. */
export class WithTimestamps<T> extends PTransform<PCollection<T>, PCollection<T>> {
  constructor(readonly fn: (e: T) => Instant | Date) { super(); }
  static of<T>(fn: (element: T) => Instant | Date): WithTimestamps<T> {
    if (typeof fn !== "function") throw new TransformApplicationError("WithTimestamps.of needs a function element => timestamp");
    return new WithTimestamps(fn);
  }
  override defaultName(): string { return "WithTimestamps"; }
  expand(input: PCollection<T>): PCollection<T> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError("WithTimestamps must be applied to a PCollection");
    return expandParDo(input, new WithTimestampsFn(this.fn) as DoFn<T, unknown>, [], "main", [], () => input.getCoder() as never).get("main") as PCollection<T>;
  }
}

registerKnown("flowbook.WithTimestampsFn", WithTimestampsFn);
