import { deserialize, serialize } from "node:v8";
import type { ByteReader, ByteWriter } from "../../sdk/coders/byte_io.js";
import { Coder } from "../../sdk/coders/coder.js";

/**
 * The default accumulator coder: V8's structured clone, length-prefixed. Accumulators
 * only cross a shuffle between Node processes of one job, so a Node-only format is fine.
 */
export class StructuredCloneCoder extends Coder<unknown> {
  readonly urn = "flowbook:coder:structured_clone:v1";
  encode(value: unknown, out: ByteWriter): void {
    const b = serialize(value);
    out.varUint(b.length);
    out.bytes(b);
  }
  decode(input: ByteReader): unknown {
    const n = input.varUint();
    return deserialize(input.bytes(n));
  }
  override isDeterministic(): boolean {
    return false;
  }
}
