/**
 * Elements counted while a task runs. Every operator counts what it receives (one field
 * increment per element, no extra call on the hot path); what entered a PCollection is
 * what its first consumer received. An output nothing in the stage consumes gets a
 * counting sink. The coordinator turns a stage's PCollection counts into each transform's
 * elements in and out (progress_report.ts).
 */
import type { MetricsContainer } from "../../sdk/metrics/metrics.js";
import type { OpTime, StageTiming } from "./op_timing.js";
import { StageWiring } from "./stage_builder.js";
import type { Operator, Receiver } from "./operators/receiver.js";
import type { GraphContext } from "./task_context.js";

/** A task's counts so far: PCollection id → elements, the bytes its source read, each transform's own time. */
export interface TaskProgress {
  counts: Record<string, number>;
  bytesRead?: number;
  /** Transform full name → its own time in this task (ms; sampled, op_timing.ts). */
  busyMs?: Record<string, number>;
}

/** The counter sources' IO metrics keep (io/text, io/avro). */
const BYTES_READ = "flowbook.io\u0000bytesRead";

/** Where a PCollection no op of the stage reads goes: counted, then dropped. */
class CountingSink implements Receiver {
  elementsIn = 0;
  process(): void {
    this.elementsIn++;
  }
}

export class TaskCounts {
  private readonly consumers = new Map<string, readonly Receiver[]>();
  private readonly aliases = new Map<string, string>();
  private source: MetricsContainer | undefined;
  private timing: StageTiming | undefined;
  private readonly times: Array<{ transform: string; time: OpTime }> = [];
  /** Time reading the stage's input (a source, a shuffle's merge), known once the input is read. */
  private readTime: { transform: string; ms: number } | undefined;

  /** Counts PCollection `pc` by what its consumers receive. */
  watch(pc: string, consumers: readonly Receiver[]): void {
    this.consumers.set(pc, consumers);
  }

  /** `pc` has exactly as many elements as `sameAs` (a fused op that feeds its consumer directly). */
  alias(pc: string, sameAs: string): void {
    this.aliases.set(pc, sameAs);
  }

  /** The source's metrics, whose bytes-read counter the snapshot reports. */
  readsInto(metrics: MetricsContainer): void {
    this.source = metrics;
  }

  /** The stage's timing, and each timed operator's transform. */
  timedBy(timing: StageTiming): void {
    this.timing = timing;
  }
  time(transform: string, time: OpTime): void {
    this.times.push({ transform, time });
  }

  /**
   * The stage's input was read in `wallMs` (a source's read, a shuffle's merge and decode,
   * with every element pushed through the operators): the reading transform's own time is
   * what the operators' sampled time leaves of it.
   */
  inputRead(transform: string, wallMs: number): void {
    const ops = this.timing ? this.times.reduce((sum, t) => sum + this.timing!.msOf(t.time) - t.time.finishMs, 0) : 0;
    this.readTime = { transform, ms: Math.max(0, wallMs - ops) };
  }

  snapshot(): TaskProgress {
    const counts: Record<string, number> = {};
    for (const [pc, consumers] of this.consumers) {
      const n = (consumers[0] as Operator | undefined)?.elementsIn;
      if (n !== undefined) counts[pc] = n;
    }
    for (const [pc, same] of this.aliases) counts[pc] = counts[same] ?? 0;
    const bytes = this.source?.counters.get(BYTES_READ);
    const out: TaskProgress = bytes === undefined ? { counts } : { counts, bytesRead: bytes };
    if (this.timing && (this.times.length || this.readTime)) {
      const busy: Record<string, number> = {};
      for (const { transform, time } of this.times) busy[transform] = (busy[transform] ?? 0) + this.timing.msOf(time);
      if (this.readTime) busy[this.readTime.transform] = (busy[this.readTime.transform] ?? 0) + this.readTime.ms;
      out.busyMs = busy;
    }
    return out;
  }
}

/** The stage's wiring, noting each PCollection's consumers as its producer is wired to them. */
export class CountingWiring extends StageWiring {
  constructor(g: GraphContext, private readonly counts: TaskCounts, seed = "") {
    super(g, seed);
  }

  override receiverOf(pc: string): Receiver {
    if (this.consumers(pc).length === 0) {
      const sink = new CountingSink();
      this.consume(pc, sink);
    }
    this.counts.watch(pc, this.consumers(pc));
    return super.receiverOf(pc);
  }
}
