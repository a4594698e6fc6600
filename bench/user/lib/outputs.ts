/** What a run wrote: every line of every file under a directory (shards, part files), sorted. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export function linesUnder(dir: string): string[] {
  const lines: string[] = [];
  for (const rel of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const base = rel.split("/").pop()!;
    if (base.startsWith(".")) continue; // in-progress or hidden files
    const f = join(dir, rel);
    if (!statSync(f).isFile()) continue;
    for (const line of readFileSync(f, "utf8").split("\n")) if (line) lines.push(line);
  }
  return lines.sort();
}

/** "identical (N lines)" or what differs, with a few examples. */
export function compare(expected: string[], actual: string[]): { same: boolean; text: string } {
  if (expected.length === actual.length && expected.every((l, i) => l === actual[i])) {
    return { same: true, text: `identical (${expected.length} lines)` };
  }
  const a = new Set(actual);
  const e = new Set(expected);
  const missing = expected.filter((l) => !a.has(l));
  const extra = actual.filter((l) => !e.has(l));
  const ex = (xs: string[]) => xs.slice(0, 3).map((l) => JSON.stringify(l)).join(", ");
  return {
    same: false,
    text: `DIFFER: ${expected.length} lines expected, ${actual.length} written; ${missing.length} missing (${ex(missing)}), ${extra.length} unexpected (${ex(extra)})`,
  };
}
