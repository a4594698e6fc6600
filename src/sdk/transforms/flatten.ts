import { Urns } from "../../graph/types.js";
import { PCollection, PCollectionList } from "../pcollection.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";

/** Merges a list of PCollections with compatible windowing into one. */
export class FlattenPCollections<T> extends PTransform<PCollectionList<T>, PCollection<T>> {
  override defaultName(): string {
    return "Flatten.PCollections";
  }
  expand(input: PCollectionList<T>): PCollection<T> {
    if (!(input instanceof PCollectionList)) {
      throw new TransformApplicationError("Flatten.pCollections() must be applied to a PCollectionList (PCollectionList.of(a).and(b))");
    }
    const items = input.getAll();
    if (items.length === 0) throw new TransformApplicationError("Flatten.pCollections() of an empty PCollectionList: use Create.empty(coder)");
    const first = items[0]!;
    for (const pc of items) {
      if (pc.pipeline !== input.pipeline) throw new TransformApplicationError(`Flatten: ${pc.name} belongs to another pipeline`);
    }
    for (const pc of items.slice(1)) {
      if (!first.windowingStrategy.windowFn.isCompatible(pc.windowingStrategy.windowFn)) {
        throw new TransformApplicationError(
          `Flatten needs inputs with the same windowing: ${first.name} has ${first.windowingStrategy.windowFn}, ${pc.name} has ${pc.windowingStrategy.windowFn}`,
        );
      }
    }
    return input.pipeline.primitive({
      urn: Urns.FLATTEN,
      outputs: [{
        tag: "main",
        coder: () => first.getCoder() as never,
        windowing: first.windowingStrategy,
        isBounded: items.every((pc) => pc.isBounded),
      }],
    }).get("main") as PCollection<T>;
  }
}

export const Flatten = {
  pCollections<T>(): FlattenPCollections<T> {
    return new FlattenPCollections<T>();
  },
};
