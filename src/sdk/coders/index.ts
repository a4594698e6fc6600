/**
 * The coders. Importing this module registers every coder's URN, so `coderFromSpec` can
 * rebuild any of them from the pipeline graph; import from here rather than from the
 * single files when specs are decoded.
 */
export { ByteReader, ByteWriter, varUintSize } from "./byte_io.js";
export { bytesKey, Coder, coderFromSpec, registerCoder, type CoderSpec } from "./coder.js";
export { BYTES_MARKER, structuralPart, wellFormed } from "./structural.js";
export { describe } from "./describe.js";
export { StringUtf8Coder } from "./string_utf8_coder.js";
export { VarLongCoder } from "./var_long_coder.js";
export { DoubleCoder } from "./double_coder.js";
export { BytesCoder } from "./bytes_coder.js";
export { BooleanCoder } from "./boolean_coder.js";
export { KvCoder } from "./kv_coder.js";
export { IterableCoder } from "./iterable_coder.js";
export { NullableCoder } from "./nullable_coder.js";
export { LengthPrefixCoder } from "./length_prefix_coder.js";
export { JsonCoder } from "./json_coder.js";
export { AvroCoder, type AvroSchema } from "./avro_coder.js";
export { GeneralObjectCoder, GeneralTag } from "./general_object_coder.js";
export {
  InstantCoder,
  instantToBeamMillis,
  beamMillisToInstant,
  BEAM_TIMESTAMP_MIN_MILLIS,
  BEAM_TIMESTAMP_MAX_MILLIS,
  BEAM_END_OF_GLOBAL_WINDOW_MILLIS,
} from "./instant_coder.js";
export { GlobalWindowCoder } from "./global_window_coder.js";
export { IntervalWindowCoder } from "./interval_window_coder.js";
export { PaneInfoCoder } from "./pane_info_coder.js";
export { WindowedValueCoder } from "./windowed_value_coder.js";
export { inferCoderFromValues } from "./infer.js";

// Library coders travel by URN; any other Coder subclass travels by value (Coder.toSpec).
import { registerKnown } from "../../graph/functions/known_objects.js";
import * as coders from "./index.js";
for (const [name, value] of Object.entries(coders)) {
  if (typeof value === "function" && /Coder$/.test(name)) registerKnown(`flowbook.coders.${name}`, value);
}
