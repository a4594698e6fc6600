/**
 * Issue 12, point 8 (the local side): a directory given as the input pattern reads the files
 * directly inside it, as the Flink bridge does (TextSourceTranslator.expand: a pattern without
 * glob syntax naming a directory → its regular files, symlinks to files included, not those
 * whose name starts with ".", not subdirectories, sorted). The local runner said
 * "No files matched spec". A corrupt .gz names the file; invalid UTF-8 lines are still counted.
 */
import { symlinkSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Pipeline } from "../../src/index.js";
import { AvroIO, TextIO } from "../../src/io/index.js";
import { matchFiles } from "../../src/io/filesystem/match.js";
import { collect } from "../../src/display/interactive/calls.js";
import { failure } from "../support/runs.js";
import { tempDir, writeFiles } from "./helpers.js";

function dataDir(): string {
  const d = tempDir();
  writeFiles(d, {
    "data/b.txt": "b1\nb2\n",
    "data/a.txt": "a1\n",
    "data/.hidden": "hidden\n",
    "data/sub/deep.txt": "deep\n",
    "data/.flowbook-temp-run/x": "temp\n",
    "elsewhere/linked.txt": "linked\n",
    "empty/.keep": "",
  });
  symlinkSync(path.join(d, "elsewhere/linked.txt"), path.join(d, "data/c-link.txt"));
  return d;
}

describe("a directory as the input pattern", () => {
  it("matches the regular files directly inside it (as on Flink): not hidden ones, not subdirectories; symlinks to files too", async () => {
    const d = dataDir();
    const files = await matchFiles(path.join(d, "data"));
    expect(files.map((f) => path.relative(d, f.path))).toEqual(["data/a.txt", "data/b.txt", "data/c-link.txt"]);
    // A trailing slash is the same directory.
    expect((await matchFiles(path.join(d, "data") + "/")).map((f) => path.relative(d, f.path))).toEqual(["data/a.txt", "data/b.txt", "data/c-link.txt"]);
    // A glob still matches files only.
    expect((await matchFiles(path.join(d, "*"), "allow")).length).toBe(0);
  });

  it("a directory with no such files: No files matched spec, unless allowed", async () => {
    const d = dataDir();
    await expect(matchFiles(path.join(d, "empty"))).rejects.toThrow(`No files matched spec: ${path.join(d, "empty")}`);
    expect(await matchFiles(path.join(d, "empty"), "allow")).toEqual([]);
  });

  for (const [label, options] of [["in process", { inProcess: true }], ["worker threads", { parallelism: 2 }]] as const) {
    it(`TextIO.read().from(dir) on the local runner (${label})`, async () => {
      const d = dataDir();
      const p = Pipeline.create(options);
      const lines = p.apply("Read", TextIO.read().from(path.join(d, "data")));
      expect((await collect(lines)).sort()).toEqual(["a1", "b1", "b2", "linked"]);
    });
  }

  it("AvroIO.read().from(dir)", async () => {
    const d = tempDir();
    const w = Pipeline.create({ inProcess: true });
    const { Create } = await import("../../src/index.js");
    w.apply(Create.of("x", "y")).apply(AvroIO.write("string").to(path.join(d, "avro", "part")).withSuffix(".avro").withNumShards(2));
    await w.run().waitUntilFinish();
    const p = Pipeline.create({ inProcess: true });
    const recs = p.apply("ReadAvro", AvroIO.read<string>("string").from(path.join(d, "avro")));
    expect((await collect(recs)).sort()).toEqual(["x", "y"]);
  });
});

describe("bad input files name themselves", () => {
  it("a corrupt .gz: the error names the file", async () => {
    const d = tempDir();
    const good = gzipSync(Buffer.from("one\ntwo\n"));
    const bad = Buffer.from(good);
    bad.fill(0x41, 12, bad.length - 8); // the deflate stream garbled
    writeFiles(d, { "in/ok.gz": good, "in/corrupt.gz": bad });
    const p = Pipeline.create({ inProcess: true });
    p.apply("Read", TextIO.read().from(path.join(d, "in")));
    const err = await failure(p.run());
    expect(err.message).toContain(path.join(d, "in", "corrupt.gz"));
    expect(err.message).toMatch(/cannot read .* as gzip/);
  });

  it("invalid UTF-8 lines are counted in flowbook.io/invalidUtf8Lines", async () => {
    const d = tempDir();
    writeFiles(d, { "in/a.txt": Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x0a, 0x62, 0x0a]) });
    const p = Pipeline.create({ inProcess: true });
    p.apply("Read", TextIO.read().from(path.join(d, "in")));
    const r = p.run();
    await r.waitUntilFinish();
    expect(r.metrics().counter("invalidUtf8Lines", "flowbook.io")).toBe(1);
  });
});
