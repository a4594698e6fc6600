import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ByteReader } from "../../../../src/sdk/coders/byte_io.js";
import { StringUtf8Coder } from "../../../../src/sdk/coders/string_utf8_coder.js";
import { VarLongCoder } from "../../../../src/sdk/coders/var_long_coder.js";
import { forEachKeyGroup, forEachSortedRecord, ShuffleWriter, type ShuffleRun } from "../../../../src/runners/harness/shuffle/index.js";
import { hashBytes } from "../../../../src/runners/shared/chunked_output.js";
import { rng } from "../../../support/random.js";

const keyCoder = StringUtf8Coder.of();
const valueCoder = VarLongCoder.of();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Rec { key: string; window: number; ts: number; value: number }

/** Writes records through a writer (spilling when `budget` is given) and returns its runs per partition. */
function write(records: Rec[], partitions: number, budget?: number, noWindow = false): { runs: ShuffleRun[][]; writer: ShuffleWriter; dir?: string } {
  const dir = budget !== undefined ? mkdtempSync(join(tmpdir(), "flowbook-spill-test-")) : undefined;
  if (dir) dirs.push(dir);
  const writer = new ShuffleWriter(partitions, dir ? { dir, budgetBytes: budget!, name: "t" } : undefined);
  for (const r of records) writer.write((o) => keyCoder.encode(r.key, o), noWindow ? new Uint8Array(0) : new Uint8Array([r.window]), r.ts, (o) => valueCoder.encode(r.value, o));
  return { runs: writer.takeRuns(), writer, ...(dir ? { dir } : {}) };
}

function randomRecords(n: number, seed: number): Rec[] {
  const r = rng(seed);
  const words = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? "é" : "") + Math.floor(r() * 1e6).toString(36));
  return Array.from({ length: n }, (_, i) => ({ key: words[Math.floor(r() * r() * words.length)]!, window: Math.floor(r() * 3), ts: i, value: i }));
}

function encodedKey(k: string): Uint8Array {
  return keyCoder.encodeToBytes(k);
}

/** Equal lists, reported by their first difference (a diff of thousands of groups takes minutes). */
function expectSameList<T>(got: T[], want: T[]): void {
  const i = got.findIndex((x, j) => JSON.stringify(x) !== JSON.stringify(want[j]));
  expect(i < 0 ? "same" : { index: i, element: got[i] }).toEqual(i < 0 ? "same" : { index: i, element: want[i] });
  expect(got.length).toBe(want.length);
}

function cmp(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Reads every partition back as (key → [window, ts, value][]) in the merge's order. */
function readBack(runs: ShuffleRun[][]) {
  const out: Array<{ partition: number; key: Uint8Array; records: Array<[number, number, number]> }> = [];
  runs.forEach((partRuns, partition) =>
    forEachKeyGroup(partRuns, (key, g) => {
      const records: Array<[number, number, number]> = [];
      for (let i = 0; i < g.size; i++) records.push([g.window(i)[0] ?? -1, g.timestamp(i), valueCoder.decode(new ByteReader(g.bytes, g.payloadStart(i), g.payloadEnd(i)))]);
      out.push({ partition, key: key.slice(), records });
    }),
  );
  return out;
}

describe("forEachKeyGroup", () => {
  it("yields every key once, in byte order, with all its records ordered by window then write order", () => {
    const records = randomRecords(20_000, 1);
    const { runs } = write(records, 3);
    const groups = readBack(runs);
    const expected = new Map<string, Rec[]>();
    for (const r of records) {
      const list = expected.get(r.key) ?? [];
      list.push(r);
      expected.set(r.key, list);
    }
    expect(groups.length).toBe(expected.size);
    for (let p = 0; p < 3; p++) {
      const keys = groups.filter((g) => g.partition === p).map((g) => g.key);
      for (let i = 1; i < keys.length; i++) expect(cmp(keys[i - 1]!, keys[i]!)).toBeLessThan(0);
    }
    for (const g of groups) {
      const key = keyCoder.decode(new ByteReader(g.key));
      expect(g.partition).toBe(hashBytes(encodedKey(key)) % 3);
      const want = [...expected.get(key)!].sort((a, b) => a.window - b.window || a.ts - b.ts).map((r) => [r.window, r.ts, r.value]);
      expectSameList(g.records, want);
    }
  });

  it("merges spilled runs from files and a last run in memory into the same groups as no spill", () => {
    const records = randomRecords(30_000, 2);
    const spilled = write(records, 2, 16 * 1024);
    expect(spilled.writer.spills).toBeGreaterThan(5);
    expect(readdirSync(spilled.dir!).length).toBe(spilled.writer.spills);
    expect(spilled.runs.flat().some((r) => r.kind === "file")).toBe(true);
    expectSameList(readBack(spilled.runs), readBack(write(records, 2).runs));
  });

  it("merges runs of several writers (tasks), keeping each key's records by window, then by run", () => {
    const a = randomRecords(5_000, 3);
    const b = randomRecords(5_000, 4).map((r) => ({ ...r, ts: r.ts + 1e6 }));
    const ra = write(a, 1, 8 * 1024).runs[0]!;
    const rb = write(b, 1).runs[0]!;
    const merged = readBack([[...ra, ...rb]]);
    const all = [...a, ...b];
    const keys = new Set(all.map((r) => r.key));
    expect(merged.length).toBe(keys.size);
    let n = 0;
    for (const g of merged) {
      n += g.records.length;
      for (let i = 1; i < g.records.length; i++) {
        const [w0, t0] = g.records[i - 1]!;
        const [w1, t1] = g.records[i]!;
        expect(w0 < w1 || (w0 === w1 && t0 < t1)).toBe(true);
      }
    }
    expect(n).toBe(all.length);
  });

  it("merges global-window records (no window bytes) of several runs by key, then by run", () => {
    const a = randomRecords(6_000, 11);
    const b = randomRecords(6_000, 12).map((r) => ({ ...r, ts: r.ts + 1e6 }));
    const runs = [...write(a, 1, 4 * 1024, true).runs[0]!, ...write(b, 1, 16 * 1024, true).runs[0]!];
    const groups = readBack([runs]);
    const all = [...a, ...b];
    expect(groups.length).toBe(new Set(all.map((r) => r.key)).size);
    for (let i = 1; i < groups.length; i++) expect(cmp(groups[i - 1]!.key, groups[i]!.key)).toBeLessThan(0);
    for (const g of groups) {
      const key = keyCoder.decode(new ByteReader(g.key));
      expectSameList(g.records, all.filter((r) => r.key === key).map((r) => [-1, r.ts, r.value]));
    }
  });

  it("walks records one by one in the same order (forEachSortedRecord)", () => {
    const records = randomRecords(3_000, 5);
    const { runs } = write(records, 1, 4 * 1024);
    const seen: string[] = [];
    forEachSortedRecord(runs[0]!, (chunk, r) => seen.push(`${keyCoder.decode(new ByteReader(chunk, r.keyStart, r.keyEnd))}/${chunk[r.windowStart]}/${r.timestamp}`));
    const grouped = readBack(runs).flatMap((g) => g.records.map(([w, ts]) => `${keyCoder.decode(new ByteReader(g.key))}/${w}/${ts}`));
    expect(seen).toEqual(grouped);
  });

  it("keeps keys and values of every length (length prefixes of several bytes, records past 64 KiB)", () => {
    const r = rng(9);
    const records = Array.from({ length: 400 }, (_, i) => ({ key: "k".repeat([1, 127, 128, 300, 70_000][i % 5]!) + (i % 7), window: i % 2, ts: i, value: Math.floor(r() * 2 ** 40) }));
    const want = readBack(write(records, 2).runs);
    expect(want.length).toBe(35);
    expect(want.reduce((n, g) => n + g.records.length, 0)).toBe(400);
    for (const g of want) {
      const key = keyCoder.decode(new ByteReader(g.key));
      expectSameList(g.records, records.filter((x) => x.key === key).sort((a, b) => a.window - b.window || a.ts - b.ts).map((x) => [x.window, x.ts, x.value]));
    }
    expectSameList(readBack(write(records, 2, 100_000).runs), want);
  });

  it("yields nothing for no runs, and a key with a very large group whole", () => {
    let calls = 0;
    forEachKeyGroup([], () => calls++);
    expect(calls).toBe(0);
    const records = Array.from({ length: 50_000 }, (_, i) => ({ key: "hot", window: 0, ts: i, value: i }));
    const { runs } = write(records, 1, 32 * 1024);
    const groups = readBack(runs);
    expect(groups.length).toBe(1);
    expectSameList(groups[0]!.records.map((r) => r[2]), records.map((r) => r.value));
  });
});
