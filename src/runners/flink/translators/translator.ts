/**
 * What a translator is: it receives a transform of the pipeline graph and the
 * translation context, reads its inputs from the context and writes its outputs back.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { TranslationContext } from "./context.js";

export interface TransformTranslator {
  /** What the transform becomes in Flink, one line (the registry's table, `explain`'s legend). */
  readonly becomes: string;
  /**
   * Composites only: true to translate the composite whole (e.g. a liftable Combine.perKey),
   * false to translate its parts. Primitives are always translated whole.
   */
  translatesWhole?(t: TransformNode, ctx: TranslationContext): boolean;
  translate(t: TransformNode, ctx: TranslationContext): void;
}
