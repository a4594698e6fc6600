import { KV } from "../values/kv.js";
import { BooleanCoder } from "./boolean_coder.js";
import { BytesCoder } from "./bytes_coder.js";
import type { Coder } from "./coder.js";
import { DoubleCoder } from "./double_coder.js";
import { GeneralObjectCoder } from "./general_object_coder.js";
import { KvCoder } from "./kv_coder.js";
import { StringUtf8Coder } from "./string_utf8_coder.js";
import { VarLongCoder } from "./var_long_coder.js";

/**
 * The coder `Create.of(...values)` gives its output when none is set: the specific Beam
 * coder where every value has the same obvious type, else GeneralObjectCoder.
 * - all strings → StringUtf8Coder; all safe integers → VarLongCoder; all numbers →
 *   DoubleCoder; all booleans → BooleanCoder; all Uint8Arrays → BytesCoder;
 * - all KVs → KvCoder(inferred from the keys, inferred from the values), where a key coder
 *   that came out non-deterministic (DoubleCoder) is replaced by GeneralObjectCoder, so
 *   the KVs can still be grouped;
 * - anything else, mixed types, or no values → GeneralObjectCoder.
 */
export function inferCoderFromValues(values: readonly unknown[]): Coder<unknown> {
  const n = values.length;
  if (n === 0) return GeneralObjectCoder.of();
  const first = values[0];
  switch (typeof first) {
    case "string":
      return every(values, (v) => typeof v === "string") ? StringUtf8Coder.of() : GeneralObjectCoder.of();
    case "boolean":
      return every(values, (v) => typeof v === "boolean") ? BooleanCoder.of() : GeneralObjectCoder.of();
    case "number":
      if (!every(values, (v) => typeof v === "number")) return GeneralObjectCoder.of();
      return every(values, (v) => Number.isSafeInteger(v)) ? (VarLongCoder.of() as Coder<unknown>) : DoubleCoder.of();
    case "object":
      if (first instanceof Uint8Array && every(values, (v) => v instanceof Uint8Array)) return BytesCoder.of();
      if (KV.is(first) && every(values, (v) => KV.is(v))) {
        const kvs = values as readonly KV<unknown, unknown>[];
        let keyCoder = inferCoderFromValues(kvs.map((kv) => kv.key));
        if (!keyCoder.isDeterministic()) keyCoder = GeneralObjectCoder.of();
        const valueCoder = inferCoderFromValues(kvs.map((kv) => kv.value));
        return KvCoder.of(keyCoder, valueCoder) as Coder<unknown>;
      }
      return GeneralObjectCoder.of();
    default:
      return GeneralObjectCoder.of();
  }
}

function every(values: readonly unknown[], test: (v: unknown) => boolean): boolean {
  for (let i = 0; i < values.length; i++) if (!test(values[i])) return false;
  return true;
}
