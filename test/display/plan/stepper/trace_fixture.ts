/**
 * A hand-made TranslationTrace of WordCount, small enough to read: ReadLines, CountWords
 * (ExtractWords, then Count.PerElement: Init fused into ExtractWords' stage and a lifted
 * Combine.perKey translated whole), Format, WriteCounts, and the finish.
 */
import type { FlinkOperator, FlinkPlan } from "../../../../src/runners/flink/flink_plan.js";
import type { TraceDecision, TraceEvent, TracePCollection, TraceTransform, TranslationTrace } from "../../../../src/runners/flink/translation_trace.js";

const str = { urn: "beam:coder:string_utf8:v1" };
const kv = { urn: "beam:coder:kv:v1", components: [str, { urn: "beam:coder:varint:v1" }] };
const pc = (id: string, name: string, coder: object = str): TracePCollection => ({ id, name, coder: coder as TracePCollection["coder"], windowing: "global", bounded: true });

const lines = pc("pc1", "ReadLines.out");
const words = pc("pc2", "CountWords/ExtractWords.out");
const ones = pc("pc3", "CountWords/Count.PerElement/Init.out", kv);
const counts = pc("pc4", "CountWords/Count.PerElement/Combine.perKey.out", kv);
const formatted = pc("pc5", "Format.out");

function t(id: string, fullName: string, kindName: string, inputs: TracePCollection[], outputs: TracePCollection[], composite = false, urn = `urn:${kindName}`): TraceTransform {
  return { id, fullName, urn, kindName, inputs, outputs, sideInputs: [], composite, appliedAt: `cell 1, line ${Number(id.slice(1))}` };
}

const T = {
  read: t("t1", "ReadLines", "TextIO.Read", [], [lines]),
  countWords: t("t2", "CountWords", "CountWords", [lines], [counts], true, ""),
  extract: t("t3", "CountWords/ExtractWords", "ParDo", [lines], [words], false, "beam:transform:pardo:v1"),
  perElement: t("t4", "CountWords/Count.PerElement", "Count.perElement", [words], [counts], true),
  init: t("t5", "CountWords/Count.PerElement/Init", "ParDo", [words], [ones], false, "beam:transform:pardo:v1"),
  combine: t("t6", "CountWords/Count.PerElement/Combine.perKey", "Combine.perKey", [ones], [counts], true, "beam:transform:combine_per_key:v1"),
  format: t("t7", "Format", "ParDo", [counts], [formatted], false, "beam:transform:pardo:v1"),
  write: t("t8", "WriteCounts", "TextIO.Write", [formatted], []),
};

const op = (id: string, kind: FlinkOperator["kind"], transforms: string[], inputs: FlinkOperator["inputs"], payload: Record<string, unknown> = {}): FlinkOperator => ({ id, name: transforms.join(" → "), kind, transforms, inputs, outputs: ["main"], payload });

const op1 = op("op1", "source:text", ["ReadLines"], [], { filePatterns: ["data/*.txt"] });
const op2a = op("op2", "usercode", ["CountWords/ExtractWords"], [{ from: "op1", ship: "forward" }], { stage: "s1" });
const op2b = { ...op2a, transforms: ["CountWords/ExtractWords", "CountWords/Count.PerElement/Init"], name: "CountWords/ExtractWords → CountWords/Count.PerElement/Init" };
const op2c = { ...op2b, transforms: [...op2b.transforms, "CountWords/Count.PerElement/Combine.perKey"], name: `${op2b.name} → pre-combine` };
const op3 = op("op3", "combine", ["CountWords/Count.PerElement/Combine.perKey"], [{ from: "op2", ship: "hash" }], { mode: "native", fn: "count", keyCoder: str });
const op4 = op("op4", "usercode", ["Format"], [{ from: "op3", ship: "forward" }], { stage: "s2" });
const op5 = op("op5", "sink:text", ["WriteCounts"], [{ from: "op4", ship: "forward" }], { prefix: "out/counts" });

const d = (kind: string, choice: string, reason: string, extra: Partial<TraceDecision> = {}): TraceDecision => ({ kind, choice, reason, ...extra });
const none = { added: [], changed: [], edges: [] };

export const events: TraceEvent[] = [
  { kind: "translate", step: 0, depth: 0, transform: T.read, translator: { name: "text_read", javaClass: "flowbook.bridge.TextSourceTranslator" }, decisions: [d("wire-coder", "string", "the lines travel as UTF-8 strings", { pcollection: "pc1", coder: str })], effect: { added: [op1], changed: [], edges: [] } },
  { kind: "enter", step: 1, depth: 0, transform: T.countWords, decisions: [d("translate-whole", "by its parts", "no translator takes CountWords whole")] },
  { kind: "translate", step: 2, depth: 1, transform: T.extract, translator: { name: "par_do", javaClass: "flowbook.bridge.UserCodeOperator" }, decisions: [d("fuse", "new stage op2", "its input comes from a source, which runs in Java: a new user-code stage starts", { operators: ["op2"] })], effect: { added: [op2a], changed: [], edges: [{ from: "op1", to: "op2", ship: "forward" }] } },
  { kind: "enter", step: 3, depth: 1, transform: T.perElement, decisions: [] },
  { kind: "translate", step: 4, depth: 2, transform: T.init, translator: { name: "par_do", javaClass: "flowbook.bridge.UserCodeOperator" }, decisions: [d("fuse", "fused into op2", "it reads the open stage's output and nothing else consumes it", { operators: ["op2"] })], effect: { added: [], changed: [op2b], edges: [] } },
  {
    kind: "translate", step: 5, depth: 2, transform: T.combine, translator: { name: "combine_per_key", javaClass: "flowbook.bridge.CombineTranslator" },
    decisions: [
      d("translate-whole", "whole", "Combine.perKey with a non-merging window fn is lifted"),
      d("lift", "lifted", "pre-combine in op2 before the shuffle, merge after it", { operators: ["op2", "op3"] }),
      d("combine-kind", "native count", "Count's CombineFn is known to the bridge: no Node round trip", { operators: ["op3"] }),
      d("ship", "hash", "grouping by key: records go to the subtask of their encoded key", { pcollection: "pc3" }),
    ],
    effect: { added: [op3], changed: [op2c], edges: [{ from: "op2", to: "op3", ship: "hash" }] },
  },
  { kind: "leave", step: 6, depth: 1, transform: T.perElement },
  { kind: "leave", step: 7, depth: 0, transform: T.countWords },
  { kind: "translate", step: 8, depth: 0, transform: T.format, translator: { name: "par_do", javaClass: "flowbook.bridge.UserCodeOperator" }, decisions: [d("fuse", "new stage op4", "its input comes from a shuffle (op3)", { operators: ["op4"] })], effect: { added: [op4], changed: [], edges: [{ from: "op3", to: "op4", ship: "forward" }] } },
  { kind: "translate", step: 9, depth: 0, transform: T.write, translator: { name: "text_write", javaClass: "flowbook.bridge.TextSinkTranslator" }, decisions: [], effect: { added: [op5], changed: [], edges: [{ from: "op4", to: "op5", ship: "forward" }] } },
  { kind: "finish", step: 10, depth: 0, what: "the plan: stages closed", decisions: [], effect: none },
];

const stageGraph = (ids: Array<[string, string]>) => ({ transforms: Object.fromEntries(ids.map(([id, fullName]) => [id, { id, fullName }])) });

export const plan: FlinkPlan = {
  format: "flowbook.flinkplan/v1",
  jobName: "wordcount",
  parallelism: 2,
  runtimeMode: "BATCH",
  stages: {
    s1: {
      format: "flowbook.stage/v1",
      transforms: op2c.transforms,
      input: "pc1",
      ops: [
        { kind: "pardo", transform: "t3", input: "pc1", outputs: { main: "pc2" } },
        { kind: "pardo", transform: "t5", input: "pc2", outputs: { main: "pc3" } },
        { kind: "precombine", transform: "t6", input: "pc3", output: "pc3a" },
      ],
      outputs: ["pc3a"],
      sideInputs: [],
      graph: stageGraph([["t3", T.extract.fullName], ["t5", T.init.fullName], ["t6", T.combine.fullName]]),
      wireCoders: {},
    },
    s2: { format: "flowbook.stage/v1", transforms: ["Format"], input: "pc4", ops: [{ kind: "pardo", transform: "t7", input: "pc4", outputs: { main: "pc5" } }], outputs: ["pc5"], sideInputs: [], graph: stageGraph([["t7", "Format"]]), wireCoders: {} },
  } as unknown as FlinkPlan["stages"],
  operators: [op1, op2c, op3, op4, op5],
};

export function wordCountTrace(): TranslationTrace {
  return structuredClone({ format: "flowbook.translationtrace/v1", jobName: "wordcount", events, plan });
}
