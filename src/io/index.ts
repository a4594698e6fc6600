/**
 * flowbook's IOs. Importing this module registers every source and sink runtime with
 * the registry (registry.ts), which the runners consult by transform URN.
 */
export { TextIO, TextIORead, TextIOWrite } from "./text/text_io.js";
export { AvroIO, AvroIORead, AvroIOWrite } from "./avro/avro_io.js";
export { GenerateSequence, type GenerateSequencePayload } from "./sequence/generate_sequence.js";
export { ConsoleIO, ConsoleIOWrite, type ConsoleWriteOptions } from "./console/console_io.js";
export { Compression, type CompressionName } from "./filesystem/compression.js";
export { EmptyMatchError, matchFiles, type EmptyMatchTreatment, type MatchedFile } from "./filesystem/match.js";
export { DEFAULT_SHARD_TEMPLATE, shardName } from "./filesystem/temp_files.js";
export { IO_METRICS_NAMESPACE, INVALID_UTF8_LINES, BYTES_READ, type TextReadPayload } from "./text/text_source.js";
export type { TextWritePayload } from "./text/text_sink.js";
export type { AvroReadPayload } from "./avro/avro_source.js";
export type { AvroWritePayload } from "./avro/avro_sink.js";
export type { ConsoleWritePayload } from "./console/console_sink.js";
export { registerSource, registerSink, sourceFor, sinkFor } from "./registry.js";
export type { BoundedSourceImpl, SinkImpl, SinkWriter, SourceSplit, ReadContext, WriteContext } from "./registry.js";
