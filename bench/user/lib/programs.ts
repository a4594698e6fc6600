/**
 * The programs a benchmark runs, as text written to a temporary directory:
 *   - users' scripts, written as the README teaches (a DoFn class for ExtractWords,
 *     `Pipeline.create()` with default options, TextIO in and out), run by `flowbook run`;
 *   - hand-written single-threaded Node programs doing the same job without a framework
 *     (stream the file, split lines, count or group in a Map, write), run by `node`.
 * Paths are literal in the scripts, as a user writes them.
 */

const EXTRACT_WORDS = `class ExtractWordsFn extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>) {
    for (const w of c.element().split(/[^a-zA-Z']+/)) if (w) c.output(w);
  }
}`;

/**
 * README's WordCount, word for word (the runner comes from `flowbook run --runner`).
 * `createOptions`: Pipeline.create's argument ("" for the defaults).
 */
export function wordCountScript(input: string, outPrefix: string, createOptions = ""): string {
  return `import { Pipeline, TextIO, ParDo, DoFn, Count, MapElements, type KV, type ProcessContext } from "flowbook";

${EXTRACT_WORDS}

const p = Pipeline.create(${createOptions});
p.apply("ReadLines", TextIO.read().from(${JSON.stringify(input)}))
  .apply("ExtractWords", ParDo.of(new ExtractWordsFn()))
  .apply(Count.perElement())
  .apply("Format", MapElements.via((kv: KV<string, number>) => \`\${kv.key}: \${kv.value}\`))
  .apply(TextIO.write().to(${JSON.stringify(outPrefix)}));
await p.run().waitUntilFinish();
`;
}

/** Every word as key, its length as value, GroupByKey, then each group's size. */
export function groupByKeyScript(input: string, outPrefix: string): string {
  return `import { Pipeline, TextIO, ParDo, DoFn, GroupByKey, MapElements, KV, type ProcessContext } from "flowbook";

${EXTRACT_WORDS}

const p = Pipeline.create();
p.apply("ReadLines", TextIO.read().from(${JSON.stringify(input)}))
  .apply("ExtractWords", ParDo.of(new ExtractWordsFn()))
  .apply("KeyByWord", MapElements.via((w: string) => KV.of(w, w.length)))
  .apply(GroupByKey.create())
  .apply("GroupSize", MapElements.via((kv: KV<string, number[]>) => \`\${kv.key}: \${kv.value.length}\`))
  .apply(TextIO.write().to(${JSON.stringify(outPrefix)}));
await p.run().waitUntilFinish();
`;
}

/**
 * A first look at the tokenizer's output, as one would in a notebook or the REPL. Without
 * `show` (withShow false), the same script measures the process's start-up alone.
 */
export function showScript(input: string, withShow = true): string {
  return `import { Pipeline, TextIO, ParDo, DoFn, type ProcessContext } from "flowbook";

${EXTRACT_WORDS}

const p = Pipeline.create();
const words = p.apply("ReadLines", TextIO.read().from(${JSON.stringify(input)}))
  .apply("ExtractWords", ParDo.of(new ExtractWordsFn()));
${withShow ? "await show(words, { n: 5 });" : "void words;"}
`;
}

/** Reads the file as a stream of UTF-8 text and calls onLine for each line (shared text of the baselines). */
const LINES = `import { createReadStream, writeFileSync } from "node:fs";

async function eachLine(file, onLine) {
  let rest = "";
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const lines = (rest + chunk).split("\\n");
    rest = lines.pop();
    for (const line of lines) onLine(line);
  }
  if (rest) onLine(rest);
}
`;

/**
 * Hand-written word count: node wordcount.mjs INPUT OUTPUT [--flink-tokens]
 * (--flink-tokens tokenizes as Flink's Java example does: lower case, split on \W+; only to
 * check the native Flink job's output).
 */
export const wordCountBaseline = `// A hand-written word count: one thread, no framework.
${LINES}
const [input, output, mode] = process.argv.slice(2);
const split = mode === "--flink-tokens" ? (line) => line.toLowerCase().split(/\\W+/) : (line) => line.split(/[^a-zA-Z']+/);
const counts = new Map();
await eachLine(input, (line) => {
  for (const w of split(line)) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
});
let text = "";
for (const [w, n] of counts) text += \`\${w}: \${n}\\n\`;
writeFileSync(output, text);
`;

/** Hand-written GroupByKey in memory: node gbk.mjs INPUT OUTPUT */
export const groupByKeyBaseline = `// A hand-written group-by-key: one thread, every value kept in memory.
${LINES}
const [input, output] = process.argv.slice(2);
const groups = new Map();
await eachLine(input, (line) => {
  for (const w of line.split(/[^a-zA-Z']+/)) {
    if (!w) continue;
    const g = groups.get(w);
    if (g) g.push(w.length);
    else groups.set(w, [w.length]);
  }
});
let text = "";
for (const [w, lengths] of groups) text += \`\${w}: \${lengths.length}\\n\`;
writeFileSync(output, text);
`;

/** Hand-written "first 5 words": node first5.mjs INPUT — prints them, one a line, and stops reading. */
export const showBaseline = `// The first 5 words of a file, printed.
import { createReadStream } from "node:fs";

const [input] = process.argv.slice(2);
const words = [];
const stream = createReadStream(input, { encoding: "utf8", highWaterMark: 64 * 1024 });
let rest = "";
read: for await (const chunk of stream) {
  const lines = (rest + chunk).split("\\n");
  rest = lines.pop();
  for (const line of lines) {
    for (const w of line.split(/[^a-zA-Z']+/)) {
      if (w && words.push(w) === 5) break read;
    }
  }
}
stream.destroy();
console.log(words.join("\\n"));
`;
