/**
 * WordCount, as in the talk: a composite CountWords (ExtractWords → Count.perElement),
 * used by `flowbook wordcount` and the benchmarks. Its functions are library classes
 * (registered by name), so they need no capture analysis.
 */
import { registerKnown } from "../graph/functions/known_objects.js";
import { Counter, Distribution, Metrics } from "../sdk/metrics/metrics.js";
import type { PCollection } from "../sdk/pcollection.js";
import { Count } from "../sdk/transforms/count.js";
import { DoFn, type ProcessContext } from "../sdk/transforms/do_fn.js";
import { ParDo } from "../sdk/transforms/par_do.js";
import { PTransform } from "../sdk/transforms/ptransform.js";
import type { KV } from "../sdk/values/kv.js";

/** Words are runs of letters and apostrophes, as in Beam's WordCount. */
export const WORD_PATTERN = /[A-Za-z']+/g;
const NON_BLANK = /\S/;

export class ExtractWordsFn extends DoFn<string, string> {
  private readonly emptyLines: Counter = Metrics.counter("WordCount", "emptyLines");
  private readonly lineLengths: Distribution = Metrics.distribution("WordCount", "lineLength");
  processElement(c: ProcessContext<string, string>): void {
    const line = c.element();
    this.lineLengths.update(line.length);
    if (!NON_BLANK.test(line)) this.emptyLines.inc();
    const words = line.match(WORD_PATTERN);
    if (words) for (let i = 0; i < words.length; i++) c.output(words[i]!);
  }
}

export class FormatAsTextFn extends DoFn<KV<string, number>, string> {
  processElement(c: ProcessContext<KV<string, number>, string>): void {
    const kv = c.element();
    c.output(`${kv.key}: ${kv.value}`);
  }
}

export class CountWords extends PTransform<PCollection<string>, PCollection<KV<string, number>>> {
  override defaultName(): string {
    return "CountWords";
  }
  expand(lines: PCollection<string>): PCollection<KV<string, number>> {
    return lines.apply("ExtractWords", ParDo.of(new ExtractWordsFn())).apply(Count.perElement<string>());
  }
}

registerKnown("flowbook.examples.ExtractWordsFn", ExtractWordsFn);
registerKnown("flowbook.examples.FormatAsTextFn", FormatAsTextFn);
registerKnown("flowbook.examples.CountWords", CountWords);
