import { registerKnown } from "../../graph/functions/known_objects.js";
import type { Coder } from "../coders/coder.js";
import { KvCoder, VarLongCoder } from "../coders/index.js";
import { PCollection } from "../pcollection.js";
import type { KV } from "../values/kv.js";
import { CountFn } from "./combiners/count.js";
import { CombineGlobally, CombinePerKey } from "./combine.js";
import { DoFn, type ProcessContext } from "./do_fn.js";
import { expandParDo } from "./par_do.js";
import { PTransform } from "./ptransform.js";

export class PairWithOneFn<T> extends DoFn<T, KV<T, number>> {
  processElement(c: ProcessContext<T, KV<T, number>>): void {
    c.output({ key: c.element(), value: 1 });
  }
}

class Init<T> extends PTransform<PCollection<T>, PCollection<KV<T, number>>> {
  expand(input: PCollection<T>): PCollection<KV<T, number>> {
    return expandParDo(input, new PairWithOneFn<T>() as DoFn<T, unknown>, [], "main", [], () =>
      KvCoder.of(input.getCoder(), VarLongCoder.of()) as Coder<unknown>,
    ).get("main") as PCollection<KV<T, number>>;
  }
}

/** Count.perElement(): Init (element → KV(element, 1)) then Combine.perKey(Count). */
export class CountPerElement<T> extends PTransform<PCollection<T>, PCollection<KV<T, number>>> {
  override defaultName(): string { return "Count.PerElement"; }
  expand(input: PCollection<T>): PCollection<KV<T, number>> {
    return input
      .apply("Init", new Init<T>())
      .apply("Combine.perKey", new CombinePerKey<T, number, number>(new CountFn() as never))
      .setCoder(KvCoder.of(input.getCoder(), VarLongCoder.of()) as never);
  }
}

export const Count = {
  perElement<T>(): CountPerElement<T> {
    return new CountPerElement<T>();
  },
  globally<T>(): CombineGlobally<T, number> {
    return new CombineGlobally<T, number>(new CountFn() as never, true, "Count.Globally");
  },
  perKey<K, V>(): CombinePerKey<K, V, number> {
    return new CombinePerKey<K, V, number>(new CountFn() as never, "Count.PerKey");
  },
};

registerKnown("flowbook.PairWithOneFn", PairWithOneFn);
