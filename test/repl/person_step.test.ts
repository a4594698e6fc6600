// `.plan --step` as a person uses it: `flowbook repl` in a real terminal (tmux), a pipeline
// pasted, then the translation walked with the stepper's keys and the screen read back —
// WordCount, then a pipeline with a side input and a CoGroupByKey.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TmuxTerminal } from "./support/tmux.js";

const root = path.resolve(import.meta.dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repl-step-"));
let term: TmuxTerminal;

const lastLine = (s: string) => s.trimEnd().split("\n").pop() ?? "";
const atPrompt = (s: string) => lastLine(s).trim() === "›";
const stepping = (s: string) => lastLine(s).trim() === "step›";

/** Types a line at the stepper's prompt and waits for the screen to show `expected`. */
async function step(line: string, expected: RegExp): Promise<string> {
  term.type(line);
  await term.waitFor((s) => lastLine(s).includes(`step› ${line}`), 10_000, () => term.screen());
  term.press("Enter");
  return term.waitFor((s) => stepping(s) && expected.test(s), 20_000, () => term.screen());
}

async function paste(code: string): Promise<void> {
  term.paste(code);
  await term.waitFor((s) => /…/.test(s), 10_000, () => term.screen());
  term.press("Enter");
  await term.waitFor(atPrompt, 60_000, () => term.screen());
}

const WORDCOUNT = `const p = Pipeline.create({ name: "wc" })
class CountWords extends PTransform<PCollection<string>, PCollection<KV<string, number>>> {
  expand(lines: PCollection<string>) {
    return lines.apply("ExtractWords", FlatMapElements.via((l: string) => l.split(/\\W+/).filter(Boolean))).apply(Count.perElement())
  }
}
p.apply("ReadLines", TextIO.read().from("/data/*.txt")).apply("CountWords", new CountWords()).apply("Format", MapElements.via((kv: KV<string, number>) => kv.key + ": " + kv.value)).apply("WriteCounts", TextIO.write().to("/out/wc"))
`;

const JOIN = `const q = Pipeline.create({ name: "orders-join" })
const rate = q.apply("Rate", Create.of(2)).apply("RateView", View.asSingleton<number>())
const orders = q.apply("Orders", Create.of(KV.of("amy", 10), KV.of("bob", 5))).apply("Convert", ParDo.of((kv: KV<string, number>, c: ProcessContext<KV<string, number>, KV<string, number>>) => c.output(KV.of(kv.key, kv.value * c.sideInput(rate)))).withSideInputs(rate))
const names = q.apply("Customers", Create.of(KV.of("amy", "Amy"), KV.of("bob", "Bob")))
const ordersTag = new TupleTag<number>("orders"), namesTag = new TupleTag<string>("names")
KeyedPCollectionTuple.of(ordersTag, orders).and(namesTag, names).apply("Join", CoGroupByKey.create<string>()).apply("Describe", MapElements.via((kv: KV<string, CoGbkResult>) => kv.key + " " + kv.value.getAll(ordersTag).length)).apply("WriteTotals", TextIO.write().to("/out/totals"))
`;

describe("the translation stepper in a terminal", () => {
  beforeAll(async () => {
    term = new TmuxTerminal(`${process.execPath} --import tsx src/cli/main.ts repl --history ${path.join(dir, "history")}`, { cwd: root, cols: 110, rows: 42 });
    await term.waitFor(/flowbook REPL/, 60_000);
    await term.waitFor(atPrompt, 10_000, () => term.screen());
  }, 90_000);
  afterAll(() => term?.kill());
  // A test that failed half-way leaves the stepper (Ctrl-C) for the next.
  beforeEach(async () => {
    if (!atPrompt(term.screen())) term.press("C-c");
    await term.waitFor(atPrompt, 30_000, () => term.screen());
  }, 40_000);

  it("walks WordCount: n over a composite, b, s into it, o out, a breakpoint, c, why, q", async () => {
    await paste(WORDCOUNT);
    term.type(".plan --step");
    term.press("Enter");
    let s = await term.waitFor((x) => stepping(x) && /step 1 of 11/.test(x), 60_000, () => term.screen());
    expect(s).toContain("● translate ReadLines  (TextIO.Read)");
    expect(s).toMatch(/^\+ op1 source:text {2}ReadLines/m);
    expect(s).toContain("n next · s into · o out · c continue · b back");
    // The new operator's lines are drawn inverse.
    expect(term.styled()).toMatch(/\+ \x1b\[7m[^\n]*op1 source:text/);

    await step("n", /▸ enter CountWords/);
    s = await step("n", /◂ leave CountWords/);
    expect(s).toMatch(/it became\s+\+op2 \+op3/);
    expect(s).toMatch(/^\+ .*op3 combine/m);
    await step("b", /▸ enter CountWords/);
    s = await step("s", /● translate CountWords\/ExtractWords {2}\(ParDo\)/);
    expect(s).toMatch(/inside\s+CountWords/);
    expect(s).toMatch(/fuse: new stage op2/);
    s = await step("o", /◂ leave CountWords$/m);
    expect(s).toContain("» out of CountWords");
    await step("break Format", /» breakpoint 'Format' \(1 step/);
    s = await step("c", /● translate Format {2}\(ParDo\)/);
    expect(s).toContain("» breakpoint 'Format'");
    s = await step("why", /^why$/m);
    expect(s).toMatch(/fuse: new stage op4\n\s+\S/);
    s = await step("c", /■ finish/);
    term.type("q");
    term.press("Enter");
    s = await term.waitFor(atPrompt, 10_000, () => term.screen());
    expect(s).toMatch(/left the stepper at step 11 of 11/);
  }, 180_000);

  it("walks a side input and a CoGroupByKey: runto, a breakpoint on a kind, into and out of the join", async () => {
    await paste(JOIN);
    term.type(".plan --step");
    term.press("Enter");
    await term.waitFor((x) => stepping(x) && /Translation of 'orders-join' · step 1 of 14/.test(x), 60_000, () => term.screen());
    let s = await step("runto Convert", /● translate Convert {2}\(ParDo\)/);
    expect(s).toMatch(/side input Rate\.out: varint · global · bounded/);
    expect(s).toMatch(/ship: broadcast/);
    expect(s).toMatch(/^\+ .*broadcast ▸ op3/m);
    await step("break GroupByKey", /» breakpoint 'GroupByKey' \(1 step/);
    s = await step("c", /● translate Join\/GBK {2}\(GroupByKey\)/);
    expect(s).toMatch(/inside\s+Join/);
    expect(s).toMatch(/^\+ .*op7 group_by_key/m);
    s = await step("o", /◂ leave Join/);
    expect(s).toMatch(/it became\s+\+op5 \+op6 \+op7 \+op8 ~op3/);
    await step("b", /● translate Join\/GBK/);
    await step("runto Join", /▸ enter Join/);
    await step("s", /● translate Join\/MakeUnionTable0/);
    term.press("C-c");
    s = await term.waitFor(atPrompt, 10_000, () => term.screen());
    expect(s).toMatch(/left the stepper at step 6 of 14 \(translate Join\/MakeUnionTable0\)/);
  }, 180_000);
});
