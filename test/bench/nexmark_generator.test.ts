/**
 * The Nexmark generator of bench/nexmark (TypeScript, run by flowbook's workers) and of
 * flink/examples-nexmark (Java, run by the native Flink jobs) are one function: the same
 * events, line for line, for the first events of a run, for another seed, and far into the
 * id space (where the 48-bit arithmetic of the TypeScript java.util.Random would break first).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventLine, nexmarkEvent } from "../../bench/nexmark/generator.js";
import { flowbookRoot } from "../../src/runners/flink/cluster/layout.js";

const ROOT = flowbookRoot();
const POM = join(ROOT, "flink/examples-nexmark/pom.xml");
const JAR = join(ROOT, "flink/examples-nexmark/target/flowbook-flink-nexmark.jar");
const hasTools = spawnSync("java", ["-version"]).status === 0 && spawnSync("mvn", ["-v"]).status === 0;

const BASE = 1767225600000;

function javaEvents(n: number, seed: number, first: number, base = BASE): string[] {
  const r = spawnSync("java", ["-cp", JAR, "dev.flowbook.examples.nexmark.NexmarkGenerator", String(n), String(seed), String(first), String(base)], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`NexmarkGenerator exited ${r.status}: ${r.stderr}`);
  return r.stdout.split("\n").slice(0, n);
}

function tsEvents(n: number, seed: number, first: number, base = BASE): string[] {
  const lines: string[] = [];
  for (let i = first; i < first + n; i++) lines.push(eventLine(nexmarkEvent(i, seed, base)));
  return lines;
}

function firstDifference(a: string[], b: string[]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i}: Java ${JSON.stringify(a[i])}, TypeScript ${JSON.stringify(b[i])}`;
  }
  return undefined;
}

describe.skipIf(!hasTools)("Nexmark generator: TypeScript and Java agree (needs java and mvn)", () => {
  it("builds the native jobs' jar if missing", () => {
    if (!existsSync(JAR)) {
      const r = spawnSync("flock", ["/tmp/flowbook-mvn.lock", "mvn", "-q", "-B", "-ntp", "-f", POM, "package"], { cwd: ROOT, stdio: "inherit" });
      expect(r.status).toBe(0);
    }
    expect(existsSync(JAR)).toBe(true);
  }, 600_000);

  for (const [what, n, seed, first, base] of [
    ["the first 100 000 events, seed 0 (Beam's seeding)", 100_000, 0, 0, BASE],
    ["20 000 events with seed 12 345, from another base time (the unbounded benchmark's)", 20_000, 12_345, 0, 1_796_000_000_000],
    ["5 000 events from id 2^47 - 5 000 (the top of the 48-bit space)", 5_000, 7, 2 ** 47 - 5_000, BASE],
  ] as const) {
    it(what, () => {
      const java = javaEvents(n, seed, first, base);
      const ts = tsEvents(n, seed, first, base);
      expect(java).toHaveLength(n);
      expect(firstDifference(java, ts)).toBeUndefined();
      // Every kind is there, in Nexmark's proportions (1 person, 3 auctions, 46 bids in 50).
      const kinds = { P: 0, A: 0, B: 0 } as Record<string, number>;
      for (const l of ts) kinds[l[0]!]!++;
      expect(kinds.P! + kinds.A! + kinds.B!).toBe(n);
      expect(Math.abs(kinds.P! / n - 1 / 50)).toBeLessThan(0.001);
      expect(Math.abs(kinds.A! / n - 3 / 50)).toBeLessThan(0.001);
    }, 120_000);
  }

  it("an event depends on its number and the seed, not on what was generated before", () => {
    expect(eventLine(nexmarkEvent(12_345, 3))).toBe(tsEvents(12_346, 3, 0)[12_345]);
    expect(eventLine(nexmarkEvent(12_345, 3))).not.toBe(eventLine(nexmarkEvent(12_345, 4)));
  });
});
