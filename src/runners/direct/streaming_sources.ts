/**
 * The local runner's streaming sources (issue 14): how a source stage of an unbounded plan
 * gives the scheduler bundles over time (scheduler.ts StreamFeed), and the run's processing
 * time.
 *
 * - **TestStream** (Beam's DirectRunner semantics): its events are applied one at a time, the
 *   next only once the pipeline is quiescent (`next()`, called by the scheduler when nothing
 *   runs or may run): elements become one bundle of the source stage, a watermark event sets
 *   the source watermark, a processing-time event moves the run's synthetic clock. A pipeline
 *   with a TestStream runs on that clock; otherwise processing time is real time.
 * - **Unbounded reads** (io/registry.ts UnboundedSourceImpl): a reader per split, polled in
 *   this thread; each poll's elements become a bundle, the source watermark is the minimum of
 *   the readers' watermarks (+∞ once all are done). A reader waits while the stage has a
 *   backlog of bundles, so a fast source does not fill memory.
 *
 * Bundles are encoded windowed values in the global window (as materialized bundles are), so
 * the source stage's task reads them like any materialized input.
 */
import type { PipelineGraph } from "../../graph/types.js";
import { Urns } from "../../graph/types.js";
import { unboundedSourceFor, type UnboundedReader } from "../../io/registry.js";
import type { MetricsAggregator } from "../../sdk/metrics/metrics.js";
import { MetricsContainer, containerUpdates } from "../../sdk/metrics/metrics.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import type { TestStreamPayload } from "../../sdk/testing/test_stream.js";
import { TIMESTAMP_MAX } from "../../sdk/values/time.js";
import { WindowedValue } from "../../sdk/values/windowed_value.js";
import { ChunkedOutput } from "../shared/chunked_output.js";
import { GraphContext } from "../harness/task_context.js";
import type { Stage } from "./plan.js";
import type { StreamFeed } from "./scheduler/scheduler.js";
import type { TaskInput } from "./task_runner.js";

/** Bundles of a source stage not processed yet before its readers wait. */
const MAX_BACKLOG = 4;
/** How long a reader's poll waits for its first element. */
const POLL_WAIT_MS = 100;

interface ScriptedStream {
  payload: TestStreamPayload;
  stage: Stage;
  feed: StreamFeed;
  next: number;
}

export class StreamingSources {
  private readonly g: GraphContext;
  private readonly scripted: ScriptedStream[] = [];
  private readonly readers: UnboundedReader[] = [];
  private readonly loops: Promise<void>[] = [];
  /** The synthetic clock of a pipeline with a TestStream; undefined: real time. */
  private syntheticNow: number | undefined;
  private stopped = false;

  constructor(
    private readonly graph: PipelineGraph,
    options: PipelineOptions,
    private readonly metrics: MetricsAggregator,
    private readonly parallelism: number,
  ) {
    this.g = new GraphContext(graph, options);
    // The synthetic clock starts at 0 (or the payload's processingTimeStart), as the Flink
    // runner's: processing-time triggers aligned to a period give the same panes on both.
    const ts = Object.values(graph.transforms).find((t) => t.urn === Urns.TEST_STREAM);
    if (ts) this.syntheticNow = (ts.payload as { processingTimeStart?: number }).processingTimeStart ?? 0;
  }

  /** The run's processing time. */
  processingTime(): { now: number; real: boolean } {
    return this.syntheticNow === undefined ? { now: Date.now(), real: true } : { now: this.syntheticNow, real: false };
  }

  /** Opens a source stage as a stream: a TestStream, or an unbounded read. False: a bounded source. */
  open(stage: Stage, feed: StreamFeed): boolean {
    const input = stage.input;
    if (input.kind !== "source") return false;
    const t = this.graph.transforms[input.transform]!;
    if (input.urn === Urns.TEST_STREAM) {
      this.scripted.push({ payload: t.payload as TestStreamPayload, stage, feed, next: 0 });
      return true;
    }
    if (this.graph.pcollections[input.output]?.isBounded !== false) return false;
    const impl = unboundedSourceFor(input.urn);
    if (!impl) throw new Error(`${t.fullName}: no unbounded reader for ${input.urn}`);
    const metrics = new MetricsContainer(t.fullName);
    const loop = (async () => {
      const splits = await impl.split(t.payload, this.parallelism);
      if (splits.length === 0) return feed.watermark(TIMESTAMP_MAX);
      const watermarks = splits.map(() => Number.NEGATIVE_INFINITY);
      await Promise.all(
        splits.map(async (split, i) => {
          const reader = await impl.open(t.payload, split, undefined, { metrics, transform: t.fullName });
          this.readers.push(reader);
          const over = () => this.stopped || feed.ended();
          for (;;) {
            if (over()) return;
            while (feed.backlog() >= MAX_BACKLOG && !over()) await new Promise((r) => setTimeout(r, 5));
            if (over()) return;
            const { elements, done } = await reader.poll(POLL_WAIT_MS);
            if (over()) return;
            if (elements.length > 0) feed.bundle(this.encode(input.output, elements), Math.min(...elements.map((e) => e.timestamp)));
            watermarks[i] = done ? TIMESTAMP_MAX : reader.watermark();
            feed.watermark(Math.max(-TIMESTAMP_MAX, Math.min(...watermarks)));
            if (done) return;
          }
        }),
      );
    })().catch((e: Error) => feed.fail(new Error(`${t.fullName}: ${e.message}`))).finally(() => {
      this.metrics.add(containerUpdates([metrics]));
    });
    this.loops.push(loop);
    return true;
  }

  /**
   * The pipeline is quiescent: applies the next TestStream event (of the first TestStream with
   * events left). False when every script is done.
   */
  next(): boolean {
    const s = this.scripted.find((x) => x.next < x.payload.events.length);
    if (!s) return false;
    const e = s.payload.events[s.next++]!;
    switch (e.kind) {
      case "elements": {
        if (s.stage.input.kind !== "source") break;
        const pc = s.stage.input.output;
        const coder = this.g.coder(pc);
        const elements = e.elements.map((el) => ({ value: coder.decodeFromBytes(Buffer.from(el.value, "base64")), timestamp: el.timestamp }));
        if (elements.length > 0) s.feed.bundle(this.encode(pc, elements), Math.min(...elements.map((x) => x.timestamp)));
        break;
      }
      case "watermark":
        s.feed.watermark(e.to);
        break;
      case "processing_time":
        this.syntheticNow = (this.syntheticNow ?? 0) + e.advanceMillis;
        break;
    }
    return true;
  }

  /** Stops the readers (the run ended, failed or was cancelled) and closes them. */
  async close(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
    await Promise.allSettled(this.readers.map((r) => r.close()));
  }

  private encode(pc: string, elements: Array<{ value: unknown; timestamp: number }>): TaskInput {
    const coder = this.g.windowedValueCoder(pc);
    const out = new ChunkedOutput(64 * 1024);
    for (const el of elements) {
      coder.encode(WindowedValue.valueInGlobalWindow(el.value, el.timestamp), out.writer);
      out.endRecord();
    }
    return { kind: "materialized", parts: [{ pcollection: pc, chunks: out.take() }] };
  }
}
