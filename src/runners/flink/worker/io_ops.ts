/**
 * Sources and sinks the bridge has no native kind for (AvroIO), run in the Node worker with
 * the very IO implementations the local runner uses (src/io/registry.ts):
 *
 * - `split_source`: one trigger element → the source's splits (JSON strings);
 * - `read_source`: each split → its elements (global window, the source's timestamps);
 * - `sink_write`: one writer per subtask (writerIndex = the subtask), its close() result
 *   sent on as a JSON string;
 * - `sink_finalize`: parallelism 1, after every writer finished (BATCH: blocking edges):
 *   finalize with all results (temporary files renamed to their final names).
 *
 * Reading and writing are asynchronous: the ops buffer their inputs during the bundle and
 * do the work in finish(), which the stage awaits before the next op's.
 */
import { sinkFor, sourceFor, type SinkWriter, type SourceSplit } from "../../../io/registry.js";
import type { MetricsContainer } from "../../../sdk/metrics/metrics.js";
import { setCurrentMetricsContainer } from "../../../sdk/metrics/metrics.js";
import { PaneInfo } from "../../../sdk/values/pane.js";
import { TIMESTAMP_MIN } from "../../../sdk/values/time.js";
import { WindowedValue as WV, type WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { Operator, Receiver } from "../../direct/operators/receiver.js";
import { UserCodeError } from "../../shared/user_code_error.js";

function ioError(transform: string, e: unknown): Error {
  return e instanceof UserCodeError ? e : new Error(`${transform}: ${(e as Error)?.message ?? String(e)}`);
}

export class SplitSourceOp implements Operator {
  private triggered = false;
  constructor(private readonly transform: string, private readonly urn: string, private readonly payload: unknown, private readonly desired: number, private readonly out: Receiver) {}
  start(): void {}
  process(): void {
    this.triggered = true;
  }
  async finish(): Promise<void> {
    if (!this.triggered) return;
    this.triggered = false;
    const impl = sourceFor(this.urn);
    if (!impl) throw new Error(`${this.transform}: no reader for ${this.urn} in the worker`);
    let splits: SourceSplit[];
    try {
      splits = await impl.split(this.payload, this.desired);
    } catch (e) {
      throw ioError(this.transform, e);
    }
    for (const s of splits) this.out.process(WV.valueInGlobalWindow(JSON.stringify(s)));
  }
}

export class ReadSourceOp implements Operator {
  private splits: SourceSplit[] = [];
  constructor(private readonly transform: string, private readonly urn: string, private readonly payload: unknown, private readonly metrics: MetricsContainer, private readonly out: Receiver) {}
  start(): void {}
  process(wv: WindowedValue<unknown>): void {
    this.splits.push(JSON.parse(String(wv.value)) as SourceSplit);
  }
  async finish(): Promise<void> {
    const impl = sourceFor(this.urn);
    if (!impl) throw new Error(`${this.transform}: no reader for ${this.urn} in the worker`);
    const wv = { value: undefined as unknown, timestamp: TIMESTAMP_MIN, windows: WV.GLOBAL_WINDOWS, pane: PaneInfo.NO_FIRING };
    const emit = (value: unknown, timestamp?: number) => {
      wv.value = value;
      wv.timestamp = timestamp ?? TIMESTAMP_MIN;
      this.out.process(wv);
    };
    for (const split of this.splits.splice(0)) {
      try {
        await impl.read(this.payload, split, emit, { metrics: this.metrics, transform: this.transform });
      } catch (e) {
        throw ioError(this.transform, e);
      }
    }
  }
}

export class SinkWriteOp implements Operator {
  private writer?: SinkWriter;
  constructor(
    private readonly transform: string,
    private readonly urn: string,
    private readonly payload: unknown,
    private readonly runId: string,
    private readonly writerIndex: number,
    private readonly metrics: MetricsContainer,
    private readonly out: Receiver,
  ) {}
  async start(): Promise<void> {
    const impl = sinkFor(this.urn);
    if (!impl) throw new Error(`${this.transform}: no writer for ${this.urn} in the worker`);
    try {
      this.writer ??= await impl.open(this.payload, { runId: this.runId, writerIndex: this.writerIndex, transform: this.transform, metrics: this.metrics });
    } catch (e) {
      throw ioError(this.transform, e);
    }
  }
  process(wv: WindowedValue<unknown>): void {
    const prev = setCurrentMetricsContainer(this.metrics);
    try {
      this.writer!.write(wv.value);
    } catch (e) {
      throw UserCodeError.from(this.transform, wv.value, true, e);
    } finally {
      setCurrentMetricsContainer(prev);
    }
  }
  async finish(): Promise<void> {
    const w = this.writer;
    if (!w) return;
    this.writer = undefined;
    let result: unknown;
    try {
      result = await w.close();
    } catch (e) {
      throw ioError(this.transform, e);
    }
    this.out.process(WV.valueInGlobalWindow(JSON.stringify(result ?? null)));
  }
  async abort(): Promise<void> {
    await this.writer?.abort().catch(() => {});
    this.writer = undefined;
  }
}

export class SinkFinalizeOp implements Operator {
  private readonly results: unknown[] = [];
  private seen = false;
  constructor(private readonly transform: string, private readonly urn: string, private readonly payload: unknown, private readonly runId: string) {}
  start(): void {}
  /** A writer's result, or the empty trigger that makes sure finalize runs even without writers. */
  process(wv: WindowedValue<unknown>): void {
    this.seen = true;
    const s = String(wv.value);
    if (s !== "") this.results.push(JSON.parse(s));
  }
  async finish(): Promise<void> {
    if (!this.seen) return;
    this.seen = false;
    const impl = sinkFor(this.urn);
    if (!impl) throw new Error(`${this.transform}: no writer for ${this.urn} in the worker`);
    try {
      await impl.finalize(this.payload, this.results.splice(0), { runId: this.runId, transform: this.transform });
    } catch (e) {
      throw ioError(this.transform, e);
    }
  }
}
