/**
 * Runs one worker stage inside the Node worker: builds the stage's operators from its JSON
 * with the local runner's own operator classes (ParDoOp, WindowIntoOp, CombineValuesOp,
 * PrecombineWrite, EncodabilityCheck, SideInputs — one model, two runners), decodes main
 * input records into them and encodes what leaves the stage into output batches.
 *
 * No I/O here: outputs go to a callback as finished element-list bodies, so the protocol
 * loop (main.ts) and the tests drive it alike.
 */
import { rebuildValue, type SerializedValue } from "../../../graph/functions/serialize.js";
import { ByteReader, ByteWriter } from "../../../sdk/coders/byte_io.js";
import { registerCoder } from "../../../sdk/coders/coder.js";
import type { WindowedValueCoder } from "../../../sdk/coders/windowed_value_coder.js";
import type { MetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import type { CombinePayload } from "../../../sdk/transforms/combine.js";
import type { CombineFn } from "../../../sdk/transforms/combine_fn.js";
import type { DoFn } from "../../../sdk/transforms/do_fn.js";
import type { ParDoPayload } from "../../../sdk/transforms/par_do.js";
import { InstantCoder } from "../../../sdk/coders/instant_coder.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { CombineValuesOp } from "../../direct/operators/combine_values_op.js";
import { EncodabilityCheck } from "../../direct/operators/encodability_check.js";
import { ParDoOp } from "../../direct/operators/par_do_op.js";
import { PrecombineWrite } from "../../direct/operators/precombine_write.js";
import { fanOut, type Operator, type Receiver } from "../../direct/operators/receiver.js";
import type { ShuffleWriter } from "../../direct/operators/shuffle_records.js";
import { WindowIntoOp } from "../../direct/operators/window_into_op.js";
import { SideInputs } from "../../direct/side_inputs.js";
import { GraphContext, TaskMetrics } from "../../direct/task_context.js";
import { accumulatorCoder, kvCoders } from "../../direct/task_runner.js";
import { StructuredCloneCoder } from "../../shared/structured_clone_coder.js";
import { UserCodeError, shortElement } from "../../shared/user_code_error.js";
import { CombineMergeOp } from "./combine_merge_op.js";
import { ConsoleFormatOp } from "./console_format_op.js";
import type { MetricUpdate } from "./protocol.js";
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
class OutputEmitter implements Receiver {
  constructor(
    private readonly out: OutputBuffer,
    private readonly coder: WindowedValueCoder<unknown>,
    private readonly pcollection: string,
    private readonly check: { kind: "kv" | "string"; transform: string } | undefined,
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

export interface StageRuntimeOptions {
  /** Flush an output's element list at this many bytes (the plan's worker.batchBytes). */
  batchBytes?: number;
}

export class StageRuntime {
  private readonly g: GraphContext;
  private readonly metrics = new TaskMetrics();
  private readonly sideInputs: SideInputs;
  private readonly sideChunks: Uint8Array[][];
  private readonly outputs: OutputBuffer[];
  private readonly setUp: DoFn<unknown, unknown>[] = [];
  private ops: Operator[] = [];
  private head!: Receiver;
  private inputCoder!: WindowedValueCoder<unknown>;

  private constructor(readonly stage: WorkerStage, sink: OutputSink, options: StageRuntimeOptions) {
    if (stage.format !== STAGE_FORMAT) throw new Error(`not a flowbook worker stage (format ${JSON.stringify(stage.format)})`);
    this.g = new GraphContext(stage.graph, (stage.graph.options ?? {}) as PipelineOptions);
    this.sideInputs = new SideInputs(this.g);
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

  private async userFn<T>(transformId: string, serialized: unknown, setup: boolean): Promise<T> {
    const t = this.g.transform(transformId);
    let fn: unknown;
    try {
      fn = await rebuildValue(serialized as SerializedValue);
    } catch (e) {
      throw new Error(`cannot rebuild the function of '${t.fullName}': ${(e as Error).message}`);
    }
    if (setup) {
      try {
        await (fn as DoFn<unknown, unknown>).setup();
      } catch (e) {
        throw UserCodeError.from(t.fullName, undefined, false, e);
      }
      this.setUp.push(fn as DoFn<unknown, unknown>);
    }
    return fn as T;
  }

  private async build(): Promise<void> {
    const { g, stage } = this;
    const checks = g.options.enforceEncodability !== false;
    const immutability = g.options.enforceImmutability !== false;
    const receivers = new Map<string, Receiver[]>();
    const receiverOf = (pc: string) => fanOut(receivers.get(pc) ?? []);
    const consume = (pc: string, r: Receiver) => {
      const list = receivers.get(pc);
      if (list) list.push(r);
      else receivers.set(pc, [r]);
    };
    const checked = (pc: string, producer: string) => {
      const r = receiverOf(pc);
      return checks ? new EncodabilityCheck(r, g.coder(pc), producer, g.pcollectionName(pc)) : r;
    };
    const rawOutputs = new Set<string>(stage.ops.filter((o) => o.kind === "precombine").map((o) => o.output));
    stage.outputs.forEach((pc, i) => {
      if (!rawOutputs.has(pc)) consume(pc, new OutputEmitter(this.outputs[i]!, g.windowedValueCoder(pc), g.pcollectionName(pc), stage.outputChecks?.[pc]));
    });
    const specs = stage.ops.flatMap((op) => Object.values(g.transform(op.transform).sideInputs ?? {}));
    await this.sideInputs.prepare(specs);

    const ops: Operator[] = [];
    for (let i = stage.ops.length - 1; i >= 0; i--) {
      const op = stage.ops[i]!;
      const built = await this.buildOp(op, receiverOf, checked, immutability);
      ops.unshift(built);
      consume(op.input, built);
    }
    this.ops = ops;
    this.head = receiverOf(stage.input);
    this.inputCoder = g.windowedValueCoder(stage.input);
  }

  private async buildOp(
    op: StageOp,
    receiverOf: (pc: string) => Receiver,
    checked: (pc: string, producer: string) => Receiver,
    immutability: boolean,
  ): Promise<Operator> {
    const { g } = this;
    const t = g.transform(op.transform);
    const metrics: MetricsContainer = this.metrics.for(t.fullName);
    switch (op.kind) {
      case "pardo": {
        const payload = t.payload as ParDoPayload;
        const fn = await this.userFn<DoFn<unknown, unknown>>(t.id, payload.doFn, true);
        const outs = new Map<string, Receiver>();
        for (const [tag, pc] of Object.entries(op.outputs)) outs.set(tag, checked(pc, t.fullName));
        return new ParDoOp(t, fn, payload.mainOutputTag, outs, this.sideInputs, metrics, g.options, immutability ? { inputCoder: g.coder(op.input) } : {});
      }
      case "window_into": {
        const p = t.payload as { windowFn?: unknown } | undefined;
        return new WindowIntoOp(t.fullName, p?.windowFn ? g.windowFn(op.output) : undefined, receiverOf(op.output));
      }
      case "combine_values": {
        const fn = await this.userFn<CombineFn<unknown, unknown, unknown>>(t.id, (t.payload as CombinePayload).combineFn, false);
        return new CombineValuesOp(t.fullName, fn, checked(op.output, t.fullName), metrics);
      }
      case "precombine": {
        const payload = t.payload as CombinePayload;
        const fn = await this.userFn<CombineFn<unknown, unknown, unknown>>(t.id, payload.combineFn, false);
        const index = this.stage.outputs.indexOf(op.output);
        if (index < 0) throw new Error(`stage ${JSON.stringify(this.stage.transforms)}: the accumulators of '${t.fullName}' are not a stage output`);
        const records = new AccumulatorRecords(this.outputs[index]!) as unknown as ShuffleWriter;
        const { key } = kvCoders(g.coder(op.input));
        return new PrecombineWrite(t.fullName, fn, key, g.windowCoder(op.input), accumulatorCoder(payload), g.strategy(op.input).timestampCombiner, records, metrics);
      }
      case "combine_merge": {
        const fn = await this.userFn<CombineFn<unknown, unknown, unknown>>(t.id, (t.payload as CombinePayload).combineFn, false);
        return new CombineMergeOp(t.fullName, fn, checked(op.output, t.fullName), metrics);
      }
      case "recode":
        return new Recode(receiverOf(op.output));
      case "console_format":
        return new ConsoleFormatOp(op.limit, receiverOf(op.output));
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
    this.head.process(this.inputCoder.decode(r));
  }

  /** finishBundle of every operator, upstream first, then every output flushed. */
  async finishBundle(): Promise<void> {
    for (const op of this.ops) await op.finish();
    this.flush();
  }

  flush(): void {
    for (const o of this.outputs) o.flush();
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
