/**
 * The graph drawing on a pipeline that branches: a side input read through its View, a
 * CoGroupByKey joining two sources, a ParDo with a second output, and a PCollection
 * nothing reads. Also the short coder names and the kinds of users' own DoFn classes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { coderLabel, graphSummary, renderGraphSvg, renderGraphText } from "../../../src/display/graph/index.js";
import { svgToPng } from "../../../src/display/png.js";
import { TextIO } from "../../../src/io/index.js";
import { AvroCoder, DoubleCoder, IterableCoder, KvCoder, NullableCoder, StringUtf8Coder, VarLongCoder } from "../../../src/sdk/coders/index.js";
import { Pipeline } from "../../../src/sdk/pipeline.js";
import { CoGroupByKey, KeyedPCollectionTuple } from "../../../src/sdk/transforms/co_group_by_key.js";
import { Count } from "../../../src/sdk/transforms/count.js";
import { Create } from "../../../src/sdk/transforms/create.js";
import { DoFn, type ProcessContext } from "../../../src/sdk/transforms/do_fn.js";
import { ParDo } from "../../../src/sdk/transforms/par_do.js";
import { View } from "../../../src/sdk/transforms/view.js";
import { KV } from "../../../src/sdk/values/kv.js";
import { TupleTag } from "../../../src/sdk/values/tuple_tag.js";
import { overlaps, textBoxes } from "./svg_text_boxes.js";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "../../../test-results/display");

class SplitLongFn extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>): void {
    if (c.element().length > 3) c.sideOutput(LONG, c.element());
    else c.output(c.element());
  }
}
const SHORT = new TupleTag<string>("short");
const LONG = new TupleTag<string>("long");

function branching(): Pipeline {
  const p = Pipeline.create({ name: "branching" });
  const words = p.apply("Words", Create.of("a", "bb", "cccc", "ddddd"));
  const total = words.apply("Total", Count.globally()).apply("TotalView", View.asSingleton<number>());
  const split = words.apply("Split", ParDo.of(new SplitLongFn()).withOutputTags(SHORT, [LONG]));
  const lengths = split.get(SHORT).apply("ShortLengths", ParDo.of((w: string, c: ProcessContext<string, KV<string, number>>) => c.output(KV.of(w, w.length))));
  const ranks = p.apply("Ranks", Create.of(KV.of("a", 1.5), KV.of("bb", 2.5))).setCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of()));
  KeyedPCollectionTuple.of("lengths", lengths.setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
    .and("ranks", ranks)
    .apply("Join", CoGroupByKey.create<string>())
    .apply("Share", ParDo.of((kv: KV<string, unknown>, c: ProcessContext<KV<string, unknown>, string>) => c.output(`${kv.key}/${c.sideInput(total)}`)).withSideInputs(total))
    .apply("Write", TextIO.write().to("/out/joined"));
  return p;
}

describe("graph: a pipeline that branches", () => {
  const graph = branching().toJSON();

  it("draws a side input as a dashed edge from its View to the transform reading it", async () => {
    const svg = await renderGraphSvg(graph);
    const share = Object.values(graph.transforms).find((t) => t.name === "Share")!;
    const view = Object.values(graph.transforms).find((t) => t.name === "TotalView")!;
    // Count.globally reads a side input of its own inside Total; Share reads TotalView.
    const side = [...svg.matchAll(/<g id="([^"]*)" class="edge side">\n<title>([^<]*)<\/title>([\s\S]*?)<\/g>/g)].filter((m) => m[2]!.endsWith(`;${share.id}`));
    expect(side).toHaveLength(1);
    expect(side[0]![2]).toBe(`${view.id}&#45;&gt;${share.id}`);
    expect(side[0]![3]).toMatch(/stroke-dasharray/);
    expect(svg).toMatch(new RegExp(`<g id="node_${view.id}" class="node transform view">[\\s\\S]*?View \\(singleton\\)`));
    const edges = graphSummary(graph).edges;
    expect(edges.filter((e) => e.sideInput && e.to === share.id)).toEqual([{ from: view.id, to: share.id, pcollection: expect.stringMatching(/^Total\//), coder: "varint", sideInput: "singleton" }]);
  });

  it("draws both outputs of a multi-output ParDo, the one nothing reads included, and the join's two inputs", async () => {
    const svg = await renderGraphSvg(graph);
    const split = Object.values(graph.transforms).find((t) => t.name === "Split")!;
    const outs = Object.values(split.outputs);
    expect(outs).toHaveLength(2);
    for (const pc of outs) expect(svg).toContain(`<g id="produces_${pc}" class="edge produces">`);
    expect(svg).toContain("Split.long");
    // Both sources feed the join (collapsed at depth 0: one node with two PCollections in).
    const cogbk = Object.values(graph.transforms).find((t) => t.name === "Join")!;
    const atTop = graphSummary(graph, { depth: 0 }).edges.filter((e) => e.to === cogbk.id);
    expect(atTop.map((e) => e.coder).sort()).toEqual(["KV<string, double>", "KV<string, varint>"]);
    const shapes = [...svg.matchAll(/class="node transform (\w+)"/g)].map((m) => m[1]);
    expect(shapes.filter((s) => s === "source")).toHaveLength(Object.values(graph.transforms).filter((t) => Object.keys(t.inputs).length === 0 && t.subtransforms.length === 0).length);
    expect(svg).toContain("ParDo(SplitLongFn)");
    expect(overlaps(textBoxes(svg)).map(([a, b]) => `${a.text} × ${b.text}`)).toEqual([]);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, "branching-graph.png"), svgToPng(svg));
  });

  it("says in the text tree what a step reads when it is not the line above, and lists side inputs", () => {
    const text = renderGraphText(graph, { width: 200 });
    expect(text).toMatch(/^├─ Split +ParDo\(SplitLongFn\) +← Words\.out → general \(Split\.short\), general \(Split\.long\)$/m);
    expect(text).toMatch(/^├─ Ranks +Create +→ KV<string, double> \(Ranks\.out\)$/m);
    expect(text).toMatch(/^├─ Share +ParDo\(λ\) +→ general \(Share\.out\)$/m);
    expect(text).toMatch(/^│ {5}side input: Total\/\S+ \(singleton\)$/m);
    // A Flatten reads both its inputs, though the line above wrote one of them.
    expect(text).toMatch(/^│ {2}├─ Flatten +Flatten +← MakeUnionTable0\.out, MakeUnionTable1\.out → /m);
  });
});

describe("graph: names as users write them", () => {
  it("draws names with markup characters and quotes as text, in the SVG and the DOT", async () => {
    const p = Pipeline.create({ name: 'odd "names"' });
    p.apply("Read <&> \"quoted\" \\", Create.of("x")).apply("<Tag>", ParDo.of((x: string, c: ProcessContext<string, string>) => c.output(x)));
    const svg = await renderGraphSvg(p.toJSON());
    expect(svg).toContain(">Read &lt;&amp;&gt; &quot;quoted&quot; \\</text>");
    expect(svg).toContain(">&lt;Tag&gt;</text>");
    expect(svg).toContain(">odd &quot;names&quot;</text>");
    expect(svg).not.toMatch(/<Tag>/);
  });
});

describe("coderLabel", () => {
  it("names coders as element types, short", () => {
    expect(coderLabel(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()).toSpec())).toBe("KV<string, varint>");
    expect(coderLabel(IterableCoder.of(NullableCoder.of(DoubleCoder.of())).toSpec())).toBe("Iterable<Nullable<double>>");
    expect(coderLabel(AvroCoder.of({ type: "record", name: "com.example.User", fields: [{ name: "id", type: "long" }] }).toSpec())).toBe("avro:User");
    expect(coderLabel({ urn: "acme:coder:rle:v2", components: [{ urn: "beam:coder:bytes:v1" }] })).toBe("rle<bytes>");
    expect(coderLabel(undefined)).toBe("?");
  });
});
