import { registerKnown } from "../../graph/functions/known_objects.js";
import { PCollection, PCollectionList } from "../pcollection.js";
import { TupleTag } from "../values/tuple_tag.js";
import { DoFn, type ProcessContext } from "./do_fn.js";
import { expandParDo } from "./par_do.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";

export class PartitionDoFn<T> extends DoFn<T, T> {
  constructor(readonly n: number, readonly fn: (e: T, n: number) => number, readonly tags: string[]) { super(); }
  processElement(c: ProcessContext<T, T>): void {
    const e = c.element();
    const i = this.fn(e, this.n);
    if (!Number.isInteger(i) || i < 0 || i >= this.n) {
      throw new RangeError(`Partition function returned ${String(i)}; it must return an integer in [0, ${this.n})`);
    }
    if (i === 0) c.output(e);
    else c.output(new TupleTag<T>(this.tags[i]!), e);
  }
}

/** Splits a PCollection into n by a function (element, n) => index. */
export class Partition<T> extends PTransform<PCollection<T>, PCollectionList<T>> {
  private constructor(readonly n: number, readonly fn: (e: T, n: number) => number) { super(); }
  static of<T>(n: number, fn: (element: T, numPartitions: number) => number): Partition<T> {
    if (!Number.isInteger(n) || n < 1) throw new TransformApplicationError(`Partition.of needs a positive number of partitions, got ${n}`);
    if (typeof fn !== "function") throw new TransformApplicationError("Partition.of needs a function (element, n) => partition index");
    return new Partition(n, fn);
  }
  override defaultName(): string { return "Partition"; }
  expand(input: PCollection<T>): PCollectionList<T> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError("Partition must be applied to a PCollection");
    const tags = Array.from({ length: this.n }, (_, i) => `out${i}`);
    const outs = expandParDo(input, new PartitionDoFn(this.n, this.fn, tags) as DoFn<T, unknown>, [], tags[0], tags.slice(1), () => input.getCoder() as never);
    for (const [tag, pc] of outs) if (tag !== tags[0]) pc.setCoder(input.getCoder() as never);
    return new PCollectionList(input.pipeline, tags.map((t) => outs.get(t)! as PCollection<T>));
  }
}

registerKnown("flowbook.PartitionDoFn", PartitionDoFn);
