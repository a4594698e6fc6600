import { ByteReader } from "../../../sdk/coders/byte_io.js";
import type { WindowedValueCoder } from "../../../sdk/coders/windowed_value_coder.js";
import type { Receiver } from "../operators/receiver.js";

/** Decodes chunks of encoded WindowedValues (materialized or reshuffled) into a receiver. */
export function readWindowedValues(chunks: Uint8Array[], coder: WindowedValueCoder<unknown>, out: Receiver): void {
  for (const chunk of chunks) {
    const r = new ByteReader(chunk);
    while (!r.atEnd()) out.process(coder.decode(r));
  }
}
