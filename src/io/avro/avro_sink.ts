/**
 * The runtime of AvroIO.write() (`flowbook:transform:avroio_write:v1`): records into
 * Avro container files, temporary until the pipeline succeeded, then renamed to sharded
 * names. See docs/io.md for the payload.
 */
import { Urns } from "../../graph/types.js";
import { registerSink } from "../registry.js";
import { fileSink, type FileSinkPayload } from "../filesystem/file_sink.js";
import { AvroContainerWriter, avroType, type AvroCodecName, type AvroSchemaJSON } from "./avro_container.js";

export interface AvroWritePayload extends FileSinkPayload {
  /** The writer schema (JSON), stored in every file's header. */
  schema: AvroSchemaJSON;
  /** "deflate" (default) or "null". */
  codec: AvroCodecName;
  /** zlib level for "deflate" (default 6). */
  deflateLevel?: number;
  /** Uncompressed bytes per block (default 64000). */
  syncInterval?: number;
}

export const avroSink = fileSink<AvroWritePayload>({
  name: "AvroIO.Write",
  validate(payload) {
    if (payload.schema === undefined) throw new Error("AvroIO.Write payload needs a 'schema'");
    avroType(payload.schema);
  },
  open(payload, out) {
    const w = new AvroContainerWriter(payload.schema, (b) => out.write(b), {
      codec: payload.codec ?? "deflate",
      ...(payload.deflateLevel !== undefined ? { deflateLevel: payload.deflateLevel } : {}),
      ...(payload.syncInterval !== undefined ? { syncInterval: payload.syncInterval } : {}),
    });
    return {
      write: (v) => w.write(v),
      finish: () => w.finish(),
    };
  },
});

registerSink(Urns.AVRO_WRITE, avroSink);
