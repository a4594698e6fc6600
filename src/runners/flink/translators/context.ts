/**
 * The translation context: what translators read their inputs from and write their
 * outputs to. It maps each PCollection to the Flink operator output its records come
 * from, builds the plan's operator list, and keeps the user-code stages that are still
 * open for fusion (a ParDo whose input is produced inside an open stage joins it, so a
 * chain of ParDos is one Node round trip, not one per ParDo).
 */
import { randomUUID } from "node:crypto";
import { WindowFnUrns, type PCollectionNode, type PipelineGraph, type TransformNode, type WindowingStrategySpec } from "../../../graph/types.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import type { FlinkOperator, FlinkPlan, FlinkWindowFn, FlinkWindowing, OperatorInput, OperatorKind, ShipStrategy } from "../flink_plan.js";
import { STAGE_FORMAT, type StageOp, type WorkerStage } from "../worker/stage.js";
import type { TraceDecision, TranslationTrace } from "../translation_trace.js";
import { coderName, type TraceRecorder } from "./trace_recorder.js";
import { sameCoder, WireCoders } from "./wire_coders.js";

/** A transform the Flink runner cannot translate faithfully: names it and what is missing. */
export class FlinkTranslationError extends Error {
  constructor(readonly transform: string, readonly urn: string, readonly missing: string) {
    super(`the Flink runner cannot translate '${transform}' (${urn || "no kind"}): ${missing}`);
    this.name = "FlinkTranslationError";
  }

  /** The translation up to the refusal, when it was being recorded (translationTraceOf). */
  trace?: TranslationTrace;
}

/** Where a PCollection's records come from: an operator and one of its output tags. */
export interface OutputRef {
  op: string;
  output: string;
}

/** A `usercode` operator under construction, with its worker stage. */
export class StageBuilder {
  /** PCollections produced inside the stage (its input included). */
  readonly members = new Set<string>();
  /** Extra PCollections the stage graph needs (synthetic ones of lifted combines and recodes). */
  readonly synthetic = new Map<string, PCollectionNode>();
  readonly stage: WorkerStage;

  constructor(readonly op: FlinkOperator, readonly stageId: string, input: string) {
    this.members.add(input);
    this.stage = {
      format: STAGE_FORMAT,
      transforms: [],
      input,
      ops: [],
      outputs: [],
      sideInputs: [],
      graph: undefined as never, // filled in by finishStages()
      wireCoders: {},
    };
  }

  /** The output tag the stage sends a PCollection on (made an output on first use). */
  exportOutput(pc: string): string {
    const i = this.stage.outputs.indexOf(pc);
    if (i >= 0) return this.op.outputs[i]!;
    this.stage.outputs.push(pc);
    const tag = this.stage.outputs.length === 1 ? "main" : pc;
    if (this.stage.outputs.length === 1) this.op.outputs = ["main"];
    else this.op.outputs.push(tag);
    return tag;
  }
}

export class TranslationContext {
  readonly wire: WireCoders;
  readonly operators: FlinkOperator[] = [];
  readonly stages = new Map<string, StageBuilder>();
  private readonly refs = new Map<string, OutputRef>();
  /** PCollection id → the open stage producing it. */
  private readonly stageOf = new Map<string, StageBuilder>();
  private readonly stageByOp = new Map<string, StageBuilder>();
  /** The transform being translated (for error messages). */
  current?: TransformNode;

  /** Names this run's temporary files (sinks the workers write). Never in a trace: it is random. */
  readonly runId = randomUUID();

  /** Set while the translation is recorded (translate.ts, `trace: true`). */
  trace?: TraceRecorder;

  /** True when some PCollection is unbounded: the job runs in STREAMING mode (else BATCH). */
  readonly streaming: boolean;

  constructor(readonly graph: PipelineGraph, readonly options: PipelineOptions, readonly parallelism: number) {
    this.wire = new WireCoders(graph);
    this.streaming = Object.values(graph.pcollections).some((pc) => !pc.isBounded);
  }

  // --- the trace --------------------------------------------------------------------------------

  /** Records a decision and its reason for the translation trace (nothing when not recording). */
  decide(d: TraceDecision): void {
    this.trace?.decide(d);
  }

  /** A PCollection a translator made (a combine's accumulators, a recoded input), if `id` is one. */
  synthetic(id: string): PCollectionNode | undefined {
    for (const s of this.stages.values()) {
      const n = s.synthetic.get(id);
      if (n) return n;
    }
    return undefined;
  }

  /** A PCollection's name, the graph's or a synthetic one's. */
  pcName(id: string): string {
    return this.graph.pcollections[id]?.name ?? this.synthetic(id)?.name ?? id;
  }

  /** How an operator is called in reasons: `op3 (usercode: CountWords/ExtractWords)`. */
  describeOp(id: string): string {
    const op = this.operators.find((o) => o.id === id);
    if (!op) return id;
    return `${id} (${op.kind}${op.transforms.length ? `: ${op.transforms.join(" + ")}` : ""})`;
  }

  // --- errors ---------------------------------------------------------------------------------

  refuse(t: TransformNode, missing: string): never {
    throw new FlinkTranslationError(t.fullName, t.urn, missing);
  }

  // --- graph lookups --------------------------------------------------------------------------

  transform(id: string): TransformNode {
    const t = this.graph.transforms[id];
    if (!t) throw new Error(`graph names transform '${id}' but does not define it`);
    return t;
  }

  pcollection(id: string): PCollectionNode {
    const pc = this.graph.pcollections[id];
    if (!pc) throw new Error(`graph names PCollection '${id}' but does not define it`);
    return pc;
  }

  strategy(pc: string): WindowingStrategySpec {
    return this.graph.windowingStrategies[this.pcollection(pc).windowingStrategy]!;
  }

  mainInput(t: TransformNode): string {
    const pc = t.inputs["main"] ?? Object.values(t.inputs)[0];
    if (pc === undefined) this.refuse(t, "it has no input");
    return pc;
  }

  output(t: TransformNode, tag = "main"): string {
    const pc = t.outputs[tag] ?? Object.values(t.outputs)[0];
    if (pc === undefined) this.refuse(t, "it has no output");
    return pc;
  }

  /** The windowing of a PCollection as the bridge reads it; refuses what it cannot express. */
  windowing(pc: string, t: TransformNode): FlinkWindowing {
    const ws = this.strategy(pc);
    const windowing: FlinkWindowing = { windowFn: this.windowFn(ws.windowFn.urn, ws.windowFn.payload, t) };
    if (ws.timestampCombiner !== "END_OF_WINDOW") windowing.timestampCombiner = ws.timestampCombiner;
    // The triggering only when it is not the default, so plans (and their goldens) of default windowing stay as they were.
    if (ws.trigger.kind !== "default" || ws.allowedLatenessMillis > 0 || ws.accumulationMode !== "DISCARDING") {
      windowing.trigger = ws.trigger;
      windowing.allowedLatenessMs = ws.allowedLatenessMillis;
      windowing.accumulationMode = ws.accumulationMode;
    }
    // Beam's behaviours are the bridge's defaults: sent only when the strategy says otherwise.
    if (ws.closingBehavior !== undefined && ws.closingBehavior !== "FIRE_IF_NON_EMPTY") windowing.closingBehavior = ws.closingBehavior;
    if (ws.onTimeBehavior !== undefined && ws.onTimeBehavior !== "FIRE_ALWAYS") windowing.onTimeBehavior = ws.onTimeBehavior;
    return windowing;
  }

  windowFn(urn: string, payload: unknown, t: TransformNode): FlinkWindowFn {
    const p = (payload ?? {}) as Record<string, number>;
    switch (urn) {
      case WindowFnUrns.GLOBAL:
        return { type: "global" };
      case WindowFnUrns.FIXED:
        return { type: "fixed", sizeMs: p.sizeMillis!, offsetMs: p.offsetMillis ?? 0 };
      case WindowFnUrns.SLIDING:
        return { type: "sliding", sizeMs: p.sizeMillis!, periodMs: p.periodMillis!, offsetMs: p.offsetMillis ?? 0 };
      case WindowFnUrns.SESSIONS:
        return { type: "sessions", gapMs: p.gapMillis! };
      default:
        this.refuse(t, `the bridge knows global, fixed, sliding and session windows, not the WindowFn ${urn}`);
    }
  }

  // --- operators ------------------------------------------------------------------------------

  addOperator(op: Omit<FlinkOperator, "id">): FlinkOperator {
    const full: FlinkOperator = { id: `op${this.operators.length + 1}`, ...op };
    this.operators.push(full);
    return full;
  }

  /** Records that a PCollection's records come from an operator's output. */
  setOutput(pc: string, ref: OutputRef): void {
    this.refs.set(pc, ref);
  }

  /** Where a PCollection's records come from (exporting it from its stage if needed). */
  ref(pc: string, consumer: TransformNode): OutputRef {
    const s = this.stageOf.get(pc);
    if (s) return { op: s.op.id, output: s.exportOutput(pc) };
    const r = this.refs.get(pc);
    if (!r) this.refuse(consumer, `it reads ${this.pcollection(pc).name}, which nothing translated before it produces`);
    return r;
  }

  /** An operator input reading a PCollection. */
  input(pc: string, ship: ShipStrategy, consumer: TransformNode): OperatorInput {
    const r = this.ref(pc, consumer);
    const input: OperatorInput = { from: r.op, ship };
    if (r.output !== "main") input.output = r.output;
    if (this.trace) this.recordEdge(pc, ship, consumer, r);
    return input;
  }

  /** The ship strategy and the wire coder of an edge, with their reasons. */
  private recordEdge(pc: string, ship: ShipStrategy, consumer: TransformNode, r: OutputRef): void {
    const name = this.pcName(pc);
    const from = this.describeOp(r.op);
    const shipReason: Record<ShipStrategy, string> = {
      hash: `${consumer.fullName} groups by key: Flink partitions ${name} by a hash of the encoded key, so records with equal key bytes meet in one subtask`,
      forward: `${consumer.fullName} reads ${name} element by element: one-to-one from ${from}, no network when the parallelisms match (Flink may chain the two into one task; it rebalances where they differ)`,
      broadcast: `${name} is a side input of ${consumer.fullName}: every subtask's worker needs all of it before its first main element`,
      rebalance: `${consumer.fullName} runs at another parallelism than ${from}: records are spread round-robin`,
    };
    this.decide({ kind: "ship", choice: ship, reason: shipReason[ship], operators: [r.op], pcollection: pc });
    const synthetic = this.synthetic(pc);
    const graphCoder = synthetic?.coder ?? this.graph.pcollections[pc]?.coder;
    const wire = synthetic?.coder ?? this.wire.of(pc);
    let reason: string;
    const check = this.wire.checks.get(pc);
    const key = wire.urn === "beam:coder:kv:v1" ? wire.components?.[0] : undefined;
    const prefixed = key?.urn === "beam:coder:length_prefix:v1" ? key.components?.[0] : undefined;
    const keyNote = prefixed
      ? `; keys travel length-prefixed because the bridge cannot walk ${coderName(prefixed)} to find where a key ends (a key coder Java knows, e.g. StringUtf8Coder set with setCoder, saves the prefix and lets Java compare keys without Node's encoding)`
      : "";
    if (synthetic) {
      reason = `${name} exists only in the plan (made by ${consumer.fullName}'s translation): ${coderName(wire)}${keyNote}`;
    } else if (check?.kind === "kv") {
      reason = `${name}'s coder ${coderName(graphCoder)} is not a KvCoder and ${check.transform} groups by key: the producing worker checks each element is a KV and encodes it as the local runner groups it, ${coderName(wire)}`;
    } else if (check?.kind === "string") {
      reason = `${check.transform} writes strings and ${name}'s coder ${coderName(graphCoder)} is general: the producing worker checks each element is a string and encodes it with string_utf8`;
    } else if (graphCoder && !sameCoder(graphCoder, wire)) {
      reason = `${name}'s key coder is not one the bridge can walk to find where a key ends: keys travel length-prefixed (${coderName(wire)} instead of ${coderName(graphCoder)}), as Beam's portable runners do; values decode the same`;
    } else if (ship === "hash") {
      reason = `${name}'s own coder: the bridge walks its key (${coderName(this.wire.kv(pc)?.key)}) to find where it ends, and never decodes the value`;
    } else {
      reason = `${name}'s own coder, in Beam's FullWindowedValueCoder records (timestamp, windows, pane, value)`;
    }
    this.decide({ kind: "wire-coder", choice: coderName(wire), reason, pcollection: pc, coder: wire, operators: [r.op] });
  }

  /** The operator that produces a PCollection, without exporting it. */
  producerOp(pc: string): string | undefined {
    return this.stageOf.get(pc)?.op.id ?? this.refs.get(pc)?.op;
  }

  operator(id: string): FlinkOperator {
    const op = this.operators.find((o) => o.id === id);
    if (!op) throw new Error(`no operator ${id}`);
    return op;
  }

  /** True if operator `a` reads (transitively) from operator `b`, or is `b`. */
  dependsOn(a: string, b: string): boolean {
    const seen = new Set<string>();
    const stack = [a];
    while (stack.length) {
      const id = stack.pop()!;
      if (id === b) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const i of this.operator(id).inputs) stack.push(i.from);
    }
    return false;
  }

  parallelismOf(opId: string): number {
    return this.operator(opId).parallelism ?? this.parallelism;
  }

  // --- user-code stages -----------------------------------------------------------------------

  /**
   * The open stage a transform can join: the one producing its main input, unless one of
   * its side inputs is computed from that stage's own output (joining would be a cycle).
   */
  fusableStage(t: TransformNode, mainInput: string): StageBuilder | undefined {
    return this.fusion(t, mainInput).stage;
  }

  /** The open stage a transform can join (see fusableStage), and why it can or cannot. */
  fusion(t: TransformNode, mainInput: string): { stage?: StageBuilder; reason: string } {
    const name = this.pcName(mainInput);
    const s = this.stageOf.get(mainInput);
    if (!s) {
      const p = this.producerOp(mainInput);
      return { reason: `its input ${name} comes from ${p ? this.describeOp(p) : "no operator yet"}, a native Flink operator, not from an open user-code stage` };
    }
    for (const si of Object.values(t.sideInputs ?? {})) {
      const p = this.producerOp(si.pcollection);
      if (p !== undefined && this.dependsOn(p, s.op.id)) {
        return { reason: `its side input ${this.pcName(si.pcollection)} is computed from the output of ${this.describeOp(s.op.id)}, which produces its main input: joining that stage would be a cycle` };
      }
    }
    return { stage: s, reason: `its input ${name} is produced inside the open user-code stage ${this.describeOp(s.op.id)}: one operator and one Node round trip for both` };
  }

  /** A new usercode operator whose stage reads a PCollection (forward, at its producer's parallelism, unless told otherwise). */
  newStage(input: string, consumer: TransformNode, ship: ShipStrategy = "forward", parallelism?: number): StageBuilder {
    const main = this.input(input, ship, consumer);
    const stageId = `s${this.stages.size + 1}`;
    const op = this.addOperator({
      name: "",
      kind: "usercode",
      transforms: [],
      parallelism: parallelism ?? (ship === "forward" ? this.parallelismOf(main.from) : this.parallelism),
      inputs: [main],
      outputs: ["main"],
      payload: { stage: stageId },
    });
    const s = new StageBuilder(op, stageId, input);
    this.stages.set(stageId, s);
    this.stageByOp.set(op.id, s);
    return s;
  }

  /** The open stage a transform joins, or a new one reading its main input. */
  stageFor(t: TransformNode, mainInput: string): StageBuilder {
    const f = this.fusion(t, mainInput);
    if (f.stage) {
      this.decide({ kind: "fuse", choice: `fused into ${f.stage.op.id}`, reason: f.reason, operators: [f.stage.op.id] });
      return f.stage;
    }
    const s = this.newStage(mainInput, t);
    this.decide({ kind: "fuse", choice: `new stage ${s.op.id}`, reason: `${f.reason}: a new usercode operator (${s.stageId}) reads it`, operators: [s.op.id] });
    return s;
  }

  /** Adds an op to a stage: its transform, side inputs and outputs become the stage's. */
  fuse(s: StageBuilder, t: TransformNode | undefined, op: StageOp, outputs: string[]): void {
    s.stage.ops.push(op);
    if (t) {
      if (!s.op.transforms.includes(t.fullName)) s.op.transforms.push(t.fullName);
      s.op.name = operatorName(s.op.transforms);
      for (const si of Object.values(t.sideInputs ?? {})) this.addSideInput(s, si.pcollection, t);
    }
    for (const pc of outputs) {
      s.members.add(pc);
      this.stageOf.set(pc, s);
    }
  }

  private addSideInput(s: StageBuilder, pc: string, t: TransformNode): void {
    if (s.stage.sideInputs.includes(pc)) return;
    const input = this.input(pc, "broadcast", t);
    s.stage.sideInputs.push(pc);
    s.op.inputs.push(input);
    const payload = s.op.payload as { sideInputs?: Array<{ tag: string }> };
    (payload.sideInputs ??= []).push({ tag: pc });
  }

  /** Builds each stage's graph (its transforms and PCollections with their wire coders). */
  finishStages(): Record<string, WorkerStage> {
    const out: Record<string, WorkerStage> = {};
    for (const [id, s] of this.stages) {
      const transforms = new Set<string>();
      const pcs = new Set<string>([s.stage.input, ...s.stage.outputs, ...s.stage.sideInputs]);
      for (const op of s.stage.ops) {
        transforms.add(op.transform);
        pcs.add(op.input);
        if (op.kind === "pardo") for (const pc of Object.values(op.outputs)) pcs.add(pc);
        else pcs.add(op.output);
      }
      for (const tid of transforms) {
        const t = this.transform(tid);
        for (const si of Object.values(t.sideInputs ?? {})) pcs.add(si.pcollection);
      }
      const graph: PipelineGraph = {
        format: this.graph.format,
        name: this.graph.name,
        options: this.graph.options,
        rootTransforms: [],
        transforms: {},
        pcollections: {},
        windowingStrategies: {},
      };
      for (const tid of transforms) graph.transforms[tid] = this.transform(tid);
      for (const pcId of pcs) {
        const node = s.synthetic.get(pcId) ?? this.pcollection(pcId);
        graph.pcollections[pcId] = node;
        graph.windowingStrategies[node.windowingStrategy] = this.graph.windowingStrategies[node.windowingStrategy]!;
      }
      const wireCoders: Record<string, CoderSpec> = {};
      for (const pcId of [s.stage.input, ...s.stage.outputs, ...s.stage.sideInputs]) {
        wireCoders[pcId] = s.synthetic.get(pcId)?.coder ?? this.wire.of(pcId);
      }
      const checks: NonNullable<WorkerStage["outputChecks"]> = {};
      for (const pc of s.stage.outputs) {
        const c = this.wire.checks.get(pc);
        if (c) checks[pc] = c;
      }
      s.stage.transforms = [...s.op.transforms];
      s.stage.graph = graph;
      s.stage.wireCoders = wireCoders;
      if (Object.keys(checks).length) s.stage.outputChecks = checks;
      s.op.name = operatorName(s.op.transforms);
      out[id] = s.stage;
    }
    return out;
  }

  /** A synthetic PCollection inside a stage (not in the user's graph). */
  addSynthetic(s: StageBuilder, id: string, like: string, coder: CoderSpec, name: string): void {
    s.synthetic.set(id, { ...this.pcollection(like), id, name, coder });
  }

  /** The plan, once every transform is translated. */
  plan(jobName: string, runtimeMode: FlinkPlan["runtimeMode"]): FlinkPlan {
    const stages = this.finishStages();
    return {
      format: "flowbook.flinkplan/v1",
      jobName,
      parallelism: this.parallelism,
      runtimeMode,
      stages,
      operators: topologicalOrder(this.operators),
    };
  }
}

/** An operator's name from its transforms' full names (long fusions are shortened). */
export function operatorName(transforms: string[]): string {
  if (transforms.length <= 4) return transforms.join(" + ");
  return `${transforms.slice(0, 3).join(" + ")} + … + ${transforms[transforms.length - 1]} (${transforms.length} transforms)`;
}

/** Stable topological order: stages that grew side inputs later move after their producers. */
function topologicalOrder(ops: FlinkOperator[]): FlinkOperator[] {
  const byId = new Map(ops.map((o) => [o.id, o]));
  const done = new Set<string>();
  const out: FlinkOperator[] = [];
  const visit = (o: FlinkOperator, path: Set<string>) => {
    if (done.has(o.id)) return;
    if (path.has(o.id)) throw new Error(`the Flink plan has a cycle through ${o.id} (${o.name})`);
    path.add(o.id);
    for (const i of o.inputs) visit(byId.get(i.from)!, path);
    path.delete(o.id);
    done.add(o.id);
    out.push(o);
  };
  for (const o of ops) visit(o, new Set());
  return out;
}

export type { OperatorKind };
