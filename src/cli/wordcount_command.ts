import { existsSync } from "node:fs";
import { resolve, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Flatten, Pipeline, PCollectionList, TextIO, Top, StringUtf8Coder, type KV, type PCollection } from "../index.js";
import { CountWords, FormatAsTextFn } from "../examples/word_count.js";
import { ParDo } from "../sdk/transforms/par_do.js";

const HELP = `flowbook wordcount [FILE_OR_PATTERN ...] [--output PREFIX] [--top N] [--runner direct|flink] [--parallelism N]

Counts words with the local runner (or Flink), prints the N most frequent (default 20)
and writes every count as text files PREFIX-00000-of-0000N (default out/wordcounts).
Without inputs it counts the words of flowbook's own README, docs and sources.`;

function repoRoot(): string {
  // src/cli/ or dist/src/cli/ → the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4 && !existsSync(join(dir, "package.json")); i++) dir = dirname(dir);
  return dir;
}

export async function wordcountCommand(argv: string[]): Promise<number> {
  const inputs: string[] = [];
  let output = "out/wordcounts";
  let top = 20;
  const options: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") {
      console.log(HELP);
      return 0;
    } else if (a === "--output") output = value();
    else if (a === "--top") top = Number(value());
    else if (a === "--runner") options.runner = value();
    else if (a === "--parallelism") options.parallelism = Number(value());
    else if (a === "--flinkMaster" || a === "--flink-master") options.flinkMaster = value();
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}\n\n${HELP}`);
    else inputs.push(a);
  }
  if (inputs.length === 0) {
    const root = repoRoot();
    inputs.push(join(root, "README.md"), join(root, "docs/*.md"), join(root, "src/**/*.ts"));
  }
  const p = Pipeline.create({ name: "wordcount", enforceEncodability: false, enforceImmutability: false, ...options });
  const started = Date.now();
  const reads: PCollection<string>[] = inputs.map((pattern, i) => p.apply(`ReadLines${inputs.length > 1 ? i : ""}`, TextIO.read().from(resolve(pattern))));
  const lines = reads.length === 1 ? reads[0]! : PCollectionList.of(reads).apply(Flatten.pCollections<string>());
  const counts = lines.apply("CountWords", new CountWords());
  counts.apply("FormatAsText", ParDo.of(new FormatAsTextFn())).setCoder(StringUtf8Coder.of()).apply("WriteCounts", TextIO.write().to(resolve(output)));
  const topWords = counts.apply("TopWords", Top.of<KV<string, number>>(top, byCount));
  const result = p.run({ collect: { [topWords.id]: 1 } });
  await result.waitUntilFinish();
  const sample = result.collected(topWords.id);
  const best = (sample?.elements[0]?.value ?? []) as KV<string, number>[];
  const width = Math.max(4, ...best.map((kv) => kv.key.length));
  console.log(`Top ${best.length} words:`);
  for (const kv of best) console.log(`  ${kv.key.padEnd(width)}  ${kv.value}`);
  const words = result.metrics().queryMetrics({ name: "lineLength" }).distributions[0]?.committed;
  console.log(`\n${words?.count ?? "?"} lines read in ${((Date.now() - started) / 1000).toFixed(2)} s; counts written to ${resolve(output)}-*-of-*`);
  return 0;
}

/** Orders by count, then alphabetically so ties are stable. */
export function byCount(a: KV<string, number>, b: KV<string, number>): number {
  return a.value - b.value || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);
}
