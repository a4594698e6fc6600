import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Pipeline, Create, TransformApplicationError } from "../../src/index.js";
import { AvroIO, Compression, ConsoleIO, TextIO } from "../../src/io/index.js";
import { Urns } from "../../src/graph/types.js";
import type { PipelineGraph, TransformNode } from "../../src/graph/types.js";

function node(g: PipelineGraph, urn: string): TransformNode {
  const t = Object.values(g.transforms).find((x) => x.urn === urn);
  if (!t) throw new Error(`no ${urn}`);
  return t;
}

describe("TextIO API", () => {
  it("read: a root primitive with an absolute pattern and a string coder", () => {
    const p = Pipeline.create();
    const lines = p.apply("ReadLines", TextIO.read().from("data/*.txt"));
    const g = p.toJSON();
    const t = node(g, Urns.TEXT_READ);
    expect(t.fullName).toBe("ReadLines");
    expect(t.payload).toEqual({ filePattern: path.join(process.cwd(), "data/*.txt"), compression: "auto", emptyMatch: "disallow" });
    expect(g.pcollections[lines.id]!.coder).toEqual({ urn: "beam:coder:string_utf8:v1" });
    expect(g.pcollections[lines.id]!.isBounded).toBe(true);
  });

  it("read options: compression (Beam's names too) and empty-match treatment", () => {
    const p = Pipeline.create();
    p.apply(TextIO.read().from("/x/*.gz").withCompression(Compression.GZIP).withEmptyMatchTreatment("allow"));
    p.apply(TextIO.read().from("/y").withCompression("UNCOMPRESSED"));
    const reads = Object.values(p.toJSON().transforms).filter((t) => t.urn === Urns.TEXT_READ);
    expect(reads.map((t) => t.fullName)).toEqual(["TextIO.Read", "TextIO.Read2"]);
    expect(reads[0]!.payload).toEqual({ filePattern: "/x/*.gz", compression: "gzip", emptyMatch: "allow" });
    expect((reads[1]!.payload as { compression: string }).compression).toBe("uncompressed");
    expect(() => TextIO.read().withCompression("zip")).toThrow(/unknown compression "zip"/);
  });

  it("read errors at apply time", () => {
    const p = Pipeline.create();
    expect(() => p.apply(TextIO.read())).toThrow(TransformApplicationError);
    expect(() => p.apply(TextIO.read())).toThrow("TextIO.read() needs .from(pattern)");
    expect(() => p.apply(TextIO.read().from("gs://bucket/*.txt"))).toThrow(/only local files/);
    expect(() => TextIO.read().from("")).toThrow(/needs a file pattern/);
  });

  it("write: a sink primitive with the shard template, suffix and shard count", () => {
    const p = Pipeline.create();
    const done = p.apply(Create.of("a", "b")).apply(TextIO.write().to("out/wordcounts").withSuffix(".txt").withNumShards(3));
    expect(done.pipeline).toBe(p);
    const t = node(p.toJSON(), Urns.TEXT_WRITE);
    expect(t.fullName).toBe("TextIO.Write");
    expect(t.outputs).toEqual({});
    expect(t.payload).toEqual({
      prefix: path.join(process.cwd(), "out/wordcounts"),
      suffix: ".txt",
      numShards: 3,
      shardTemplate: "-SSSSS-of-NNNNN",
      compression: "uncompressed",
      header: null,
      footer: null,
    });
  });

  it("write options: withoutSharding, gzip adds .gz once, header/footer, templates", () => {
    const p = Pipeline.create();
    const pc = p.apply(Create.of("a"));
    pc.apply("One", TextIO.write().to("/o/result").withSuffix(".csv").withoutSharding().withHeader("h").withFooter("f"));
    pc.apply("Gz", TextIO.write().to("/o/z").withCompression("gzip"));
    pc.apply("Gz2", TextIO.write().to("/o/z2").withSuffix(".txt.gz").withCompression("gzip"));
    pc.apply("Tpl", TextIO.write().to("/o/t").withShardNameTemplate("_SSS"));
    const g = p.toJSON();
    const by = (n: string) => Object.values(g.transforms).find((t) => t.fullName === n)!.payload as Record<string, unknown>;
    expect(by("One")).toMatchObject({ prefix: "/o/result", suffix: ".csv", numShards: 1, shardTemplate: "", header: "h", footer: "f" });
    expect(by("Gz")).toMatchObject({ suffix: ".gz", compression: "gzip" });
    expect(by("Gz2")).toMatchObject({ suffix: ".txt.gz" });
    expect(by("Tpl")).toMatchObject({ shardTemplate: "_SSS", numShards: 0 });
  });

  it("write errors at apply time", () => {
    const p = Pipeline.create();
    const pc = p.apply(Create.of("a"));
    expect(() => pc.apply(TextIO.write())).toThrow("TextIO.write() needs .to(prefix)");
    expect(() => pc.apply(TextIO.write().to("/o/x").withShardNameTemplate("-fixed"))).toThrow(/has no S .*withNumShards\(1\)/);
    expect(() => TextIO.write().withNumShards(-1)).toThrow(/non-negative integer/);
    expect(() => TextIO.write().withCompression("auto")).toThrow(/"auto" is for reading/);
  });

  it("builders are immutable", () => {
    const base = TextIO.read();
    const a = base.from("/a");
    expect(base.filePattern).toBeUndefined();
    expect(a.filePattern).toBe("/a");
  });

  it("the graph survives a JSON round trip with the payloads intact", () => {
    const p = Pipeline.create();
    p.apply(TextIO.read().from("/in/*.txt")).apply(TextIO.write().to("/out/x"));
    const g = p.toJSON();
    const back = Pipeline.fromJSON(JSON.parse(JSON.stringify(g))).toJSON();
    expect(node(back, Urns.TEXT_READ).payload).toEqual(node(g, Urns.TEXT_READ).payload);
    expect(node(back, Urns.TEXT_WRITE).payload).toEqual(node(g, Urns.TEXT_WRITE).payload);
  });
});

describe("AvroIO and ConsoleIO API", () => {
  const schema = { type: "record", name: "U", fields: [{ name: "name", type: "string" }] };

  it("AvroIO.read: the schema in the payload and an AvroCoder on the output", () => {
    const p = Pipeline.create();
    const users = p.apply(AvroIO.read<{ name: string }>(JSON.stringify(schema)).from("in/*.avro"));
    const g = p.toJSON();
    expect(node(g, Urns.AVRO_READ).payload).toEqual({ filePattern: path.join(process.cwd(), "in/*.avro"), schema, emptyMatch: "disallow" });
    expect(g.pcollections[users.id]!.coder).toEqual({ urn: "flowbook:coder:avro:v1", payload: schema });
  });

  it("AvroIO.write: payload with codec and shards; errors for bad schemas and missing .to", () => {
    const p = Pipeline.create();
    const pc = p.apply(Create.of({ name: "a" }));
    pc.apply(AvroIO.write(schema).to("/o/users").withSuffix(".avro").withCodec("null").withNumShards(2));
    expect(node(p.toJSON(), Urns.AVRO_WRITE).payload).toEqual({
      prefix: "/o/users", suffix: ".avro", numShards: 2, shardTemplate: "-SSSSS-of-NNNNN", schema, codec: "null", deflateLevel: 6,
    });
    expect(() => AvroIO.read({ type: "record", name: "X" })).toThrow(/AvroIO.read\(\): invalid Avro schema/);
    expect(() => pc.apply("W2", AvroIO.write(schema))).toThrow("AvroIO.write() needs .to(prefix)");
    expect(() => p.apply(AvroIO.read(schema))).toThrow("AvroIO.read() needs .from(pattern)");
    expect(() => AvroIO.write(schema).withCodec("snappy" as never)).toThrow(/unknown codec/);
  });

  it("ConsoleIO.write: payload with prefix and limit", () => {
    const p = Pipeline.create();
    const pc = p.apply(Create.of(1, 2));
    pc.apply(ConsoleIO.write());
    pc.apply("Peek", ConsoleIO.write({ prefix: "> ", limit: 5 }));
    const g = p.toJSON();
    const sinks = Object.values(g.transforms).filter((t) => t.urn === Urns.CONSOLE_WRITE);
    expect(sinks.map((t) => [t.fullName, t.payload])).toEqual([
      ["ConsoleIO.Write", { prefix: "", limit: null }],
      ["Peek", { prefix: "> ", limit: 5 }],
    ]);
    expect(() => ConsoleIO.write({ limit: -1 })).toThrow(/non-negative/);
  });
});
