/**
 * WordCount as the README writes it: TextIO.read → CountWords (ParDo(ExtractWordsFn) +
 * Count.perElement, a composite) → MapElements → TextIO.write. Built from the SDK's own
 * modules, so the drawing tests do not depend on the package root's exports.
 */
import { CountWords } from "../../../src/examples/word_count.js";
import { TextIO } from "../../../src/io/index.js";
import { Pipeline } from "../../../src/sdk/pipeline.js";
import { MapElements } from "../../../src/sdk/transforms/element_wise.js";
import type { KV } from "../../../src/sdk/values/kv.js";

export function wordCount(): Pipeline {
  const p = Pipeline.create({ name: "wordcount", parallelism: 2 });
  p.apply("ReadLines", TextIO.read().from("/data/*.txt"))
    .apply("CountWords", new CountWords())
    .apply("FormatResults", MapElements.via((kv: KV<string, number>) => `${kv.key}: ${kv.value}`))
    .apply("WriteCounts", TextIO.write().to("/out/wordcounts"));
  return p;
}
