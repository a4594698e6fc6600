import * as path from "node:path";
import { writeFileSync } from "node:fs";
import { gzipSync, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Urns } from "../../src/graph/types.js";
import { sourceFor } from "../../src/io/registry.js";
import "../../src/io/index.js";
import { readTextSplit, splitFiles, type TextSplit } from "../../src/io/text/text_source.js";
import { LineSplitter } from "../../src/io/text/line_splitter.js";
import { IO_KEY, readCtx, rng, tempDir, writeFiles } from "./helpers.js";

const source = () => sourceFor(Urns.TEXT_READ)!;

async function readAll(pattern: string, desired = 1, compression = "auto"): Promise<string[]> {
  const payload = { filePattern: pattern, compression, emptyMatch: "disallow" };
  const out: string[] = [];
  for (const s of await source().split(payload, desired)) await source().read(payload, s, (v) => out.push(v as string), readCtx());
  return out;
}

/** A random file as bytes, with the lines a reader must produce and how many have invalid UTF-8. */
function randomFile(r: () => number, opts: { invalid?: boolean; maxLines?: number } = {}): { bytes: Buffer; lines: string[]; invalid: number } {
  const pieces = ["a", "xyz", "hello world", "é", "€", "😀", "ǅ", " ", "\t", "ab€cd", "\uFEFF"];
  const badPieces = [Buffer.from([0xff]), Buffer.from([0xe2, 0x82]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80])];
  const parts: Buffer[] = [];
  const lines: string[] = [];
  let invalid = 0;
  const bom = r() < 0.1;
  if (bom) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  const n = Math.floor(r() * (opts.maxLines ?? 40));
  let prevDelim = "";
  for (let i = 0; i < n; i++) {
    const lineParts: Buffer[] = [];
    const k = r() < 0.15 ? 0 : Math.floor(r() * 8) + (r() < 0.05 ? 200 : 0);
    let bad = false;
    for (let j = 0; j < k; j++) {
      if (opts.invalid && r() < 0.04) {
        lineParts.push(badPieces[Math.floor(r() * badPieces.length)]!);
        bad = true;
      } else lineParts.push(Buffer.from(pieces[Math.floor(r() * pieces.length)]!, "utf8"));
    }
    const lineBytes = Buffer.concat(lineParts);
    const last = i === n - 1;
    let delim = ["\n", "\r\n", "\r"][Math.floor(r() * 3)]!;
    if (lineBytes.length === 0 && prevDelim === "\r" && delim !== "\r") delim = "\r"; // "\r" + "\n" would be one terminator
    if (last && lineBytes.length > 0 && r() < 0.5) delim = ""; // a last line without a terminator
    parts.push(lineBytes, Buffer.from(delim));
    prevDelim = delim;
    lines.push(lineBytes.toString("utf8"));
    if (bad) invalid++;
  }
  const bytes = Buffer.concat(parts);
  // The generator's lines must agree with a reference reading of the whole file.
  const ref = reference(bytes);
  if (!bom && !(lines[0] ?? "").startsWith("\uFEFF")) expect(ref).toEqual(lines);
  return { bytes, lines: ref, invalid };
}

/** Reference: decode the whole file (a BOM at offset 0 dropped), split on any terminator, no line after a final one. */
function reference(bytes: Buffer): string[] {
  const text = new TextDecoder("utf-8").decode(bytes);
  if (text === "") return [];
  const parts = text.split(/\r\n|\r|\n/);
  if (/[\r\n]$/.test(text)) parts.pop();
  return parts;
}

describe("LineSplitter", () => {
  it("splits \\n, \\r\\n and lone \\r; keeps empty lines; a last line without terminator", () => {
    const cases: Array<[string, string[]]> = [
      ["", []],
      ["\n", [""]],
      ["a", ["a"]],
      ["a\n", ["a"]],
      ["a\n\n", ["a", ""]],
      ["a\r\nb\r\n", ["a", "b"]],
      ["a\rb\r", ["a", "b"]],
      ["a\r\rb", ["a", "", "b"]],
      ["a\r\n\r\nb", ["a", "", "b"]],
      ["\uFEFFbom\n\uFEFFkept", ["bom", "\uFEFFkept"]],
    ];
    for (const [text, want] of cases) {
      for (const chunk of [1, 2, 3, 1000]) {
        const got: string[] = [];
        const s = new LineSplitter((l) => got.push(l), { chunkSize: 16 });
        const bytes = Buffer.from(text, "utf8");
        for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk));
        s.end();
        expect(got, JSON.stringify(text)).toEqual(want);
        expect(s.bytesEmitted).toBe(bytes.length);
      }
    }
  });

  it("decodes invalid UTF-8 with replacement characters and counts the lines", () => {
    const got: string[] = [];
    const s = new LineSplitter((l) => got.push(l));
    s.push(Buffer.concat([Buffer.from("ok\nbad "), Buffer.from([0xff, 0xfe]), Buffer.from("\nalso ok €\n"), Buffer.from([0xe2, 0x82])]));
    s.end();
    expect(got).toEqual(["ok", "bad \uFFFD\uFFFD", "also ok €", "\uFFFD"]);
    expect(s.invalidLines).toBe(2);
  });

  it("keeps a literal U+FFFD without counting it", () => {
    const got: string[] = [];
    const s = new LineSplitter((l) => got.push(l));
    s.push(Buffer.from("x\uFFFDy\n"));
    s.end();
    expect(got).toEqual(["x\uFFFDy"]);
    expect(s.invalidLines).toBe(0);
  });
});

describe("TextIO read runtime", () => {
  it("random byte ranges and chunk sizes read every line exactly once, in order", async () => {
    const d = tempDir();
    const r = rng(42);
    for (let round = 0; round < 150; round++) {
      const f = randomFile(r, { invalid: round % 3 === 0 });
      const file = path.join(d, `f${round}.txt`);
      writeFileSync(file, f.bytes);
      const size = f.bytes.length;
      const cuts = new Set<number>([0, size]);
      const k = Math.floor(r() * 8);
      for (let i = 0; i < k; i++) cuts.add(Math.floor(r() * (size + 1)));
      const bounds = [...cuts].sort((a, b) => a - b);
      const got: string[] = [];
      let invalid = 0;
      let bytes = 0;
      for (let i = 0; i + 1 < bounds.length; i++) {
        const split: TextSplit = { file, start: bounds[i]!, end: bounds[i + 1]!, compression: "uncompressed" };
        const chunkSize = [16, 17, 31, 64, 1 << 20][Math.floor(r() * 5)]!;
        const res = await readTextSplit(split, (l) => got.push(l), { chunkSize });
        invalid += res.invalidLines;
        bytes += res.bytes;
      }
      expect(got, `round ${round}, bounds ${bounds.join(",")}, ${JSON.stringify(f.bytes.toString("latin1"))}`).toEqual(f.lines);
      expect(invalid, `round ${round}`).toBe(f.invalid);
      expect(bytes).toBe(size);
      // Whole file, through gzip, in small decompressed chunks.
      const gz = path.join(d, `f${round}.txt.gz`);
      writeFileSync(gz, gzipSync(f.bytes));
      const viaGzip: string[] = [];
      await readTextSplit({ file: gz, start: 0, end: 1, compression: "gzip" }, (l) => viaGzip.push(l), { chunkSize: 16 });
      expect(viaGzip).toEqual(f.lines);
    }
  });

  it("splits a large file into byte ranges that parallel readers read without loss or repetition", async () => {
    const d = tempDir();
    const lines = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${"€".repeat(i % 7)}`);
    writeFileSync(path.join(d, "big.txt"), lines.join("\r\n") + "\r\n");
    writeFiles(d, { "small.txt": "s1\ns2\n", "empty.txt": "" });
    const payload = { filePattern: path.join(d, "*.txt"), compression: "auto", emptyMatch: "disallow" };
    const splits = (await source().split(payload, 8)) as TextSplit[];
    const bigSplits = splits.filter((s) => s.file.endsWith("big.txt"));
    expect(bigSplits.length).toBeGreaterThanOrEqual(6);
    expect(splits.filter((s) => !s.file.endsWith("big.txt")).length).toBe(2);
    // Contiguous, covering the file.
    for (let i = 1; i < bigSplits.length; i++) expect(bigSplits[i]!.start).toBe(bigSplits[i - 1]!.end);
    // Read all ranges concurrently.
    const ctx = readCtx();
    const per = await Promise.all(
      splits.map(async (s) => {
        const out: string[] = [];
        await source().read(payload, s, (v) => out.push(v as string), ctx);
        return out;
      }),
    );
    expect(per.flat()).toEqual([...lines, "s1", "s2"]);
    expect(ctx.metrics.counters.get(IO_KEY("bytesRead"))).toBe(splits.reduce((n, s) => n + s.end - s.start, 0));
    expect(ctx.metrics.counters.get(IO_KEY("invalidUtf8Lines"))).toBeUndefined();
  });

  it("split sizes follow the desired count, with a minimum size", () => {
    const files = [
      { path: "/a.txt", size: 10 << 20 },
      { path: "/b.gz", size: 10 << 20 },
      { path: "/c.txt", size: 100 },
    ];
    const s = splitFiles(files, "auto", 4);
    expect(s.filter((x) => x.file === "/a.txt").length).toBe(2);
    expect(s.filter((x) => x.file === "/b.gz")).toEqual([{ file: "/b.gz", start: 0, end: 10 << 20, compression: "gzip" }]);
    expect(s.filter((x) => x.file === "/c.txt").length).toBe(1);
    expect(splitFiles([{ path: "/a.txt", size: 1000 }], "auto", 100).length).toBe(1);
    expect(splitFiles([{ path: "/a.gz", size: 1000 }], "uncompressed", 1)[0]!.compression).toBe("uncompressed");
  });

  it("reads globs of several files, gzip and deflate by extension or by setting", async () => {
    const d = tempDir();
    writeFiles(d, {
      "in/1.txt": "one\ntwo\n",
      "in/2.txt.gz": gzipSync("three\nfour"),
      "in/3.deflate": deflateSync("five\r\nsix\r\n"),
      "in/concat.gz": Buffer.concat([gzipSync("seven\n"), gzipSync("eight\n")]),
      "raw/x.data": gzipSync("gz without extension\n"),
    });
    expect(await readAll(path.join(d, "in/*"))).toEqual(["one", "two", "three", "four", "five", "six", "seven", "eight"]);
    expect(await readAll(path.join(d, "raw/*"), 1, "gzip")).toEqual(["gz without extension"]);
    await expect(readAll(path.join(d, "in/1.txt"), 1, "gzip")).rejects.toThrow(/cannot read .*1\.txt as gzip/);
  });

  it("reads empty files and a file that is just a newline", async () => {
    const d = tempDir();
    writeFiles(d, { "e.txt": "", "n.txt": "\n", "e.gz": "" });
    expect(await readAll(path.join(d, "e.txt"))).toEqual([]);
    expect(await readAll(path.join(d, "e.gz"))).toEqual([]);
    expect(await readAll(path.join(d, "n.txt"))).toEqual([""]);
  });

  it("counts lines with invalid UTF-8 in flowbook.io/invalidUtf8Lines", async () => {
    const d = tempDir();
    writeFiles(d, { "bad.txt": Buffer.concat([Buffer.from("fine\n"), Buffer.from([0x61, 0xc0, 0x80, 0x0a]), Buffer.from([0xff, 0x0a, 0x62])]) });
    const payload = { filePattern: path.join(d, "bad.txt"), compression: "auto", emptyMatch: "disallow" };
    const ctx = readCtx();
    const out: string[] = [];
    for (const s of await source().split(payload, 1)) await source().read(payload, s, (v) => out.push(v as string), ctx);
    expect(out).toEqual(["fine", "a\uFFFD\uFFFD", "\uFFFD", "b"]);
    expect(ctx.metrics.counters.get(IO_KEY("invalidUtf8Lines"))).toBe(2);
  });

  it("fails with an error naming the pattern when nothing matches", async () => {
    const d = tempDir();
    const pattern = path.join(d, "nope/*.txt");
    const payload = { filePattern: pattern, compression: "auto", emptyMatch: "disallow" };
    await expect(source().split(payload, 2)).rejects.toThrow(`No files matched spec: ${pattern}`);
    await expect(source().estimateSize!(payload)).rejects.toThrow(`No files matched spec: ${pattern}`);
    expect(await source().split({ ...payload, emptyMatch: "allow" }, 2)).toEqual([]);
  });

  it("streams: a large file is read with bounded memory", async () => {
    const d = tempDir();
    const file = path.join(d, "big.txt");
    const line = "x".repeat(99) + "\n";
    writeFileSync(file, line.repeat(400_000)); // 40 MB
    let n = 0;
    const before = process.memoryUsage().arrayBuffers;
    let maxBuffer = 0;
    const r = await readTextSplit({ file, start: 0, end: 40_000_000, compression: "uncompressed" }, () => {
      n++;
      if (n % 50_000 === 0) maxBuffer = Math.max(maxBuffer, process.memoryUsage().arrayBuffers - before);
    });
    expect(n).toBe(400_000);
    expect(r.bytes).toBe(40_000_000);
    expect(maxBuffer).toBeLessThan(12_000_000); // the 2 MiB chunk, not the 40 MB file
  });
});
