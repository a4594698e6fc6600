import * as path from "node:path";
import { symlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EmptyMatchError, expandBraces, matchFiles, resolvePattern, segmentRegExp } from "../../src/io/filesystem/match.js";
import { tempDir, writeFiles } from "./helpers.js";

function setup(): string {
  const d = tempDir();
  writeFiles(d, {
    "a.txt": "a",
    "b.txt": "bb",
    "c.csv": "c",
    "ab.txt": "ab",
    "x1.log": "",
    "x2.log": "",
    "x10.log": "",
    "sub/d.txt": "d",
    "sub/deep/e.txt": "e",
    "sub/deep/f.csv": "f",
    "other/g.txt": "g",
    ".hidden.txt": "h",
    ".flowbook-temp-run/0": "temp",
  });
  return d;
}

async function names(d: string, pattern: string): Promise<string[]> {
  const files = await matchFiles(path.join(d, pattern), "allow");
  return files.map((f) => path.relative(d, f.path));
}

describe("matchFiles", () => {
  it("matches * and ? within one directory", async () => {
    const d = setup();
    expect(await names(d, "*.txt")).toEqual([".hidden.txt", "a.txt", "ab.txt", "b.txt"]);
    expect(await names(d, "?.txt")).toEqual(["a.txt", "b.txt"]);
    expect(await names(d, "x?.log")).toEqual(["x1.log", "x2.log"]);
    expect(await names(d, "*/*.txt")).toEqual(["other/g.txt", "sub/d.txt"]);
  });

  it("matches {a,b} alternatives, also across directories and nested", async () => {
    const d = setup();
    expect(await names(d, "{a,b}.txt")).toEqual(["a.txt", "b.txt"]);
    expect(await names(d, "{a,sub/d,sub/deep/e}.txt")).toEqual(["a.txt", "sub/d.txt", "sub/deep/e.txt"]);
    expect(await names(d, "{*.csv,{a,ab}.txt}")).toEqual(["a.txt", "ab.txt", "c.csv"]);
    expect(expandBraces("/x/{a,b{c,d}}/e")).toEqual(["/x/a/e", "/x/bc/e", "/x/bd/e"]);
  });

  it("matches character classes", async () => {
    const d = setup();
    expect(await names(d, "[ab].txt")).toEqual(["a.txt", "b.txt"]);
    expect(await names(d, "[!a].txt")).toEqual(["b.txt"]);
    expect(await names(d, "x[0-9].log")).toEqual(["x1.log", "x2.log"]);
    expect(segmentRegExp("[^a]*").test("ba")).toBe(true);
  });

  it("matches ** as zero or more directories, skipping temporary output directories", async () => {
    const d = setup();
    expect(await names(d, "**/*.txt")).toEqual([".hidden.txt", "a.txt", "ab.txt", "b.txt", "other/g.txt", "sub/d.txt", "sub/deep/e.txt"]);
    expect(await names(d, "sub/**")).toEqual(["sub/d.txt", "sub/deep/e.txt", "sub/deep/f.csv"]);
    expect(await names(d, "**/deep/*")).toEqual(["sub/deep/e.txt", "sub/deep/f.csv"]);
    expect(await names(d, "**")).not.toContain(".flowbook-temp-run/0");
  });

  it("matches a literal path, escapes, and follows symlinks to files", async () => {
    const d = setup();
    writeFiles(d, { "star*.txt": "s" });
    symlinkSync(path.join(d, "a.txt"), path.join(d, "link.txt"));
    expect(await names(d, "sub/d.txt")).toEqual(["sub/d.txt"]);
    expect(await names(d, "star\\*.txt")).toEqual(["star*.txt"]);
    expect(await names(d, "link.*")).toEqual(["link.txt"]);
    // A directory (no glob syntax) reads the files directly inside it, as on Flink.
    expect(await names(d, "sub")).toEqual(["sub/d.txt"]);
  });

  it("reports sizes and sorts by path", async () => {
    const d = setup();
    const files = await matchFiles(path.join(d, "{b,a}.txt"));
    expect(files).toEqual([
      { path: path.join(d, "a.txt"), size: 1 },
      { path: path.join(d, "b.txt"), size: 2 },
    ]);
  });

  it("fails on an empty match with Beam's message naming the pattern", async () => {
    const d = setup();
    const pattern = path.join(d, "nothing-*.txt");
    await expect(matchFiles(pattern)).rejects.toThrow(`No files matched spec: ${pattern}`);
    await expect(matchFiles(pattern)).rejects.toBeInstanceOf(EmptyMatchError);
    await expect(matchFiles(path.join(d, "missing-dir/*.txt"))).rejects.toThrow(/No files matched spec: .*missing-dir/);
    expect(await matchFiles(pattern, "allow")).toEqual([]);
    expect(await matchFiles(pattern, "allow_if_wildcard")).toEqual([]);
    await expect(matchFiles(path.join(d, "nothing.txt"), "allow_if_wildcard")).rejects.toThrow(/No files matched/);
  });

  it("resolves patterns against the working directory and refuses remote schemes", () => {
    expect(resolvePattern("data/*.txt", "t")).toBe(path.join(process.cwd(), "data/*.txt"));
    expect(resolvePattern("file:///tmp/x*.txt", "t")).toBe("/tmp/x*.txt");
    expect(() => resolvePattern("gs://bucket/x", "TextIO.read().from()")).toThrow(/only local files/);
  });
});
