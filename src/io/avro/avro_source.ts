/**
 * The runtime of AvroIO.read() (`flowbook:transform:avroio_read:v1`): one split per
 * matched file, each streamed record by record. See docs/io.md for the payload.
 */
import { Urns } from "../../graph/types.js";
import { registerSource, type BoundedSourceImpl, type ReadContext, type SourceSplit } from "../registry.js";
import { matchFiles, type EmptyMatchTreatment } from "../filesystem/match.js";
import { readAvroFile, type AvroSchemaJSON } from "./avro_container.js";

export interface AvroReadPayload {
  /** Absolute glob, resolved at apply time. */
  filePattern: string;
  /** The reader schema (JSON): records are resolved to it from each file's writer schema. */
  schema: AvroSchemaJSON;
  emptyMatch: EmptyMatchTreatment;
}

export interface AvroSplit extends SourceSplit {
  file: string;
  size: number;
}

export const avroSource: BoundedSourceImpl = {
  async split(payload: AvroReadPayload, _desired: number): Promise<SourceSplit[]> {
    const files = await matchFiles(payload.filePattern, payload.emptyMatch ?? "disallow");
    return files.map((f): AvroSplit => ({ file: f.path, size: f.size }));
  },

  async read(payload: AvroReadPayload, split: SourceSplit, emit: (value: unknown) => void, ctx: ReadContext): Promise<void> {
    const s = split as AvroSplit;
    if (typeof s.file !== "string") return; // the runner's placeholder when nothing matched
    await readAvroFile(s.file, payload.schema, emit);
    ctx.metrics.inc("flowbook.io\u0000bytesRead", s.size);
  },

  async estimateSize(payload: AvroReadPayload): Promise<number> {
    const files = await matchFiles(payload.filePattern, payload.emptyMatch ?? "disallow");
    return files.reduce((n, f) => n + f.size, 0);
  },
};

registerSource(Urns.AVRO_READ, avroSource);
