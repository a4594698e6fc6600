/**
 * The notebook's drawing of a step, over the real translator's traces of WordCount and of
 * a pipeline with a side input and a CoGroupByKey: the plan so far laid out by Graphviz with
 * the step's operators filled and its edges drawn in the highlight colour.
 */
import { describe, expect, it } from "vitest";
import { CHANGED, HIGHLIGHT_FILL } from "../../../../src/display/plan/plan_dot.js";
import { StepperHost, STEP_MIME } from "../../../../src/display/plan/stepper/step_bundle.js";
import { translationTraceOf } from "../../../../src/runners/flink/explain/index.js";
import { ordersJoin, wordCount } from "../../../runners/flink/fixtures/trace_pipelines.js";

/** The SVG group Graphviz made for a node or an edge, by its id. */
function group(svg: string, id: string): string {
  const start = svg.indexOf(`<g id="${id}"`);
  if (start < 0) throw new Error(`no <g id="${id}"> in the SVG`);
  return svg.slice(start, svg.indexOf("</g>", start));
}
const fills = (g: string) => [...g.matchAll(/<polygon fill="(#[0-9a-f]+)"/g)].map((m) => m[1]);

describe("a step's bundle", () => {
  it("WordCount: fills the operators a step added, outlines the ones it changed, colours its edges", async () => {
    const host = new StepperHost();
    const { id, bundle, state } = await host.open(translationTraceOf(wordCount("/in/*.txt", "/out/counts")), { width: 100 });
    expect(state).toMatchObject({ position: 0, kind: "translate", transform: "ReadLines", kindName: "TextIO.Read" });
    expect(Object.keys(bundle)).toEqual(["text/plain", "text/html", "image/svg+xml", STEP_MIME]);
    expect(fills(group(bundle["image/svg+xml"] as string, "op_op1"))).toContain(HIGHLIGHT_FILL);

    const r = host.command(id, { move: "runTo", query: "Combine.perKey" }, { width: 100 });
    expect(r.state.transform).toBe("CountWords/Count.PerElement/Combine.perKey");
    const svg = r.bundle["image/svg+xml"] as string;
    expect(group(svg, "op_op3")).toContain('class="node operator shuffle highlighted"');
    expect(fills(group(svg, "op_op3"))).toContain(HIGHLIGHT_FILL);
    expect(group(svg, "op_op2")).toContain('class="node operator usercode changed"');
    expect(fills(group(svg, "op_op2"))).toContain(CHANGED.fill);
    expect(fills(group(svg, "op_op1"))).not.toContain(HIGHLIGHT_FILL);
    expect(group(svg, "in_op3_0")).toMatch(/class="edge ship hash highlighted"[\s\S]*stroke="#e8590c"/);
    expect(group(svg, "in_op2_0")).not.toContain("highlighted");
    // Operators not made yet are not drawn.
    expect(svg).not.toContain('id="op_op4"');
    // The step rides in the SVG's caption, and beside it in the HTML.
    expect(svg).toContain("Step 6 of 11");
    expect(r.bundle["text/html"]).toMatch(/<pre[^>]*><b>Translation of &#39;wordcount&#39;|<pre[^>]*><b>Translation of 'wordcount' · step 6 of 11<\/b>/);
    expect(r.bundle["text/html"]).toContain("<svg");
    expect(r.bundle["text/plain"]).toMatch(/combine-kind: worker pre-count \+ native sum/);
  });

  it("orders join: the side input's broadcast edge and the CoGroupByKey's parts", async () => {
    const host = new StepperHost();
    const { id } = await host.open(translationTraceOf(ordersJoin("/out/totals")), { width: 100 });
    let r = host.command(id, { move: "runTo", query: "Convert" }, { width: 100 });
    expect(r.state).toMatchObject({ kind: "translate", transform: "Convert", kindName: "ParDo" });
    const text = r.bundle["text/plain"] as string;
    expect(text).toMatch(/side input Rate\.out: varint · global · bounded/);
    expect(text).toMatch(/ship: broadcast — Rate\.out is a side input of Convert/);
    const svg = r.bundle["image/svg+xml"] as string;
    expect(svg).toMatch(/class="edge ship broadcast highlighted"/);

    r = host.command(id, { move: "runTo", query: "Join" }, { width: 100 });
    expect(r.state).toMatchObject({ kind: "enter", transform: "Join" });
    r = host.command(id, { move: "into" }, { width: 100 });
    const inside = r.state.transform!;
    expect(inside.startsWith("Join/")).toBe(true);
    r = host.command(id, { move: "out" }, { width: 100 });
    expect(r.state).toMatchObject({ kind: "leave", transform: "Join" });
    // The leave shows everything the CoGroupByKey became, GroupByKey included.
    expect(r.bundle["text/plain"]).toMatch(/^\+ .*group_by_key/m);
    expect(r.bundle[STEP_MIME]).toMatchObject({ added: expect.arrayContaining([expect.stringMatching(/^op\d+$/)]) });
    r = host.command(id, { move: "back" }, { width: 100 });
    expect(r.state.transform).toBe(inside);
  });

  it("a stepper the host no longer keeps says so", async () => {
    const host = new StepperHost(1);
    const a = await host.open(translationTraceOf(wordCount("/in", "/out")), {});
    await host.open(translationTraceOf(wordCount("/in", "/out")), {});
    expect(() => host.command(a.id, { move: "next" }, {})).toThrow(/this stepper is gone/);
  });
});
