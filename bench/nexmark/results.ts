/**
 * What a query run wrote, reduced to what must be identical across runners:
 *
 * - Q0: every event's line; summarized as the number of lines and two order-independent
 *   sums of 32-bit line hashes (the output is ~150 bytes an event: not sorted in memory);
 * - Q5: every line (window, auction, count of the top auctions), sorted;
 * - Q11: panes depend on the order bids reach a window (which differs run to run and runner
 *   to runner), sessions do not: each bidder's pane windows are merged where they overlap
 *   (a pane's window lies inside its final session; every bid's [t, t+gap) lies in a pane's
 *   window) and the panes' counts summed, giving `bidder,start,end,bids` per session.
 */
import { createReadStream, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Query } from "./scripts.js";

export interface QueryResult {
  /** Lines to compare, sorted. */
  lines: string[];
  /** What the run wrote, in words (lines, panes). */
  summary: string;
}

/** The files a run wrote under dir, skipping hidden ones (in-progress part files). */
function outputFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((rel) => !rel.split("/").pop()!.startsWith("."))
    .map((rel) => join(dir, rel))
    .filter((f) => statSync(f).isFile())
    .sort();
}

async function eachLine(dir: string, onLine: (line: string) => void): Promise<void> {
  for (const f of outputFiles(dir)) {
    for await (const line of createInterface({ input: createReadStream(f, { encoding: "utf8" }), crlfDelay: Infinity })) {
      if (line) onLine(line);
    }
  }
}

/** FNV-1a over UTF-16 code units, from a given offset basis. */
function fnv1a(s: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export async function queryResult(q: Query, dir: string): Promise<QueryResult> {
  if (q === "q0") {
    let n = 0;
    let a = 0;
    let b = 0;
    await eachLine(dir, (line) => {
      n++;
      a = (a + fnv1a(line, 0x811c9dc5)) % 2 ** 32;
      b = (b + fnv1a(line, 0x050c5d1f)) % 2 ** 32;
    });
    return { lines: [`${n} events, digest ${a.toString(16).padStart(8, "0")}${b.toString(16).padStart(8, "0")}`], summary: `${n} lines` };
  }
  const lines: string[] = [];
  await eachLine(dir, (line) => lines.push(line));
  if (q === "q5") return { lines: lines.sort(), summary: `${lines.length} lines` };
  return { lines: sessionsOfPanes(lines), summary: `${lines.length} panes` };
}

/** Q11's panes (`bidder,start,end,count`) → sessions (`bidder,start,end,total`), sorted. */
export function sessionsOfPanes(panes: string[]): string[] {
  const byBidder = new Map<string, { start: number; end: number; count: number }[]>();
  for (const line of panes) {
    const [bidder, start, end, count] = line.split(",");
    if (bidder === undefined || count === undefined) throw new Error(`Q11 output line not bidder,start,end,count: ${JSON.stringify(line)}`);
    let list = byBidder.get(bidder);
    if (!list) byBidder.set(bidder, (list = []));
    list.push({ start: Number(start), end: Number(end), count: Number(count) });
  }
  const out: string[] = [];
  for (const [bidder, list] of byBidder) {
    list.sort((x, y) => x.start - y.start);
    let cur = { ...list[0]! };
    for (const w of list.slice(1)) {
      // Beam's sessions merge when they overlap (not when they only touch).
      if (w.start < cur.end) {
        cur.end = Math.max(cur.end, w.end);
        cur.count += w.count;
      } else {
        out.push(`${bidder},${cur.start},${cur.end},${cur.count}`);
        cur = { ...w };
      }
    }
    out.push(`${bidder},${cur.start},${cur.end},${cur.count}`);
  }
  return out.sort();
}
