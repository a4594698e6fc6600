/**
 * The translation stepper's moves over a hand-made WordCount trace (trace_fixture.ts), the
 * plan so far it rebuilds, and the text it draws.
 */
import { describe, expect, it } from "vitest";
import { Stepper } from "../../../../src/display/plan/stepper/stepper.js";
import { planAfter, stepView } from "../../../../src/display/plan/stepper/step_view.js";
import { renderStepText, stepText } from "../../../../src/display/plan/stepper/step_text.js";
import { translationTraceOf } from "../../../../src/runners/flink/explain/index.js";
import { ordersJoin } from "../../../runners/flink/fixtures/trace_pipelines.js";
import { wordCountTrace } from "./trace_fixture.js";

const name = (st: Stepper) => {
  const e = st.current;
  return e.kind === "finish" ? "finish" : `${e.kind} ${e.transform.fullName}`;
};

describe("Stepper", () => {
  it("starts at the first step; next steps over a composite to its leave, into steps through its parts", () => {
    const st = new Stepper(wordCountTrace());
    expect(name(st)).toBe("translate ReadLines");
    st.next();
    expect(name(st)).toBe("enter CountWords");
    expect(st.next().note).toMatch(/stepped over CountWords/);
    expect(name(st)).toBe("leave CountWords");
    st.back();
    expect(name(st)).toBe("enter CountWords");
    st.into();
    expect(name(st)).toBe("translate CountWords/ExtractWords");
    expect(st.pathAt().map((t) => t.fullName)).toEqual(["CountWords"]);
    st.into();
    st.into();
    expect(name(st)).toBe("translate CountWords/Count.PerElement/Init");
    expect(st.pathAt().map((t) => t.fullName)).toEqual(["CountWords", "CountWords/Count.PerElement"]);
  });

  it("out goes to the leave of the innermost composite around the step, and says so at the top level", () => {
    const st = new Stepper(wordCountTrace());
    st.runTo("Init");
    expect(st.out().note).toBe("out of CountWords/Count.PerElement");
    expect(name(st)).toBe("leave CountWords/Count.PerElement");
    st.out();
    expect(name(st)).toBe("leave CountWords");
    const r = st.out();
    expect(r).toEqual({ moved: false, note: expect.stringMatching(/not inside a composite/) });
    expect(name(st)).toBe("leave CountWords");
  });

  it("into a composite translated whole says it has no parts to step into", () => {
    const st = new Stepper(wordCountTrace());
    st.runTo("Combine.perKey");
    expect(name(st)).toBe("translate CountWords/Count.PerElement/Combine.perKey");
    expect(st.into().note).toMatch(/translated whole \(whole\): no parts to step into/);
    expect(name(st)).toBe("leave CountWords/Count.PerElement");
  });

  it("back undoes moves in order, then goes one event back", () => {
    const st = new Stepper(wordCountTrace());
    st.runTo("Format");
    st.next();
    expect(name(st)).toBe("translate WriteCounts");
    st.back();
    expect(name(st)).toBe("translate Format");
    st.back();
    expect(name(st)).toBe("translate ReadLines");
    expect(st.back().note).toMatch(/the first step/);
  });

  it("continue stops at breakpoints on a name or a kind, then at the end", () => {
    const st = new Stepper(wordCountTrace());
    expect(st.break("GroupByKey").note).toMatch(/no step matches it/);
    expect(st.break("combine.perkey").note).toMatch(/breakpoint 'combine.perkey' \(1 step/);
    expect(st.break("ExtractWords").note).toMatch(/1 step/);
    expect(st.cont().note).toBe("breakpoint 'ExtractWords'");
    expect(name(st)).toBe("translate CountWords/ExtractWords");
    expect(st.cont().note).toBe("breakpoint 'combine.perkey'");
    expect(name(st)).toBe("translate CountWords/Count.PerElement/Combine.perKey");
    expect(st.cont().note).toMatch(/no breakpoint hit .*the end/);
    expect(name(st)).toBe("finish");
    expect(st.atEnd).toBe(true);
    expect(st.next()).toEqual({ moved: false, note: expect.stringMatching(/the end/) });
    st.unbreak("ExtractWords");
    expect(st.breakpoints).toEqual(["GroupByKey", "combine.perkey"]);
  });

  it("a breakpoint on a composite's name stops at its enter; continue stops where a transform is refused", () => {
    const trace = wordCountTrace();
    const write = trace.events[9]!;
    if (write.kind === "translate") write.decisions.push({ kind: "refuse", choice: "refused", reason: "no sink of that kind" });
    const st = new Stepper(trace);
    st.break("CountWords");
    st.cont();
    expect(name(st)).toBe("enter CountWords");
    st.unbreak();
    expect(st.cont().note).toMatch(/refuses a transform/);
    expect(name(st)).toBe("translate WriteCounts");
  });

  it("a breakpoint on a composite's kind (CoGroupByKey, a user's class) stops at its enter: the graph records composites' kinds", () => {
    const st = new Stepper(translationTraceOf(ordersJoin("/out/joined")));
    expect(st.break("CoGroupByKey").note).toMatch(/1 step/);
    st.cont();
    expect(st.current).toMatchObject({ kind: "enter", transform: { kindName: "CoGroupByKey" } });
  });

  it("runTo searches forward, then from the start, and suggests names when nothing matches", () => {
    const st = new Stepper(wordCountTrace());
    st.runTo("Format");
    expect(st.runTo("ExtractWords").note).toMatch(/from the start/);
    expect(name(st)).toBe("translate CountWords/ExtractWords");
    const r = st.runTo("Extract");
    expect(r.moved).toBe(false);
    expect(r.note).toMatch(/did you mean 'ExtractWords'/);
  });
});

describe("the step's view", () => {
  it("rebuilds the plan so far, marking what the step added and changed", () => {
    const st = new Stepper(wordCountTrace());
    st.runTo("Combine.perKey");
    const v = stepView(st);
    expect(v.plan.operators.map((o) => o.id)).toEqual(["op1", "op2", "op3"]);
    expect(v.added).toEqual(["op3"]);
    expect(v.changed).toEqual(["op2"]);
    expect(v.edges).toEqual([{ from: "op2", to: "op3" }]);
  });

  it("a leave shows everything its composite made", () => {
    const st = new Stepper(wordCountTrace());
    st.next();
    st.next();
    const v = stepView(st);
    expect(v.event.kind).toBe("leave");
    expect(v.added).toEqual(["op2", "op3"]);
    expect(v.changed).toEqual([]);
    expect(v.inner.map((d) => d.kind)).toEqual(["fuse", "fuse", "translate-whole", "lift", "combine-kind", "ship"]);
  });

  it("cuts a user-code stage to the transforms fused into it by then", () => {
    const trace = wordCountTrace();
    const early = planAfter(trace, 2);
    expect(early.stages.s1!.ops.map((o) => o.kind)).toEqual(["pardo"]);
    const done = planAfter(trace, 5);
    expect(done.stages.s1!.ops.map((o) => o.kind)).toEqual(["pardo", "pardo", "precombine"]);
  });
});

describe("the step as text", () => {
  it("shows the transform, its PCollections with coders and windowing, the decisions and the marked plan", () => {
    const st = new Stepper(wordCountTrace());
    st.runTo("Combine.perKey");
    const text = renderStepText(stepView(st), { width: 110 });
    expect(text).toContain("Translation of 'wordcount' · step 6 of 11");
    expect(text).toContain("● translate CountWords/Count.PerElement/Combine.perKey  (Combine.perKey, a composite translated whole)");
    expect(text).toMatch(/inside\s+CountWords › Count\.PerElement/);
    expect(text).toMatch(/in\s+CountWords\/Count\.PerElement\/Init\.out: KV<string, varint> · global · bounded/);
    expect(text).toMatch(/applied at\s+cell 1, line 6/);
    expect(text).toMatch(/translator\s+combine_per_key → Java flowbook\.bridge\.CombineTranslator/);
    expect(text).toMatch(/combine-kind: native count — Count's CombineFn/);
    expect(text).toMatch(/^\+ .*op3 combine · native count/m);
    expect(text).toMatch(/^~ .*op2 usercode · Node/m);
    expect(text).toMatch(/^ {2}op1 source:text/m);
  });

  it("why shows every reason in full, and on a leave the decisions made inside", () => {
    const st = new Stepper(wordCountTrace());
    st.runTo("ExtractWords");
    st.run({ move: "why" });
    let text = renderStepText(stepView(st), { width: 60 });
    expect(text).toMatch(/^why$/m);
    expect(text).toMatch(/fuse: new stage op2\n {6}its input comes from a source, which runs in Java: a\n {6}new user-code stage starts\n {6}\(operators op2\)/);
    expect(text).toMatch(/out\s+CountWords\/ExtractWords\.out: string · global ·…/);
    st.out();
    expect(stepView(st).why).toBe(false);
    st.run({ move: "why" });
    text = renderStepText(stepView(st), { width: 100 });
    expect(text).toMatch(/combine-kind: native count/);
    expect(text).toMatch(/lift: lifted\n\s+pre-combine in op2/);
  });

  it("a refused translation ends at the refusal, saying why", () => {
    const trace = wordCountTrace();
    trace.events = trace.events.slice(0, 10);
    const write = trace.events[9]!;
    if (write.kind === "translate") write.decisions = [{ kind: "refuse", choice: "refused", reason: "no sink of that kind" }];
    trace.error = { transform: "WriteCounts", message: "the Flink runner cannot write this sink" };
    const st = new Stepper(trace);
    expect(st.cont().note).toMatch(/refuses a transform/);
    const text = renderStepText(stepView(st));
    expect(text).toContain("✗ refused WriteCounts: the Flink runner cannot write this sink");
    expect(text).toMatch(/refuse: refused — no sink of that kind/);
    st.back();
    expect(renderStepText(stepView(st))).not.toContain("✗ refused");
  });

  it("paints new operators' lines with the given style, and tells which plan lines they are", () => {
    const st = new Stepper(wordCountTrace());
    st.runTo("Format");
    const t = stepText(stepView(st), { style: (k, s) => (k === "new" ? `<${s}>` : s) });
    const marked = t.plan.filter((l) => l.startsWith("+ "));
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.every((l) => /^\+ <.*>$/.test(l))).toBe(true);
    expect(t.plan[t.focus![0]]).toMatch(/op4/);
  });
});
