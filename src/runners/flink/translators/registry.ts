/**
 * The translator registry: one translator per transform kind, the table of the talk.
 *
 * | Dataflow transform       | Flink                                                          |
 * |--------------------------|----------------------------------------------------------------|
 * | Create                   | source:create (bounded source of encoded records)              |
 * | TextIO.Read              | source:text (FileSource)                                       |
 * | ParDo, fused chains      | usercode (one Node round trip; side outputs, broadcast sides)  |
 * | Window.into              | window:assign, or fused into the user-code stage before it     |
 * | GroupByKey               | group_by_key (keyBy encoded key + grouping per window)         |
 * | Combine.perKey (lifted)  | combine native, or usercode pre-combine → group_by_key → merge |
 * | Combine.GroupedValues    | usercode (fused)                                               |
 * | CoGroupByKey             | (its parts: tagged union ParDos + Flatten + GroupByKey)        |
 * | Flatten                  | flatten (union)                                                |
 * | View (side inputs)       | (no node: broadcast inputs of the ParDos that read them)       |
 * | TextIO.Write             | sink:text (temp files + atomic commit)                         |
 * | ConsoleIO.write          | sink:console                                                   |
 * | AvroIO.Read              | source:avro (FileSource, split at sync markers)                |
 * | AvroIO.Write             | sink:avro (temp files + atomic commit, as sink:text)           |
 * | GenerateSequence.to(n)   | source:sequence (Flink's number sequence source)              |
 * | TestStream               | source:test_stream (events in order, synthetic processing time)|
 *
 * A kind missing here is refused, naming the transform and what the bridge lacks.
 */
import { Urns } from "../../../graph/types.js";
import { avroReadTranslator } from "./avro_read.js";
import { avroWriteTranslator } from "./avro_write.js";
import { combineGroupedValuesTranslator } from "./combine_grouped_values.js";
import { combinePerKeyTranslator } from "./combine_per_key.js";
import { consoleWriteTranslator } from "./console_write.js";
import { createTranslator } from "./create.js";
import { flattenTranslator } from "./flatten.js";
import { generateSequenceTranslator } from "./generate_sequence.js";
import { groupByKeyTranslator } from "./group_by_key.js";
import { parDoTranslator } from "./par_do.js";
import { textReadTranslator } from "./text_read.js";
import { testStreamTranslator } from "./test_stream.js";
import { textWriteTranslator } from "./text_write.js";
import type { TransformTranslator } from "./translator.js";
import { windowIntoTranslator } from "./window_into.js";

export const TRANSLATORS: ReadonlyMap<string, TransformTranslator> = new Map<string, TransformTranslator>([
  [Urns.CREATE, createTranslator],
  [Urns.TEXT_READ, textReadTranslator],
  [Urns.PAR_DO, parDoTranslator],
  [Urns.WINDOW_INTO, windowIntoTranslator],
  [Urns.GROUP_BY_KEY, groupByKeyTranslator],
  [Urns.COMBINE_PER_KEY, combinePerKeyTranslator],
  [Urns.COMBINE_GROUPED_VALUES, combineGroupedValuesTranslator],
  [Urns.FLATTEN, flattenTranslator],
  [Urns.TEXT_WRITE, textWriteTranslator],
  [Urns.CONSOLE_WRITE, consoleWriteTranslator],
  [Urns.AVRO_READ, avroReadTranslator],
  [Urns.AVRO_WRITE, avroWriteTranslator],
  [Urns.GENERATE_SEQUENCE, generateSequenceTranslator],
  [Urns.TEST_STREAM, testStreamTranslator],
]);

/** Kinds the model has and the bridge cannot run yet: what is missing, for the refusal. */
export const NOT_TRANSLATABLE: ReadonlyMap<string, string> = new Map<string, string>([
  [Urns.RESHUFFLE, "Reshuffle has no translator yet"],
]);

