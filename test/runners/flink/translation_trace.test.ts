/**
 * The recorded translation (issue 15, point 1): the trace of WordCount and of a pipeline
 * with side inputs and a CoGroupByKey are golden files (test/runners/flink/golden/*.json;
 * `FLOWBOOK_UPDATE_GOLDEN=1 npx vitest run test/runners/flink/translation_trace.test.ts`
 * rewrites them), and specific decisions are checked with their reasons. The TS
 * translators and the bridge's Java translators list the same kinds, each naming its class.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Create, GroupByKey, KV, MapElements, Pipeline, TextIO } from "../../../src/index.js";
import { translationTraceOf } from "../../../src/runners/flink/explain/index.js";
import type { TraceDecision, TraceEvent, TranslationTrace } from "../../../src/runners/flink/translation_trace.js";
import { TRANSLATORS } from "../../../src/runners/flink/translators/registry.js";
import { appliedAtText } from "../../../src/runners/flink/translators/trace_recorder.js";
import { JAVA_CLASS_OF_KIND } from "../../../src/runners/flink/translators/translator.js";
import { translate } from "../../../src/runners/flink/translators/translate.js";
import { ordersJoin, sessionSums, wordCount } from "./fixtures/trace_pipelines.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");

/**
 * The trace with the checkout's path (in `appliedAt` and serialized functions' files) made
 * `<repo>`, side-input tags (the SDK numbers them per process) numbered by appearance, and
 * each worker stage's copy of the pipeline graph reduced to the ids it holds (the graph's own
 * form is not the translation's: the goldens should not move when it grows a field).
 */
function normalized(trace: TranslationTrace): TranslationTrace {
  const tags = new Map<string, string>();
  const stages = Object.fromEntries(
    Object.entries(trace.plan.stages).map(([id, st]) => [id, { ...st, graph: { transforms: Object.keys(st.graph.transforms), pcollections: Object.keys(st.graph.pcollections) } }]),
  );
  const text = JSON.stringify({ ...trace, plan: { ...trace.plan, stages } })
    .replaceAll(root, "<repo>")
    .replace(/"side\d+"/g, (m) => tags.get(m) ?? (tags.set(m, `"side${tags.size}"`), tags.get(m)!));
  return JSON.parse(text) as TranslationTrace;
}

function golden(name: string, trace: TranslationTrace): void {
  const file = join(here, "golden", `${name}.trace.json`);
  const actual = normalized(trace);
  if (process.env.FLOWBOOK_UPDATE_GOLDEN === "1" || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(actual, null, 2) + "\n");
    if (process.env.FLOWBOOK_UPDATE_GOLDEN !== "1") throw new Error(`wrote the missing golden ${relative(root, file)}: check it in and run again`);
  }
  expect(actual).toEqual(JSON.parse(readFileSync(file, "utf8")));
}

const translated = (trace: TranslationTrace, fullName: string) => {
  const e = trace.events.find((x) => x.kind === "translate" && x.transform.fullName === fullName);
  if (!e || e.kind !== "translate") throw new Error(`no translate event for ${fullName}; have ${trace.events.map((x) => (x.kind === "finish" ? x.what : `${x.kind} ${x.transform.fullName}`)).join("; ")}`);
  return e;
};
const decision = (e: { decisions: TraceDecision[] }, kind: string): TraceDecision => {
  const d = e.decisions.find((x) => x.kind === kind);
  if (!d) throw new Error(`no '${kind}' decision; have ${JSON.stringify(e.decisions.map((x) => `${x.kind}: ${x.choice}`))}`);
  return d;
};
const outline = (events: TraceEvent[]) =>
  events.map((e) => (e.kind === "finish" ? `finish` : `${"  ".repeat(e.depth)}${e.kind} ${e.transform.fullName}`));

describe("the translation trace", () => {
  it("WordCount: golden, and the walk enters CountWords and Count.PerElement, lifting the count", () => {
    const trace = translationTraceOf(wordCount("/data/*.txt", "/out/wordcounts"));
    golden("wordcount", trace);
    expect(trace.format).toBe("flowbook.translationtrace/v1");
    expect(outline(trace.events)).toEqual([
      "translate ReadLines",
      "enter CountWords",
      "  translate CountWords/ExtractWords",
      "  enter CountWords/Count.PerElement",
      "    translate CountWords/Count.PerElement/Init",
      "    translate CountWords/Count.PerElement/Combine.perKey",
      "  leave CountWords/Count.PerElement",
      "leave CountWords",
      "translate FormatAsText",
      "translate WriteCounts",
      "finish",
    ]);
    expect(trace.events.map((e) => e.step)).toEqual(trace.events.map((_, i) => i));
    const extract = translated(trace, "CountWords/ExtractWords");
    expect(extract.translator).toEqual({ name: "par_do", javaClass: "dev.flowbook.flink.translate.UserCodeTranslator" });
    expect(decision(extract, "fuse").choice).toBe("new stage op2");
    expect(decision(extract, "fuse").reason).toContain("op1 (source:text: ReadLines), a native Flink operator");
    expect(extract.effect.added.map((o) => o.kind)).toEqual(["usercode"]);
    expect(extract.effect.edges).toEqual([{ from: "op1", to: "op2", ship: "forward" }]);
    // Init joins ExtractWords' stage: the effect is a changed operator, not a new one.
    const init = translated(trace, "CountWords/Count.PerElement/Init");
    expect(decision(init, "fuse").choice).toBe("fused into op2");
    expect(init.effect.added).toEqual([]);
    expect(init.effect.changed.map((o) => o.name)).toEqual(["CountWords/ExtractWords + CountWords/Count.PerElement/Init"]);
    // Count: lifted, pre-counted in that worker, merged by Java's native sum over a hash shuffle.
    const count = translated(trace, "CountWords/Count.PerElement/Combine.perKey");
    expect(count.transform.composite).toBe(true);
    expect(decision(count, "lift").choice).toBe("lifted");
    expect(decision(count, "translate-whole").choice).toBe("whole");
    expect(decision(count, "combine-kind").choice).toBe("worker pre-count + native sum");
    expect(count.effect.added.map((o) => [o.kind, o.payload?.["fn"]])).toEqual([["combine", "sum"]]);
    expect(count.effect.edges).toEqual([{ from: "op2", to: "op3", ship: "hash" }]);
    // ExtractWordsFn's output has the general coder: the partial counts' keys cross the shuffle length-prefixed, and the trace says why.
    const wire = count.decisions.find((d) => d.kind === "wire-coder")!;
    expect(wire.coder).toEqual({ urn: "beam:coder:kv:v1", components: [{ urn: "beam:coder:length_prefix:v1", components: [{ urn: "flowbook:coder:general:v1" }] }, { urn: "beam:coder:varint:v1" }] });
    expect(wire.reason).toContain("the bridge cannot walk general");
    // CountWords has no translator of its own: by parts.
    const enter = trace.events.find((e) => e.kind === "enter" && e.transform.fullName === "CountWords")!;
    expect(enter.kind === "enter" && decision(enter, "translate-whole").choice).toBe("by parts");
    // The ParDo after the native combine starts a new stage (Flink chains it to the merge: see the job graph).
    const format = translated(trace, "FormatAsText");
    expect(decision(format, "fuse").reason).toMatch(/op3 \(combine: .*\), a native Flink operator/);
    const finish = trace.events.at(-1)!;
    expect(finish.kind === "finish" && decision(finish, "runtime-mode").choice).toBe("BATCH");
    // The trace's plan is the plan the runner submits.
    expect(trace.plan).toEqual(translate(wordCount("/data/*.txt", "/out/wordcounts").toJSON(), {}, {}).plan);
  });

  it("side inputs and a CoGroupByKey: golden; broadcast edges, the join by its parts, a ParDo after the grouping", () => {
    const trace = translationTraceOf(ordersJoin("/out/totals"));
    golden("orders_join", trace);
    const convert = translated(trace, "Convert");
    expect(convert.transform.sideInputs.map((s) => s.name)).toEqual(["Rate.out"]);
    const broadcast = convert.decisions.find((d) => d.kind === "ship" && d.choice === "broadcast")!;
    expect(broadcast.reason).toContain("side input of Convert");
    expect(convert.effect.edges.map((e) => e.ship).sort()).toEqual(["broadcast", "forward"]);
    const join = trace.events.find((e) => e.kind === "enter" && e.transform.fullName === "Join")!;
    expect(join.kind === "enter" && decision(join, "translate-whole").choice).toBe("by parts");
    const gbk = trace.events.find((e) => e.kind === "translate" && e.transform.kindName === "GroupByKey" && e.transform.fullName.startsWith("Join/"))!;
    expect(gbk.kind === "translate" && decision(gbk, "ship").choice).toBe("hash");
    // Describe reads the grouping's output: it cannot join a user-code stage before it (the grouping is Java).
    const describe_ = translated(trace, "Describe");
    expect(decision(describe_, "fuse").choice).toMatch(/^(new stage|fused into) op\d+$/);
    const gbkOp = gbk.kind === "translate" ? gbk.effect.added[0]!.id : "";
    const afterGbk = trace.events.find((e) => e.kind === "translate" && e.transform.fullName.startsWith("Join/") && e.step > gbk.step)!;
    expect(afterGbk.kind === "translate" && decision(afterGbk, "fuse").reason).toContain(`${gbkOp} (group_by_key`);
    expect(decision(describe_, "fuse").choice).toMatch(/^fused into/);
  });

  it("a Combine over session windows is not lifted, and says why", () => {
    const trace = translationTraceOf(sessionSums());
    const enter = trace.events.find((e) => e.kind === "enter" && e.decisions.some((d) => d.kind === "lift"))!;
    expect(enter.kind).toBe("enter");
    if (enter.kind !== "enter") return;
    expect(decision(enter, "lift").choice).toBe("not lifted");
    expect(decision(enter, "lift").reason).toMatch(/session/);
    expect(decision(enter, "translate-whole").choice).toBe("by parts");
    expect(enter.transform.inputs[0]!.windowing).toBe("sessions gap 5 s");
    const win = translated(trace, "Sessions");
    expect(decision(win, "window").choice).toBe("native window:assign");
  });

  it("a refused pipeline has a trace up to the refusal", () => {
    const p = Pipeline.create({ name: "refused" });
    p.apply("Read", TextIO.read().from("/in/*.txt")).apply("Upper", MapElements.via((s: string) => s.toUpperCase()));
    p.apply("ReadZz", TextIO.read().from("/in/old.zz"));
    const trace = translationTraceOf(p);
    expect(trace.error?.transform).toBe("ReadZz");
    expect(outline(trace.events)).toEqual(["translate Read", "translate Upper", "translate ReadZz"]);
    const last = trace.events.at(-1)!;
    expect(last.kind === "translate" && decision(last, "refuse").reason).toMatch(/decompressed differently/);
    expect(trace.plan.operators.map((o) => o.name)).toEqual(["Read", "Upper"]);
  });

  it("the trace is the same every time (no random ids), and events reach a listener as they happen", () => {
    const seen: string[] = [];
    const a = translationTraceOf(ordersJoin("/out/t"), {}, { onEvent: (e) => seen.push(e.kind) });
    const b = translationTraceOf(ordersJoin("/out/t"));
    expect(JSON.stringify(normalized(a))).toBe(JSON.stringify(normalized(b)));
    expect(seen).toEqual(a.events.map((e) => e.kind));
  });

  it("every TS translator names a Java class of the bridge, and both registries list the same kinds", () => {
    const javaDir = join(root, "flink/bridge/src/main/java");
    const fileOf = (cls: string) => join(javaDir, ...cls.split(".")) + ".java";
    for (const t of TRANSLATORS.values()) {
      expect(t.javaClass, t.name).toMatch(/^dev\.flowbook\.flink\.translate\.\w+Translator$/);
      expect(existsSync(fileOf(t.javaClass)), t.javaClass).toBe(true);
    }
    const jobBuilder = readFileSync(join(javaDir, "dev/flowbook/flink/translate/JobBuilder.java"), "utf8");
    const javaKinds = Object.fromEntries([...jobBuilder.matchAll(/TRANSLATORS\.put\("([^"]+)", new (\w+)\(\)\)/g)].map((m) => [m[1]!, `dev.flowbook.flink.translate.${m[2]!}`]));
    expect(javaKinds).toEqual(JAVA_CLASS_OF_KIND);
    // Every Java translator runs what some TS translator produces (collect: translate.ts's show/collect operators).
    const named = new Set([...TRANSLATORS.values()].map((t) => t.javaClass));
    for (const [kind, cls] of Object.entries(JAVA_CLASS_OF_KIND)) if (kind !== "collect" && kind !== "group_by_key") expect(named, cls).toContain(cls);
  });

  it("flowbook explain --trace FILE.ts prints the trace JSON without running the script's pipeline", async () => {
    const { stdout } = await promisify(execFile)(join(root, "node_modules/.bin/tsx"), [
      join(root, "src/cli/explain_command.ts"), "--trace", join(root, "test/runners/flink/fixtures/explain_wordcount.ts"), "--", "/nowhere/*.txt", "/nowhere/out/counts",
    ], { cwd: root, timeout: 60_000 });
    const trace = JSON.parse(stdout) as TranslationTrace;
    expect(trace.format).toBe("flowbook.translationtrace/v1");
    expect(trace.jobName).toBe("explained-wordcount");
    expect(trace.events.filter((e) => e.kind === "translate").map((e) => e.kind === "translate" && e.transform.fullName)).toEqual([
      "ReadLines", "ExtractWords", "Count.PerElement/Init", "Count.PerElement/Combine.perKey", "Format", "WriteCounts",
    ]);
    expect(trace.plan.operators.map((o) => o.kind)).toEqual(["source:text", "usercode", "combine", "usercode", "sink:text"]);
  }, 90_000);

  it("says where each transform was applied: a cell and its line, or a file and its line", async () => {
    expect(appliedAtText("flowbook:cell[3]:2:20")).toBe("cell 3, line 2");
    expect(appliedAtText("flowbook:examples/wordcount.ts:14:3")).toBe("examples/wordcount.ts:14");
    expect(appliedAtText("/work/x/src/main.ts:7:1")).toBe("/work/x/src/main.ts:7");
    const trace = translationTraceOf(ordersJoin("/out/t"));
    const convert = translated(trace, "Convert");
    expect(relative(root, convert.transform.appliedAt!)).toMatch(/^test\/runners\/flink\/fixtures\/trace_pipelines\.ts:\d+$/);
  });

  it("a grouping's trace names a key coder the bridge cannot walk as length-prefixed", () => {
    const p = Pipeline.create({ name: "objs" });
    p.apply("Objs", Create.of(1, 2))
      .apply("Key", MapElements.via((n: number) => KV.of({ n }, n)))
      .apply("Group", GroupByKey.create<{ n: number }, number>());
    const trace = translationTraceOf(p);
    const wire = decision(translated(trace, "Group"), "wire-coder");
    expect(wire.choice).toBe("kv<length_prefix(general), general>");
    expect(wire.reason).toContain("not a KvCoder");
  });
});
