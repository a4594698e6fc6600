/**
 * What a translator is: it receives a transform of the pipeline graph and the
 * translation context, reads its inputs from the context and writes its outputs back.
 * Each names the Java class of the bridge (flink/bridge, `dev.flowbook.flink.translate`)
 * that builds the Flink operators from what it produces, so the two registries (this
 * one and JobBuilder's) are joined by more than strings: test/runners/flink/translation_trace.test.ts
 * checks every class exists and both list the same kinds.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { TranslationContext } from "./context.js";

export interface TransformTranslator {
  /** The translator's name in traces and legends: its module (`par_do`, `group_by_key`). */
  readonly name: string;
  /** What the transform becomes in Flink, one line (the registry's table, `explain`'s legend). */
  readonly becomes: string;
  /**
   * The bridge's Java class that runs the operator this translator produces (fully
   * qualified). A translator that may instead fuse into a user-code stage names the class of
   * its own operator; the trace tells which happened.
   */
  readonly javaClass: string;
  /**
   * Composites only: true to translate the composite whole (e.g. a liftable Combine.perKey),
   * false to translate its parts. Primitives are always translated whole. Record why with
   * `ctx.decide(...)` (the translation trace shows it).
   */
  translatesWhole?(t: TransformNode, ctx: TranslationContext): boolean;
  translate(t: TransformNode, ctx: TranslationContext): void;
}

/** The package of the bridge's translators. */
export const JAVA_TRANSLATE_PACKAGE = "dev.flowbook.flink.translate";

/** The bridge's translator class for each operator kind (JobBuilder's registry). */
export const JAVA_CLASS_OF_KIND: Readonly<Record<string, string>> = {
  "source:create": `${JAVA_TRANSLATE_PACKAGE}.CreateTranslator`,
  "source:sequence": `${JAVA_TRANSLATE_PACKAGE}.SequenceSourceTranslator`,
  "source:text": `${JAVA_TRANSLATE_PACKAGE}.TextSourceTranslator`,
  "source:avro": `${JAVA_TRANSLATE_PACKAGE}.AvroSourceTranslator`,
  "source:test_stream": `${JAVA_TRANSLATE_PACKAGE}.TestStreamTranslator`,
  "window:assign": `${JAVA_TRANSLATE_PACKAGE}.WindowAssignTranslator`,
  usercode: `${JAVA_TRANSLATE_PACKAGE}.UserCodeTranslator`,
  group_by_key: `${JAVA_TRANSLATE_PACKAGE}.GroupByKeyTranslator`,
  combine: `${JAVA_TRANSLATE_PACKAGE}.CombineTranslator`,
  flatten: `${JAVA_TRANSLATE_PACKAGE}.FlattenTranslator`,
  "sink:text": `${JAVA_TRANSLATE_PACKAGE}.TextSinkTranslator`,
  "sink:avro": `${JAVA_TRANSLATE_PACKAGE}.AvroSinkTranslator`,
  "sink:console": `${JAVA_TRANSLATE_PACKAGE}.ConsoleSinkTranslator`,
  collect: `${JAVA_TRANSLATE_PACKAGE}.CollectTranslator`,
};
