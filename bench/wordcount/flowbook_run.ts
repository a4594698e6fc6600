/**
 * WordCount through flowbook's local runner (checks off, all cores), writing counts as
 * text. Usage: flowbook_run.ts FILE OUTPREFIX → prints JSON {seconds, maxRssMb}.
 */
import { existsSync } from "node:fs";

// Measure what ships (dist/, built by npm ci) when it exists; the sources otherwise.
const built = new URL("../../dist/src/index.js", import.meta.url);
const base = existsSync(built) ? "../../dist/src" : "../../src";
const { Pipeline, TextIO, ParDo, StringUtf8Coder } = (await import(`${base}/index.js`)) as typeof import("../../src/index.js");
const { CountWords, FormatAsTextFn } = (await import(`${base}/examples/word_count.js`)) as typeof import("../../src/examples/word_count.js");

const [file, outPrefix, parallelism] = process.argv.slice(2) as [string, string, string?];
const p = Pipeline.create({ name: "bench-wordcount", enforceEncodability: false, enforceImmutability: false, ...(parallelism ? { parallelism: Number(parallelism) } : {}) });
p.apply("ReadLines", TextIO.read().from(file))
  .apply("CountWords", new CountWords())
  .apply("Format", ParDo.of(new FormatAsTextFn()))
  .setCoder(StringUtf8Coder.of())
  .apply("Write", TextIO.write().to(outPrefix));
const started = performance.now();
await p.run().waitUntilFinish();
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
