import * as path from "node:path";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gunzipSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Urns } from "../../src/graph/types.js";
import { sinkFor } from "../../src/io/registry.js";
import "../../src/io/index.js";
import { shardName } from "../../src/io/filesystem/temp_files.js";
import type { TextWritePayload } from "../../src/io/text/text_sink.js";
import { listFiles, tempDir, writeCtx } from "./helpers.js";

const sink = () => sinkFor(Urns.TEXT_WRITE)!;

function payload(prefix: string, over: Partial<TextWritePayload> = {}): TextWritePayload {
  return { prefix, suffix: "", numShards: 0, shardTemplate: "-SSSSS-of-NNNNN", compression: "uncompressed", header: null, footer: null, ...over };
}

/** Opens one writer per element list, writes, closes; returns the close() results. */
async function writeShards(p: TextWritePayload, shards: string[][], runId = "run1", transform = "Write"): Promise<unknown[]> {
  const results: unknown[] = [];
  for (let i = 0; i < shards.length; i++) {
    const w = await sink().open(p, writeCtx(i, runId, transform));
    for (const line of shards[i]!) w.write(line);
    results.push(await w.close());
  }
  return results;
}

describe("shard names", () => {
  it("follow Beam's template syntax", () => {
    expect(shardName("/out/wc", "-SSSSS-of-NNNNN", ".txt", 1, 3)).toBe("/out/wc-00001-of-00003.txt");
    expect(shardName("/out/wc", "", ".txt", 0, 1)).toBe("/out/wc.txt");
    expect(shardName("/out/wc", "_S_of_N", "", 12, 100)).toBe("/out/wc_12_of_100");
    expect(shardName("/out/wc", "-SS", "", 123, 200)).toBe("/out/wc-123");
  });
});

describe("TextIO write runtime", () => {
  it("writes one temporary file per writer and renames them to sharded names in finalize", async () => {
    const d = tempDir();
    const p = payload(path.join(d, "out/wordcounts"), { suffix: ".txt" });
    expect(sink().numShards(p)).toBeUndefined();
    const results = await writeShards(p, [["a: 1", "b: 2"], [], ["c: 3", "ünï: 4"]]);
    // Before finalize: only temporary files, nothing under the final names.
    const before = listFiles(d);
    expect(before.every((f) => f.startsWith("out/.flowbook-temp-run1/"))).toBe(true);
    expect(before.length).toBe(3);
    const r = (await sink().finalize(p, results, { runId: "run1", transform: "Write" })) as { files: string[] };
    expect(listFiles(d)).toEqual(["out/wordcounts-00000-of-00003.txt", "out/wordcounts-00001-of-00003.txt", "out/wordcounts-00002-of-00003.txt"]);
    expect(r.files.map((f) => path.relative(d, f))).toEqual(listFiles(d));
    expect(readFileSync(path.join(d, "out/wordcounts-00000-of-00003.txt"), "utf8")).toBe("a: 1\nb: 2\n");
    expect(readFileSync(path.join(d, "out/wordcounts-00001-of-00003.txt"), "utf8")).toBe("");
    expect(readFileSync(path.join(d, "out/wordcounts-00002-of-00003.txt"), "utf8")).toBe("c: 3\nünï: 4\n");
  });

  it("names shards by writer index, whatever the order of results", async () => {
    const d = tempDir();
    const p = payload(path.join(d, "o"));
    const results = await writeShards(p, [["zero"], ["one"]]);
    await sink().finalize(p, [results[1], results[0]], { runId: "run1", transform: "Write" });
    expect(readFileSync(path.join(d, "o-00000-of-00002"), "utf8")).toBe("zero\n");
  });

  it("withNumShards: a fixed count, missing shards written empty", async () => {
    const d = tempDir();
    const p = payload(path.join(d, "o"), { numShards: 3 });
    expect(sink().numShards(p)).toBe(3);
    const results = await writeShards(p, [["x"]]);
    await sink().finalize(p, results, { runId: "run1", transform: "Write" });
    expect(listFiles(d)).toEqual(["o-00000-of-00003", "o-00001-of-00003", "o-00002-of-00003"]);
    const tooMany = await writeShards(p, [["1"], ["2"], ["3"], ["4"]], "run2");
    await expect(sink().finalize(p, tooMany, { runId: "run2", transform: "Write" })).rejects.toThrow(/4 writers .* 3 shards/);
  });

  it("withoutSharding: exactly the given name, replacing an existing file", async () => {
    const d = tempDir();
    writeFileSync(path.join(d, "result.txt"), "old contents\n");
    const p = payload(path.join(d, "result"), { numShards: 1, shardTemplate: "", suffix: ".txt" });
    const results = await writeShards(p, [["new"]]);
    await sink().finalize(p, results, { runId: "run1", transform: "Write" });
    expect(listFiles(d)).toEqual(["result.txt"]);
    expect(readFileSync(path.join(d, "result.txt"), "utf8")).toBe("new\n");
  });

  it("an empty input (no writer at all) still gives one empty shard", async () => {
    const d = tempDir();
    const p = payload(path.join(d, "o"));
    await sink().finalize(p, [], { runId: "run1", transform: "Write" });
    expect(listFiles(d)).toEqual(["o-00000-of-00001"]);
  });

  it("abort removes every temporary file and leaves no output", async () => {
    const d = tempDir();
    const p = payload(path.join(d, "out/o"));
    const results = await writeShards(p, [["a"], ["b"]]);
    // A writer that died without closing: its file is found by name.
    const dead = await sink().open(p, writeCtx(2));
    dead.write("half");
    await sink().abort(p, results, { runId: "run1", transform: "Write" });
    expect(listFiles(d)).toEqual([]);
    // A writer's own abort removes its file too.
    const w = await sink().open(p, writeCtx(0, "run2"));
    w.write("x");
    await w.abort();
    expect(listFiles(d)).toEqual([]);
  });

  it("two sinks writing to one directory in one run do not collide", async () => {
    const d = tempDir();
    const a = payload(path.join(d, "a"));
    const b = payload(path.join(d, "b"));
    const ra = await writeShards(a, [["from a"]], "run1", "WriteA");
    const rb = await writeShards(b, [["from b"]], "run1", "WriteB");
    await sink().abort(b, rb, { runId: "run1", transform: "WriteB" });
    await sink().finalize(a, ra, { runId: "run1", transform: "WriteA" });
    expect(listFiles(d)).toEqual(["a-00000-of-00001"]);
  });

  it("finalize can be retried after it succeeded", async () => {
    const d = tempDir();
    const p = payload(path.join(d, "o"));
    const results = await writeShards(p, [["x"]]);
    await sink().finalize(p, results, { runId: "run1", transform: "Write" });
    await sink().finalize(p, results, { runId: "run1", transform: "Write" });
    expect(listFiles(d)).toEqual(["o-00000-of-00001"]);
  });

  it("finalize renames nothing when a temporary file is missing", async () => {
    const d = tempDir();
    const p = payload(path.join(d, "o"));
    const results = (await writeShards(p, [["x"], ["y"]])) as Array<{ tempFile: string }>;
    rmSync(results[1]!.tempFile);
    await expect(sink().finalize(p, results, { runId: "run1", transform: "Write" })).rejects.toThrow(/is missing; nothing was renamed/);
    expect(existsSync(path.join(d, "o-00000-of-00002"))).toBe(false);
  });

  it("a shard template without S refuses to give several shards one name", async () => {
    const d = tempDir();
    const p = payload(path.join(d, "o"), { shardTemplate: "" });
    const results = await writeShards(p, [["x"], ["y"]]);
    await expect(sink().finalize(p, results, { runId: "run1", transform: "Write" })).rejects.toThrow(/needs an S/);
  });

  it("writes headers and footers, and compresses with gzip or deflate", async () => {
    const d = tempDir();
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
    const hp = payload(path.join(d, "h"), { header: "# head", footer: "# foot" });
    await sink().finalize(hp, await writeShards(hp, [["x"]]), { runId: "r", transform: "W" });
    expect(readFileSync(path.join(d, "h-00000-of-00001"), "utf8")).toBe("# head\nx\n# foot\n");

    const gp = payload(path.join(d, "g"), { suffix: ".gz", compression: "gzip" });
    await sink().finalize(gp, await writeShards(gp, [lines, []], "r", "G"), { runId: "r", transform: "G" });
    expect(gunzipSync(readFileSync(path.join(d, "g-00000-of-00002.gz"))).toString()).toBe(lines.join("\n") + "\n");
    expect(gunzipSync(readFileSync(path.join(d, "g-00001-of-00002.gz"))).toString()).toBe("");

    const zp = payload(path.join(d, "z"), { compression: "deflate" });
    await sink().finalize(zp, await writeShards(zp, [lines], "r", "Z"), { runId: "r", transform: "Z" });
    expect(inflateSync(readFileSync(path.join(d, "z-00000-of-00001"))).toString()).toBe(lines.join("\n") + "\n");
  });

  it("refuses elements that are not strings, naming what it got", async () => {
    const d = tempDir();
    const w = await sink().open(payload(path.join(d, "o")), writeCtx(0));
    expect(() => w.write({ key: "a", value: 1 })).toThrow(/TextIO.Write writes strings, got an object/);
    expect(() => w.write(42)).toThrow(/got a number/);
    await w.abort();
  });

  it("writes a large output whole", async () => {
    const d = tempDir();
    const p = payload(path.join(d, "big"));
    const w = await sink().open(p, writeCtx(0));
    for (let i = 0; i < 1_000_000; i++) w.write("some words and a count: " + i);
    const r = (await w.close()) as { bytes: number; records: number };
    expect(r.records).toBe(1_000_000);
    await sink().finalize(p, [r], { runId: "run1", transform: "Write" });
    expect(readFileSync(path.join(d, "big-00000-of-00001")).length).toBe(r.bytes);
  });
});
