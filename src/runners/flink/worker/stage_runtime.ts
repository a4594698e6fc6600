/**
 * Runs one worker stage inside the Node worker: builds the stage's operators from its JSON
 * with the local runner's own operator classes (ParDoOp, WindowIntoOp, CombineValuesOp,
 * PrecombineWrite, EncodabilityCheck, SideInputs — one model, two runners), decodes main
 * input records into them and encodes what leaves the stage into output batches.
 *
 * No I/O here: outputs go to a callback as finished element-list bodies, so the protocol
 * loop (main.ts) and the tests drive it alike.
 */
import { ByteReader, ByteWriter } from "../../../sdk/coders/byte_io.js";
import { registerCoder, type Coder } from "../../../sdk/coders/coder.js";
import { LengthPrefixCoder } from "../../../sdk/coders/length_prefix_coder.js";
import type { WindowedValueCoder } from "../../../sdk/coders/windowed_value_coder.js";
import type { MetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import type { CombinePayload } from "../../../sdk/transforms/combine.js";
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import type { DoFn } from "../../../sdk/transforms/do_fn.js";
import { InstantCoder } from "../../../sdk/coders/instant_coder.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { PrecombineWrite } from "../../harness/operators/precombine_write.js";
import { PairWithOneIntoPrecombine } from "../../harness/operators/pair_with_one_into_precombine.js";
import type { Operator, Receiver } from "../../harness/operators/receiver.js";
import type { ShuffleWriter } from "../../harness/shuffle/writer.js";
import { newOpTime, StageTiming, type OpTime } from "../../harness/op_timing.js";
import { SideInputs } from "../../harness/side_inputs.js";
import { GraphContext, TaskMetrics } from "../../harness/task_context.js";
import { accumulatorCoder, kvCoders } from "../../harness/coders.js";
import { StageWiring, buildElementWise, loadUserFn, type ElementWiseOp } from "../../harness/stage_builder.js";
import { StructuredCloneCoder } from "../../shared/structured_clone_coder.js";
import { UserCodeError, shortElement } from "../../shared/user_code_error.js";
import { CombineValuesOp } from "../../harness/operators/combine_values_op.js";
import { ConsoleFormatOp } from "./console_format_op.js";
import type { ElementCount, MetricUpdate } from "./protocol.js";
import { STAGE_FORMAT, type StageOp, type WorkerStage } from "./stage.js";

registerCoder("flowbook:coder:structured_clone:v1", () => new StructuredCloneCoder());

/** Pane byte of PaneInfo.NO_FIRING (what pre-combined accumulators carry). */
const NO_FIRING_BYTE = 0x0f;

/** Receives finished OUTPUT bodies' element lists: (output index, elements as varint-length-prefixed records). */
export type OutputSink = (outputIndex: number, elementList: Uint8Array) => void;

/** One output of the stage: records gathered into element lists of about `batchBytes`. */
class OutputBuffer {
  readonly list = new ByteWriter(64 * 1024);
  readonly scratch = new ByteWriter(1024);
  count = 0;
  constructor(readonly index: number, private readonly batchBytes: number, private readonly sink: OutputSink) {}

  /** Appends the record in `scratch` (then resets it). */
  endRecord(): void {
    const rec = this.scratch.view_();
    this.list.varUint(rec.length);
    this.list.bytes(rec);
    this.scratch.reset();
    this.count++;
    if (this.list.length >= this.batchBytes) this.flush();
  }

  flush(): void {
    if (this.list.length === 0) return;
    this.sink(this.index, this.list.toBytes());
    this.list.reset();
  }
}

/** Encodes elements leaving the stage on one output, after the checks its consumer needs. */
/** The largest element a stage may emit to Flink by default (the `flinkMaxElementBytes` option). */
export const DEFAULT_MAX_ELEMENT_BYTES = 32 << 20;

class OutputEmitter implements Receiver {
  constructor(
    private readonly out: OutputBuffer,
    private readonly coder: WindowedValueCoder<unknown>,
    private readonly pcollection: string,
    private readonly check: { kind: "kv" | "string"; transform: string } | undefined,
    /** Past this, an element is refused naming the transform, the limit and the option (the TaskManager died with a bare OutOfMemoryError). */
    private readonly maxBytes: number = DEFAULT_MAX_ELEMENT_BYTES,
    /** The transform whose code runs now (who emitted the element). */
    private readonly producer: () => string | undefined = () => undefined,
  ) {}
  process(wv: WindowedValue<unknown>): void {
    const c = this.check;
    if (c) {
      const v = wv.value;
      if (c.kind === "kv" && (v === null || typeof v !== "object" || !("key" in (v as object)))) {
        throw UserCodeError.from(c.transform, v, true, new TypeError("GroupByKey needs KV elements ({ key, value }); use WithKeys or map to KV.of(key, value) first"));
      }
      if (c.kind === "string" && typeof v !== "string") {
        throw UserCodeError.from(c.transform, v, true, new TypeError(`${c.transform} writes strings, got ${typeof v === "object" ? `an object (${(v as object)?.constructor?.name ?? "null"})` : `a ${typeof v}`} (format elements first, e.g. with MapElements.via(x => ...))`));
      }
    }
    try {
      this.coder.encode(wv, this.out.scratch);
    } catch (e) {
      this.out.scratch.reset();
      throw new Error(`cannot encode an element of ${this.pcollection} (${shortElement(wv.value)}) with ${this.coder}: ${(e as Error).message}`);
    }
    const size = this.out.scratch.length;
    if (size > this.maxBytes) {
      this.out.scratch.reset();
      const mib = (n: number) => `${(n / (1 << 20)).toFixed(n % (1 << 20) ? 1 : 0)} MiB`;
      throw UserCodeError.from(
        this.producer() ?? this.pcollection,
        wv.value,
        true,
        new RangeError(
          `an element of ${mib(size)} (encoded) for ${this.pcollection} is larger than the Flink runner's element limit of ${mib(this.maxBytes)}. ` +
            `Raise it with the pipeline option flinkMaxElementBytes (bytes); the TaskManager's task heap must hold such an element several times over ` +
            `(\`flowbook flink start --task-heap-mb N\`). The local runner has no such limit.`,
        ),
      );
    }
    this.out.endRecord();
  }
}

/**
 * What PrecombineWrite writes its accumulators into: instead of the local runner's
 * shuffle, records `KV<key, accumulator>` (NO_FIRING pane) on a stage output.
 */
class AccumulatorRecords {
  constructor(private readonly out: OutputBuffer) {}
  write(encodeKey: (w: ByteWriter) => void, window: Uint8Array, timestamp: number, encodePayload: (w: ByteWriter) => void): void {
    const w = this.out.scratch;
    InstantCoder.of().encode(timestamp, w);
    w.int32BE(1);
    w.bytes(window);
    w.byte(NO_FIRING_BYTE);
    encodeKey(w);
    encodePayload(w);
    this.out.endRecord();
  }
}

/** Pass-through (a `recode`: the output's emitter encodes with its own coder). */
class Recode implements Operator {
  constructor(private readonly out: Receiver) {}
  start(): void {}
  finish(): void {}
  process(wv: WindowedValue<unknown>): void {
    this.out.process(wv);
  }
}

/**
 * A length-prefixed key coder whose structural value is the inner coder's: equal inner
 * encodings are equal length-prefixed encodings, and the inner coder often has a cheap one
 * (a string is its own), which matters for the pre-combine's per-element key lookup.
 */
function structuralByInner(c: Coder<unknown>): Coder<unknown> {
  if (!(c instanceof LengthPrefixCoder)) return c;
  const inner = c.valueCoder as Coder<unknown>;
  return Object.assign(Object.create(c) as LengthPrefixCoder<unknown>, { structuralValue: (v: unknown) => inner.structuralValue(v) });
}

export interface StageRuntimeOptions {
  /** Flush an output's element list at this many bytes (the plan's worker.batchBytes). */
  batchBytes?: number;
  /** Told which transform's code runs (its full name) while it runs: whom console output is attributed to. */
  attribution?: { transform: string | undefined };
}

/**
 * Makes an operator mark its transform as the running one around each call into it (and
 * count what it receives), then clock its own time (harness/op_timing.ts). Patched on the
 * instance rather than wrapped, so the stage builder still recognizes the operator's class (a
 * ParDo fused into a lifted combine checks `instanceof PrecombineWrite`).
 */
function attribute(op: Operator, transform: string, holder: { transform: string | undefined }, seen: { n: number } & OpTime, timing: StageTiming): Operator {
  const around = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    const prev = holder.transform;
    holder.transform = transform;
    try {
      return f.apply(op, a);
    } finally {
      holder.transform = prev;
    }
  };
  const process = around(op.process);
  op.process = (wv) => {
    seen.n++;
    process(wv);
  };
  op.start = around(op.start);
  op.finish = around(op.finish);
  return timing.time(op, seen);
}

export class StageRuntime {
  /** The stage's graph with the PCollections' own coders: what the operators and checks use. */
  private readonly g: GraphContext;
  /** The same graph with the wire coders of the stage's edges: what records are decoded and encoded with. */
  private readonly wire: GraphContext;
  private readonly metrics = new TaskMetrics();
  private readonly sideInputs: SideInputs;
  private readonly sideChunks: Uint8Array[][];
  private readonly outputs: OutputBuffer[];
  private readonly setUp: DoFn<unknown, unknown>[] = [];
  private ops: Operator[] = [];
  private head!: Receiver;
  private inputCoder!: WindowedValueCoder<unknown>;

  private readonly attribution: { transform: string | undefined } | undefined;
  /** Per op (with attribution): its transform, the PCollections it reads and writes, the elements it received and its time. */
  private readonly counted: Array<{ transform: string; input: string; outputs: string[]; seen: { n: number } & OpTime; report: "both" | "in" | "none" }> = [];
  /** Element counts per transform already reported (takeElementCounts sends deltas). */
  private readonly reportedCounts = new Map<string, { in: number; out?: number; ms?: number }>();
  private readonly timing = new StageTiming();

  private constructor(readonly stage: WorkerStage, sink: OutputSink, options: StageRuntimeOptions) {
    this.attribution = options.attribution;
    if (stage.format !== STAGE_FORMAT) throw new Error(`not a flowbook worker stage (format ${JSON.stringify(stage.format)})`);
    const pipelineOptions = (stage.graph.options ?? {}) as PipelineOptions;
    this.g = new GraphContext(stage.graph, pipelineOptions);
    const wireGraph = { ...stage.graph, pcollections: { ...stage.graph.pcollections } };
    for (const [pc, coder] of Object.entries(stage.wireCoders ?? {})) {
      const node = wireGraph.pcollections[pc];
      if (node) wireGraph.pcollections[pc] = { ...node, coder };
    }
    this.wire = new GraphContext(wireGraph, pipelineOptions);
    // Side-input records arrive wire-encoded; the views are built from them as they are.
    this.sideInputs = new SideInputs(this.wire);
    this.sideChunks = stage.sideInputs.map(() => []);
    const batch = options.batchBytes ?? 64 * 1024;
    this.outputs = stage.outputs.map((_, i) => new OutputBuffer(i, batch, sink));
  }

  /** Rebuilds the stage's functions, calls DoFn.setup, and wires the operators. */
  static async create(stage: WorkerStage, sink: OutputSink, options: StageRuntimeOptions = {}): Promise<StageRuntime> {
    const rt = new StageRuntime(stage, sink, options);
    await rt.build();
    return rt;
  }

  private userFn<T>(transformId: string, serialized: unknown, setup: boolean): Promise<T> {
    // DoFn.setup prints as its transform (its synchronous part: the usual case).
    const a = this.attribution;
    const prev = a?.transform;
    if (a) a.transform = this.g.transform(transformId).fullName;
    try {
      return loadUserFn<T>(this.g, transformId, serialized, setup, this.metrics).then((fn) => {
        if (setup) this.setUp.push(fn as DoFn<unknown, unknown>);
        return fn;
      });
    } finally {
      if (a) a.transform = prev;
    }
  }

  private async build(): Promise<void> {
    const { g, stage } = this;
    // No per-element checks unless the options ask for them: Flink is where pipelines run for
    // real, at full speed (issue 13, point 5); the local runner checks by default.
    const w = new StageWiring(g, "", false);
    const rawOutputs = new Set<string>(stage.ops.filter((o) => o.kind === "precombine").map((o) => o.output));
    const opt = Number((g.options as { flinkMaxElementBytes?: unknown }).flinkMaxElementBytes);
    const maxElementBytes = Number.isInteger(opt) && opt > 0 ? opt : DEFAULT_MAX_ELEMENT_BYTES;
    stage.outputs.forEach((pc, i) => {
      if (!rawOutputs.has(pc)) {
        w.consume(pc, new OutputEmitter(this.outputs[i]!, this.wire.windowedValueCoder(pc), g.pcollectionName(pc), stage.outputChecks?.[pc], maxElementBytes, () => this.attribution?.transform));
      }
    });
    const specs = stage.ops.flatMap((op) => Object.values(g.transform(op.transform).sideInputs ?? {}));
    await this.sideInputs.prepare(specs);

    const env = { sideInputs: this.sideInputs, metrics: this.metrics, userFn: <T>(id: string, fn: unknown, setup: boolean) => this.userFn<T>(id, fn, setup) };
    const ops: Operator[] = [];
    for (let i = stage.ops.length - 1; i >= 0; i--) {
      const op = stage.ops[i]!;
      const built = op.kind === "pardo" || op.kind === "window_into" || op.kind === "combine_values" ? await buildElementWise(op, w, env) : await this.buildOp(op, w);
      if (this.attribution) {
        const seen = { n: 0, ...newOpTime() };
        const outputs = op.kind === "pardo" ? Object.values(op.outputs) : [op.output];
        // Count.perElement's Init fused into its lifted combine feeds the combine directly, one
        // pair per element: the combine received what Init did.
        if (built instanceof PairWithOneIntoPrecombine) for (const c of this.counted) if (outputs.includes(c.input)) c.seen = seen;
        // A lifted combine: its input is what the pre-combine received; its output (merged after
        // the shuffle) and the merge's input (accumulators) are left to Flink's operators.
        const report = op.kind === "precombine" ? "in" : op.kind === "combine_merge" ? "none" : "both";
        this.counted.push({ transform: g.transform(op.transform).fullName, input: op.input, outputs, seen, report });
        attribute(built, g.transform(op.transform).fullName, this.attribution, seen, this.timing);
      }
      ops.unshift(built);
      w.consume(op.input, built);
    }
    this.ops = ops;
    this.head = w.receiverOf(stage.input);
    this.inputCoder = this.wire.windowedValueCoder(stage.input);
  }

  /** The Flink-side ops: the two halves of a lifted combine, recodes and console formatting. */
  private async buildOp(op: Exclude<StageOp, ElementWiseOp>, w: StageWiring): Promise<Operator> {
    const { g } = this;
    const t = g.transform(op.transform);
    const metrics: MetricsContainer = this.metrics.for(t.fullName);
    switch (op.kind) {
      case "precombine": {
        const payload = t.payload as CombinePayload;
        const fn = await this.userFn<CombineFn<unknown, unknown, unknown>>(t.id, payload.combineFn, false);
        const index = this.stage.outputs.indexOf(op.output);
        if (index < 0) throw new Error(`stage ${JSON.stringify(this.stage.transforms)}: the accumulators of '${t.fullName}' are not a stage output`);
        const records = new AccumulatorRecords(this.outputs[index]!) as unknown as ShuffleWriter;
        // The accumulators leave the stage: their keys are encoded with the wire coder of the accumulator records.
        const key = structuralByInner(kvCoders(this.wire.coder(op.output)).key);
        return new PrecombineWrite(t.fullName, fn, key, g.windowCoder(op.input), accumulatorCoder(payload), g.strategy(op.input).timestampCombiner, records, metrics);
      }
      case "combine_merge": {
        const fn = await this.userFn<CombineFn<unknown, unknown, unknown>>(t.id, (t.payload as CombinePayload).combineFn, false);
        return new CombineValuesOp(t.fullName, fn, w.checked(op.output, t.fullName), metrics, "accumulators");
      }
      case "recode":
        return new Recode(w.receiverOf(op.output));
      case "console_format":
        return new ConsoleFormatOp(op.limit, w.receiverOf(op.output));
      default:
        throw new Error(`unknown stage op ${JSON.stringify((op as { kind: string }).kind)}`);
    }
  }

  /** Side-input records (each a whole encoded record) for side input `index`. */
  addSideInput(index: number, records: Uint8Array[]): void {
    const chunks = this.sideChunks[index];
    if (!chunks) throw new Error(`side input ${index} is not one of the stage's ${this.sideChunks.length}`);
    if (records.length) chunks.push(Buffer.concat(records));
  }

  /** All side inputs arrived: the views can be built. */
  sideInputsDone(): void {
    this.stage.sideInputs.forEach((pc, i) => this.sideInputs.add(pc, this.sideChunks[i]!));
    this.sideChunks.forEach((c) => (c.length = 0));
  }

  async startBundle(): Promise<void> {
    for (const op of this.ops) await op.start();
  }

  /** One main-input record (bytes [start, end) of buf). */
  process(buf: Uint8Array, start: number, end: number): void {
    const r = new ByteReader(buf, start, end);
    this.processHead(this.head, this.inputCoder.decode(r));
  }

  /** One main-input element through the fused ops, timed when it is a sampled one. */
  private processHead(head: Receiver, wv: WindowedValue<unknown>): void {
    if (!this.attribution) return head.process(wv);
    this.timing.process(head, wv);
  }

  /** Every main-input record of an element list (a DATA body from `pos`), with one reader. */
  processList(body: Uint8Array, pos = 0): void {
    const r = new ByteReader(body, pos);
    const coder = this.inputCoder;
    const head = this.head;
    while (!r.atEnd()) {
      const n = r.varUint("a record's length");
      const end = r.pos + n;
      const wv = coder.decode(r);
      if (r.pos !== end) throw new Error(`a main-input record of ${n} bytes decoded to ${r.pos - (end - n)} bytes with ${coder}`);
      this.processHead(head, wv);
    }
  }

  /** finishBundle of every operator, upstream first, then every output flushed. */
  async finishBundle(): Promise<void> {
    // What a bundle's finish sets off downstream (a pre-combine's flush) is timed in full.
    for (const op of this.ops) await this.timing.during(() => op.finish());
    this.flush();
  }

  flush(): void {
    for (const o of this.outputs) o.flush();
  }

  /**
   * Elements in and out per transform since the last call (deltas; needs `attribution`): what
   * each op received, and as its output what the consumers of its PCollections received or
   * the stage sent on (every consumer of a PCollection gets each of its elements once).
   */
  takeElementCounts(): ElementCount[] {
    const ofPc = new Map<string, number>();
    for (const c of this.counted) ofPc.set(c.input, Math.max(ofPc.get(c.input) ?? 0, c.seen.n));
    this.stage.outputs.forEach((pc, i) => ofPc.set(pc, Math.max(ofPc.get(pc) ?? 0, this.outputs[i]!.count)));
    const totals = new Map<string, { in: number; out?: number; ms?: number }>();
    for (const c of this.counted) {
      // A lifted combine's merge half ("none") is left to Flink's operators, its time too (its vertex's busy time).
      if (c.report === "none") continue;
      const t = totals.get(c.transform) ?? { in: 0 };
      // The timed elements stand for all of them (their time scaled), finishes counted in full.
      const ms = this.timing.msOf(c.seen);
      if (ms > 0) t.ms = (t.ms ?? 0) + ms;
      t.in += c.seen.n;
      if (c.report === "both") t.out = (t.out ?? 0) + c.outputs.reduce((sum, pc) => sum + (ofPc.get(pc) ?? 0), 0);
      totals.set(c.transform, t);
    }
    const deltas: ElementCount[] = [];
    for (const [transform, t] of totals) {
      const before = this.reportedCounts.get(transform) ?? { in: 0 };
      // Whole milliseconds, so a delta is never a fraction the accumulator (a long) would drop.
      const ms = t.ms !== undefined ? Math.max(Math.round(t.ms), before.ms ?? 0) : undefined;
      if (t.in === before.in && t.out === before.out && ms === before.ms) continue;
      const d: ElementCount = { transform, in: t.in - before.in };
      if (t.out !== undefined) d.out = t.out - (before.out ?? 0);
      if (ms !== undefined && ms !== (before.ms ?? 0)) d.ms = ms - (before.ms ?? 0);
      deltas.push(d);
      this.reportedCounts.set(transform, { ...t, ...(ms !== undefined ? { ms } : {}) });
    }
    return deltas;
  }

  /** Metric updates since the last call (deltas), in the protocol's form. */
  takeMetrics(): MetricUpdate[] {
    const out: MetricUpdate[] = [];
    const split = (k: string) => {
      const i = k.indexOf("\u0000");
      return { namespace: k.slice(0, i), name: k.slice(i + 1) };
    };
    for (const c of this.metrics.containers.values()) {
      for (const [k, v] of c.counters) if (v !== 0) out.push({ kind: "counter", step: c.step, ...split(k), value: Math.round(v) });
      for (const [k, d] of c.distributions) {
        out.push({ kind: "distribution", step: c.step, ...split(k), sum: Math.round(d.sum), count: d.count, min: Math.round(d.min), max: Math.round(d.max) });
      }
      for (const [k, gv] of c.gauges) out.push({ kind: "gauge", step: c.step, ...split(k), value: Math.round(gv.value), timestamp: gv.timestamp });
      c.counters.clear();
      c.distributions.clear();
      c.gauges.clear();
    }
    return out;
  }

  /** After a failure: lets operators drop what they would leave (a sink writer's temporary file). */
  async abort(): Promise<void> {
    for (const op of this.ops) await op.abort?.().catch(() => {});
  }

  /** DoFn.teardown of every DoFn set up (best effort, as in Beam). */
  async teardown(): Promise<void> {
    for (const fn of this.setUp.splice(0)) {
      try {
        await fn.teardown();
      } catch {
        // best effort
      }
    }
  }
}
