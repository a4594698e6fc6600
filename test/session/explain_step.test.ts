// explain(p, { step: true }) in cells: one display, updated in place by each move of the
// stepper (the front-end contract's `update` with the display's id), on WordCount and on
// a pipeline with a side input and a CoGroupByKey.
import { describe, expect, test } from "vitest";
import type { CellOutput } from "../../src/display/outputs.js";
import { ok, sessionMaker } from "../support/sessions.js";

const session = sessionMaker();

type Shown = Extract<CellOutput, { type: "display" | "update" }>;

function recorded() {
  const outputs: CellOutput[] = [];
  const s = session({ onOutput: (o) => void outputs.push(o) });
  const of = (n: number) => outputs.filter((o) => o.cell.executionCount === n);
  return { s, outputs, of };
}

const text = (o: Shown) => String(o.bundle["text/plain"]);

const WORDCOUNT = [
  `const p = Pipeline.create({ name: "wc" });`,
  `class CountWords extends PTransform<PCollection<string>, PCollection<KV<string, number>>> {`,
  `  expand(lines: PCollection<string>) {`,
  `    return lines.apply("ExtractWords", FlatMapElements.via((l: string) => l.split(/\\W+/).filter(Boolean))).apply(Count.perElement());`,
  `  }`,
  `}`,
  `p.apply("ReadLines", TextIO.read().from("/data/*.txt")).apply("CountWords", new CountWords())`,
  `  .apply("Format", MapElements.via((kv: KV<string, number>) => kv.key + ": " + kv.value)).apply("WriteCounts", TextIO.write().to("/out/wc"));`,
].join("\n");

const JOIN = [
  `const q = Pipeline.create({ name: "orders-join" });`,
  `const rate = q.apply("Rate", Create.of(2)).apply("RateView", View.asSingleton<number>());`,
  `const orders = q.apply("Orders", Create.of(KV.of("amy", 10), KV.of("bob", 5)))`,
  `  .apply("Convert", ParDo.of((kv: KV<string, number>, c: ProcessContext<KV<string, number>, KV<string, number>>) => c.output(KV.of(kv.key, kv.value * c.sideInput(rate)))).withSideInputs(rate));`,
  `const names = q.apply("Customers", Create.of(KV.of("amy", "Amy"), KV.of("bob", "Bob")));`,
  `const ordersTag = new TupleTag<number>("orders"), namesTag = new TupleTag<string>("names");`,
  `KeyedPCollectionTuple.of(ordersTag, orders).and(namesTag, names).apply("Join", CoGroupByKey.create<string>())`,
  `  .apply("Describe", MapElements.via((kv: KV<string, CoGbkResult>) => kv.key + " " + kv.value.getAll(ordersTag).length)).apply("WriteTotals", TextIO.write().to("/out/totals"));`,
].join("\n");

describe("explain(p, { step: true })", () => {
  test("WordCount: every move updates the one display the stepper opened, and a move's value shows nothing", async () => {
    const { s, of } = recorded();
    ok(await s.execute(WORDCOUNT));
    ok(await s.execute(`const st = await explain(p, { step: true });`));
    const [opened] = of(2) as Shown[];
    expect(opened!.type).toBe("display");
    expect(text(opened!)).toMatch(/^Translation of 'wc' · step 1 of \d+\n● translate ReadLines/);
    expect(opened!.bundle["image/svg+xml"]).toMatch(/<svg/);
    const id = opened!.displayId;

    let r = await s.execute(`st.next()`);
    expect(ok(r)).toBeDefined();
    let mine = of(3);
    // One update, of that display, and no result shown beside it.
    expect(mine.map((o) => o.type)).toEqual(mine.some((o) => o.type === "result") ? ["update", "result"] : ["update"]);
    const result = mine.find((o) => o.type === "result") as Extract<CellOutput, { type: "result" }> | undefined;
    expect(result ? Object.keys(result.bundle) : []).toEqual([]);
    expect((mine[0] as Shown).displayId).toBe(id);
    expect(text(mine[0] as Shown)).toContain("▸ enter CountWords");

    ok(await s.execute(`st.next(); st.step`));
    expect(text(of(4)[0] as Shown)).toContain("◂ leave CountWords");
    expect(ok(await s.execute(`st.back().into().step.transform`))).toBe("CountWords/ExtractWords");
    const moves = of(5).filter((o) => o.type !== "result") as Shown[];
    expect(moves.every((o) => o.type === "update" && o.displayId === id)).toBe(true);
    expect(moves.length).toBe(2);

    ok(await s.execute(`st.runTo("Count.PerElement").into()`));
    expect(ok(await s.execute(`st.out().step`))).toMatchObject({ kind: "leave", transform: "CountWords/Count.PerElement", note: "out of CountWords/Count.PerElement" });
    ok(await s.execute(`st.break("GroupByKey"); st.break("WriteCounts")`));
    expect(text(of(8).pop() as Shown)).toContain("» breakpoint 'WriteCounts' (1 step; c runs to the next)");
    expect(ok(await s.execute(`st.continue().step.transform`))).toBe("WriteCounts");
    const why = of(9)[0] as Shown;
    ok(await s.execute(`st.why()`));
    expect(text(of(10)[0] as Shown)).toMatch(/^why$/m);
    expect(why.displayId).toBe(id);
    // The notebook's picture: the plan so far with the step's operator filled.
    expect(String((of(10)[0] as Shown).bundle["text/html"])).toMatch(/<svg[\s\S]*class="node operator sink highlighted"/);
    r = await s.execute(`st.runTo("Nope")`);
    ok(r);
    expect(text(of(11)[0] as Shown)).toContain("» no step translates a transform named or of kind 'Nope'");
  }, 120_000);

  test("a side input and a CoGroupByKey: into the join, out of it, back", async () => {
    const { s, of } = recorded();
    ok(await s.execute(JOIN));
    ok(await s.execute(`const st = await explain(q, { step: true })`));
    const id = (of(2)[0] as Shown).displayId;
    ok(await s.execute(`st.runTo("Convert")`));
    const convert = text(of(3)[0] as Shown);
    expect(convert).toMatch(/side input Rate\.out: varint/);
    expect(convert).toMatch(/ship: broadcast/);
    expect(ok(await s.execute(`st.runTo("Join").step`))).toMatchObject({ kind: "enter", transform: "Join" });
    const inside = ok(await s.execute(`st.into().step.transform`)) as string;
    expect(inside).toMatch(/^Join\//);
    expect(ok(await s.execute(`st.out().step.kind`))).toBe("leave");
    expect(text(of(6)[0] as Shown)).toMatch(/^\+ .*group_by_key/m);
    expect(ok(await s.execute(`st.back().step.transform`))).toBe(inside);
    for (const n of [3, 4, 5, 6, 7]) expect(of(n).filter((o) => o.type === "update").every((o) => (o as Shown).displayId === id)).toBe(true);
  }, 120_000);

  test("the REPL's trace: Session.translationTrace of a graph cells built", async () => {
    const s = session();
    ok(await s.execute(WORDCOUNT));
    const trace = s.translationTrace(s.pipelineGraphs()[0]!);
    expect(trace.format).toBe("flowbook.translationtrace/v1");
    expect(trace.events.map((e) => e.kind)).toContain("enter");
  }, 60_000);
});
