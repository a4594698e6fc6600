import { Urns } from "../../graph/types.js";
import type { Coder } from "../coders/coder.js";
import { GeneralObjectCoder, IterableCoder, KvCoder } from "../coders/index.js";
import { PCollection } from "../pcollection.js";
import type { KV } from "../values/kv.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";

/** The key and value coders of a KV PCollection; GeneralObjectCoder where its coder is not a KvCoder. */
export function kvCoders(pc: PCollection<unknown>): { key: Coder<unknown>; value: Coder<unknown> } {
  const c = pc.getCoder();
  if (c instanceof KvCoder) return { key: c.keyCoder, value: c.valueCoder };
  return { key: GeneralObjectCoder.of(), value: GeneralObjectCoder.of() };
}

/** Refuses a key coder whose encoding is not deterministic: grouping compares encoded keys. */
export function checkKeyCoder(pc: PCollection<unknown>, transformName: string | undefined): Coder<unknown> {
  // Marks the transform being applied, so a later setCoder on pc is checked too.
  pc.pipeline.noteKeyGrouping();
  const { key } = kvCoders(pc);
  if (!key.isDeterministic()) {
    throw new TransformApplicationError(
      `${transformName ?? "GroupByKey"} cannot group ${pc.name}: its key coder ${key} is not deterministic` +
        ` (${key.nonDeterminismReason() ?? "equal keys may encode differently"}), and keys are compared as encoded bytes.` +
        ` Set a deterministic key coder with .setCoder(KvCoder.of(StringUtf8Coder.of(), ...)) or similar`,
    );
  }
  return key;
}

/** Groups a PCollection of KVs by key, per window: KV<K, V> → KV<K, V[]>. */
export class GroupByKey<K, V> extends PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
  static create<K, V>(): GroupByKey<K, V> {
    return new GroupByKey<K, V>();
  }
  override defaultName(): string {
    return "GroupByKey";
  }
  expand(input: PCollection<KV<K, V>>): PCollection<KV<K, V[]>> {
    if (!(input instanceof PCollection)) throw new TransformApplicationError("GroupByKey must be applied to a PCollection of KVs");
    const pc = input as PCollection<unknown>;
    checkKeyCoder(pc, input.pipeline.currentTransformName());
    return input.pipeline
      .primitive({
        urn: Urns.GROUP_BY_KEY,
        outputs: [{
          tag: "main",
          coder: () => {
            const { key, value } = kvCoders(pc);
            return KvCoder.of(key, IterableCoder.of(value)) as Coder<unknown>;
          },
          windowing: input.windowingStrategy,
          isBounded: input.isBounded,
        }],
      })
      .get("main") as PCollection<KV<K, V[]>>;
  }
}
