/** The coders both runners' workers derive from a transform's payload and its PCollections. */
import { coderFromSpec, type Coder } from "../../sdk/coders/coder.js";
import { GeneralObjectCoder, KvCoder } from "../../sdk/coders/index.js";
import type { CombinePayload } from "../../sdk/transforms/combine.js";
import { StructuredCloneCoder } from "../shared/structured_clone_coder.js";

/** A KV PCollection's key and value coders (general ones when its coder is not a KvCoder). */
export function kvCoders(c: Coder<unknown>): { key: Coder<unknown>; value: Coder<unknown> } {
  if (c instanceof KvCoder) return { key: c.keyCoder, value: c.valueCoder };
  return { key: GeneralObjectCoder.of(), value: GeneralObjectCoder.of() };
}

/** A combine's accumulator coder: the CombineFn's, else structured clone. */
export function accumulatorCoder(p: CombinePayload): Coder<unknown> {
  return p.accumulatorCoder ? coderFromSpec(p.accumulatorCoder as never) : new StructuredCloneCoder();
}
