/**
 * explain(p, { step: true }) in the kernel, driven by jupyter_client (the repository's venv):
 * the stepper's display comes as display_data with a display_id, and each move
 * (st.next(), st.into(), st.out(), st.back(), st.runTo(), st.break() + st.continue(),
 * st.why()) as update_display_data with that same id, its SVG highlighting the step's
 * operators — on WordCount and on a pipeline with a side input and a CoGroupByKey.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { HIGHLIGHT_FILL } from "../../src/display/plan/plan_dot.js";
import { installedKernel, python } from "./support/venv.js";

interface Sent {
  msg_type: string;
  display_id?: string;
  text?: string;
  svg?: string;
  html?: string;
}

/** Runs cells in a kernel started by jupyter_client; each cell's iopub outputs and its reply status. */
function runCells(cells: string[]): Array<{ status: string; outputs: Sent[] }> {
  const { env, prefix } = installedKernel();
  // The SVGs make the result large: a file, not the pipe (spawnSync keeps 1 MB of output).
  const resultFile = path.join(prefix, "result.json");
  const script = `
import json, sys
from jupyter_client.manager import start_new_kernel
cells = json.loads(${JSON.stringify(JSON.stringify(cells))})
km, kc = start_new_kernel(kernel_name="flowbook", startup_timeout=90)
out = []
try:
    for code in cells:
        sent = []
        def hook(m):
            t = m["msg_type"]
            if t in ("display_data", "update_display_data", "execute_result", "error", "stream"):
                c = m["content"]
                d = c.get("data", {})
                sent.append({"msg_type": t, "display_id": c.get("transient", {}).get("display_id"), "text": d.get("text/plain", c.get("text", c.get("evalue"))), "svg": d.get("image/svg+xml"), "html": d.get("text/html")})
        r = kc.execute_interactive(code, timeout=120, output_hook=hook)
        out.append({"status": r["content"]["status"], "outputs": sent})
finally:
    km.shutdown_kernel(now=True)
with open(${JSON.stringify(resultFile)}, "w") as f:
    json.dump(out, f)
print("RESULT written")
`;
  const r = python(["-c", script], { ...env, PYTHONUNBUFFERED: "1" }, 400_000);
  if (r.status !== 0 || !r.output.includes("RESULT written")) throw new Error(r.output);
  return JSON.parse(readFileSync(resultFile, "utf8"));
}

/** The SVG group of operator `op`. */
const node = (svg: string, op: string) => {
  const i = svg.indexOf(`<g id="op_${op}"`);
  return i < 0 ? "" : svg.slice(i, svg.indexOf("</g>", i));
};

const WORDCOUNT = `const p = Pipeline.create({ name: "wc" });
class CountWords extends PTransform<PCollection<string>, PCollection<KV<string, number>>> {
  expand(lines: PCollection<string>) {
    return lines.apply("ExtractWords", FlatMapElements.via((l: string) => l.split(/\\W+/).filter(Boolean))).apply(Count.perElement());
  }
}
p.apply("ReadLines", TextIO.read().from("/data/*.txt")).apply("CountWords", new CountWords())
  .apply("Format", MapElements.via((kv: KV<string, number>) => kv.key + ": " + kv.value)).apply("WriteCounts", TextIO.write().to("/out/wc"));`;

const JOIN = `const q = Pipeline.create({ name: "orders-join" });
const rate = q.apply("Rate", Create.of(2)).apply("RateView", View.asSingleton<number>());
const orders = q.apply("Orders", Create.of(KV.of("amy", 10), KV.of("bob", 5)))
  .apply("Convert", ParDo.of((kv: KV<string, number>, c: ProcessContext<KV<string, number>, KV<string, number>>) => c.output(KV.of(kv.key, kv.value * c.sideInput(rate)))).withSideInputs(rate));
const names = q.apply("Customers", Create.of(KV.of("amy", "Amy"), KV.of("bob", "Bob")));
const ordersTag = new TupleTag<number>("orders"), namesTag = new TupleTag<string>("names");
KeyedPCollectionTuple.of(ordersTag, orders).and(namesTag, names).apply("Join", CoGroupByKey.create<string>())
  .apply("Describe", MapElements.via((kv: KV<string, CoGbkResult>) => kv.key + " " + kv.value.getAll(ordersTag).length)).apply("WriteTotals", TextIO.write().to("/out/totals"));`;

test("a stepper's moves update its one display in place (update_display_data), with the step's operators highlighted", () => {
  const cells = [
    WORDCOUNT,
    "const st = await explain(p, { step: true })",
    "st.next()",
    "st.next()",
    "st.back().into()",
    `st.runTo("Init")`,
    "st.out()",
    `st.break("Format"); st.continue()`,
    "st.why()",
    JOIN,
    "const sj = await explain(q, { step: true })",
    `sj.runTo("Convert")`,
    `sj.break("GroupByKey"); sj.continue()`,
    "sj.out().step.transform",
  ];
  const results = runCells(cells);
  expect(results.map((r) => r.status)).toEqual(cells.map(() => "ok"));
  const [, opened, next1, next2, into, init, out, cont, why, , openedJ, convert, gbk, outJ] = results.map((r) => r.outputs);

  // WordCount: one display_data, then each move one update_display_data of the same id.
  expect(opened!.map((m) => m.msg_type)).toEqual(["display_data"]);
  const id = opened![0]!.display_id!;
  expect(id).toMatch(/^flowbook-/);
  expect(opened![0]!.text).toMatch(/^Translation of 'wc' · step 1 of 11\n● translate ReadLines/);
  expect(node(opened![0]!.svg!, "op1")).toContain(`fill="${HIGHLIGHT_FILL}"`);
  for (const moved of [next1, next2, init, out, why]) {
    expect(moved!.map((m) => [m.msg_type, m.display_id])).toEqual([["update_display_data", id]]);
  }
  // Two moves in a cell (st.back().into()): two updates of the same display.
  expect(into!.map((m) => [m.msg_type, m.display_id])).toEqual([["update_display_data", id], ["update_display_data", id]]);
  expect(next1![0]!.text).toContain("▸ enter CountWords");
  expect(next2![0]!.text).toContain("◂ leave CountWords");
  expect(into![0]!.text).toContain("▸ enter CountWords");
  expect(into![1]!.text).toContain("● translate CountWords/ExtractWords  (ParDo)");
  expect(node(into![1]!.svg!, "op2")).toContain(`fill="${HIGHLIGHT_FILL}"`);
  expect(node(into![1]!.svg!, "op1")).not.toContain(`fill="${HIGHLIGHT_FILL}"`);
  expect(init![0]!.text).toContain("● translate CountWords/Count.PerElement/Init");
  expect(init![0]!.text).toMatch(/^~ .*op2 usercode/m);
  expect(out![0]!.text).toContain("◂ leave CountWords/Count.PerElement");
  // break + continue: the breakpoint's note, then the stop.
  expect(cont!.every((m) => m.msg_type === "update_display_data" && m.display_id === id)).toBe(true);
  expect(cont!.at(-1)!.text).toContain("● translate Format  (ParDo)");
  expect(cont!.at(-1)!.text).toContain("» breakpoint 'Format'");
  expect(node(cont!.at(-1)!.svg!, "op4")).toContain(`fill="${HIGHLIGHT_FILL}"`);
  expect(why![0]!.text).toMatch(/^why$/m);
  expect(why![0]!.html).toMatch(/<pre[\s\S]*why[\s\S]*<svg/);

  // The side input and the CoGroupByKey: another stepper, another display.
  const idJ = openedJ![0]!.display_id!;
  expect(idJ).not.toBe(id);
  expect(convert![0]!.display_id).toBe(idJ);
  expect(convert![0]!.text).toMatch(/side input Rate\.out: varint/);
  expect(convert![0]!.svg).toMatch(/class="edge ship broadcast highlighted"/);
  expect(gbk!.at(-1)!.text).toContain("● translate Join/GBK  (GroupByKey)");
  expect(node(gbk!.at(-1)!.svg!, "op7")).toContain(`fill="${HIGHLIGHT_FILL}"`);
  expect(outJ!.map((m) => m.msg_type)).toEqual(["update_display_data", "execute_result"]);
  expect(outJ![0]!.text).toMatch(/◂ leave Join {2}\(CoGroupByKey\)\n/);
  expect(outJ![1]!.text).toBe("'Join'");
}, 400_000);
