import type { ViewKind } from "../../graph/types.js";
import { PCollection, PCollectionView } from "../pcollection.js";
import type { KV } from "../values/kv.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";

/** Makes a PCollection readable whole as a side input (no graph node of its own). */
export class CreateView<T, V> extends PTransform<PCollection<T>, PCollectionView<V>> {
  constructor(readonly kind: ViewKind, readonly defaultValue?: { value: unknown }) { super(); }
  override defaultName(): string {
    return `View.As${this.kind[0]!.toUpperCase()}${this.kind.slice(1)}`;
  }
  expand(input: PCollection<T>): PCollectionView<V> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError(`${this.defaultName()} must be applied to a PCollection`);
    if ((this.kind === "singleton" || this.kind === "list" || this.kind === "iterable") && !input.windowingStrategy.windowFn.isNonMerging()) {
      // Side inputs are looked up by window; merging windows are not known until grouping.
      throw new TransformApplicationError(`${this.defaultName()}: a side input cannot have merging (session) windows; window it into fixed or global windows first`);
    }
    return new PCollectionView<V>(input as PCollection<unknown>, this.kind, this.defaultValue);
  }
}

class SingletonView<T> extends CreateView<T, T> {
  constructor(defaultValue?: { value: unknown }) { super("singleton", defaultValue); }
  /** The value a window with no element reads. */
  withDefaultValue(value: T): SingletonView<T> {
    return new SingletonView<T>({ value });
  }
}

export const View = {
  asSingleton<T>(): SingletonView<T> {
    return new SingletonView<T>();
  },
  asIterable<T>(): CreateView<T, T[]> {
    return new CreateView<T, T[]>("iterable");
  },
  asList<T>(): CreateView<T, T[]> {
    return new CreateView<T, T[]>("list");
  },
  asMap<K, V>(): CreateView<KV<K, V>, ReadonlyMap<K, V>> {
    return new CreateView<KV<K, V>, ReadonlyMap<K, V>>("map");
  },
  asMultimap<K, V>(): CreateView<KV<K, V>, ReadonlyMap<K, V[]>> {
    return new CreateView<KV<K, V>, ReadonlyMap<K, V[]>>("multimap");
  },
};
