import * as path from "node:path";
import { readFileSync } from "node:fs";
import avro from "avsc";
import { describe, expect, it } from "vitest";
import { Urns } from "../../src/graph/types.js";
import { sinkFor, sourceFor } from "../../src/io/registry.js";
import "../../src/io/index.js";
import type { AvroWritePayload } from "../../src/io/avro/avro_sink.js";
import { listFiles, readCtx, tempDir, writeCtx } from "./helpers.js";

const schema = {
  type: "record",
  name: "User",
  namespace: "example",
  fields: [
    { name: "name", type: "string" },
    { name: "age", type: "int" },
    { name: "email", type: ["null", "string"], default: null },
    { name: "tags", type: { type: "array", items: "string" } },
    { name: "address", type: { type: "record", name: "Address", fields: [{ name: "city", type: "string" }] } },
    { name: "blob", type: "bytes" },
  ],
};

const users = Array.from({ length: 5000 }, (_, i) => ({
  name: `user ${i} ünïcode`,
  age: i % 90,
  email: i % 3 ? null : `u${i}@example.com`,
  tags: i % 2 ? ["a", "b"] : [],
  address: { city: `city ${i % 10}` },
  blob: Buffer.from([i & 255, 1, 2]),
}));

function payload(prefix: string, over: Partial<AvroWritePayload> = {}): AvroWritePayload {
  return { prefix, suffix: ".avro", numShards: 0, shardTemplate: "-SSSSS-of-NNNNN", schema, codec: "deflate", ...over };
}

async function write(p: AvroWritePayload, shards: unknown[][], runId = "r"): Promise<string[]> {
  const sink = sinkFor(Urns.AVRO_WRITE)!;
  const results: unknown[] = [];
  for (let i = 0; i < shards.length; i++) {
    const w = await sink.open(p, writeCtx(i, runId));
    for (const v of shards[i]!) w.write(v);
    results.push(await w.close());
  }
  return ((await sink.finalize(p, results, { runId, transform: "Write" })) as { files: string[] }).files;
}

async function read(pattern: string, readerSchema: unknown = schema): Promise<unknown[]> {
  const source = sourceFor(Urns.AVRO_READ)!;
  const p = { filePattern: pattern, schema: readerSchema, emptyMatch: "disallow" };
  const out: unknown[] = [];
  for (const s of await source.split(p, 4)) await source.read(p, s, (v) => out.push(v), readCtx());
  return out;
}

describe("AvroIO runtime", () => {
  for (const codec of ["deflate", "null"] as const) {
    it(`round-trips records through sharded container files (codec ${codec})`, async () => {
      const d = tempDir();
      const files = await write(payload(path.join(d, "users"), { codec, syncInterval: 4096 }), [users.slice(0, 3000), users.slice(3000)]);
      expect(files.map((f) => path.basename(f))).toEqual(["users-00000-of-00002.avro", "users-00001-of-00002.avro"]);
      expect(listFiles(d)).toEqual(["users-00000-of-00002.avro", "users-00001-of-00002.avro"]);
      const back = await read(path.join(d, "users-*.avro"));
      expect(back).toEqual(users);
      // Records are plain objects.
      expect(Object.getPrototypeOf(back[0])).toBe(Object.prototype);
      expect(Object.getPrototypeOf((back[0] as { address: object }).address)).toBe(Object.prototype);
      // The header names the codec and schema, as Avro readers expect.
      const header = avro.extractFileHeader(files[0]!, { decode: false });
      expect(header.meta["avro.codec"].toString()).toBe(codec);
      expect(JSON.parse(header.meta["avro.schema"].toString())).toEqual(schema);
    });
  }

  it("reads files written by avsc's own encoder, and resolves to a reader schema", async () => {
    const d = tempDir();
    const file = path.join(d, "ext.avro");
    const writerSchema = { type: "record", name: "P", fields: [{ name: "x", type: "int" }] };
    await new Promise<void>((resolve, reject) => {
      const enc = avro.createFileEncoder(file, writerSchema as avro.Schema, { codec: "deflate" });
      enc.on("error", reject);
      // createFileEncoder pipes into a file stream: wait for that to finish.
      (enc as unknown as { on(e: string, f: () => void): void }).on("finish", () => setTimeout(resolve, 50));
      for (let i = 0; i < 100; i++) enc.write({ x: i });
      enc.end();
    });
    expect(await read(file, writerSchema)).toEqual(Array.from({ length: 100 }, (_, i) => ({ x: i })));
    const evolved = { type: "record", name: "P", fields: [{ name: "x", type: "long" }, { name: "y", type: "string", default: "none" }] };
    expect((await read(file, evolved))[3]).toEqual({ x: 3, y: "none" });
  });

  it("an empty shard is a valid container file with no records", async () => {
    const d = tempDir();
    await write(payload(path.join(d, "e"), { numShards: 2 }), [[]]);
    expect(listFiles(d)).toEqual(["e-00000-of-00002.avro", "e-00001-of-00002.avro"]);
    expect(await read(path.join(d, "e-*"))).toEqual([]);
    expect(readFileSync(path.join(d, "e-00000-of-00002.avro")).subarray(0, 4).toString("latin1")).toBe("Obj\x01");
  });

  it("refuses a record that does not fit the schema, naming the field", async () => {
    const d = tempDir();
    const w = await sinkFor(Urns.AVRO_WRITE)!.open(payload(path.join(d, "bad")), writeCtx(0));
    expect(() => w.write({ ...users[0], age: "old" })).toThrow(/age is "old", not a valid int/);
    await w.abort();
    expect(listFiles(d)).toEqual([]);
  });

  it("keeps bytes values intact across blocks (no views into a reused buffer)", async () => {
    const d = tempDir();
    const s = { type: "record", name: "B", fields: [{ name: "b", type: "bytes" }, { name: "f", type: { type: "fixed", name: "F", size: 4 } }] };
    const recs = Array.from({ length: 3000 }, (_, i) => ({ b: Buffer.alloc(100, i & 255), f: Buffer.from([i & 255, 0, 0, 1]) }));
    await write(payload(path.join(d, "b"), { schema: s, codec: "null", syncInterval: 1000 }), [recs]);
    expect(await read(path.join(d, "b-*"), s)).toEqual(recs);
  });

  it("refuses a reader schema the file's schema cannot be resolved to", async () => {
    const d = tempDir();
    await write(payload(path.join(d, "u")), [users.slice(0, 3)]);
    const other = { type: "record", name: "User", namespace: "example", fields: [{ name: "missing", type: "string" }] };
    await expect(read(path.join(d, "u-*"), other)).rejects.toThrow(/cannot read Avro file .*cannot be read as the reader schema/);
  });

  it("fails on a missing pattern and on a file that is not Avro", async () => {
    const d = tempDir();
    await expect(read(path.join(d, "none*.avro"))).rejects.toThrow(/No files matched spec/);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path.join(d, "not.avro"), "hello");
    await expect(read(path.join(d, "not.avro"))).rejects.toThrow(/cannot read Avro file .*not\.avro/);
  });

  it("primitive schemas work too", async () => {
    const d = tempDir();
    await write(payload(path.join(d, "s"), { schema: "string" as unknown as object }), [["a", "b"]]);
    expect(await read(path.join(d, "s-*"), "string")).toEqual(["a", "b"]);
  });
});
