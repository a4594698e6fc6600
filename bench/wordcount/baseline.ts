/**
 * The hand-written baseline: a single-threaded Node word count, written as one would
 * without a framework (stream the file, split lines, count in a Map).
 * Usage: baseline.ts FILE OUT.json → prints JSON {seconds, maxRssMb}.
 */
import { createReadStream, writeFileSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

const [file, out] = process.argv.slice(2) as [string, string];
const WORD = /[A-Za-z']+/g;
const counts = new Map<string, number>();
const started = performance.now();
const decoder = new StringDecoder("utf8");
let rest = "";
const countLine = (line: string) => {
  const words = line.match(WORD);
  if (words) for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
};
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
  const text = rest + decoder.write(chunk as Buffer);
  const lines = text.split("\n");
  rest = lines.pop()!;
  for (const line of lines) countLine(line);
}
rest += decoder.end();
if (rest) countLine(rest);
const seconds = (performance.now() - started) / 1000;
writeFileSync(out, JSON.stringify(Object.fromEntries(counts)));
console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
