/**
 * Elements counted while a task runs. Every operator counts what it receives (one field
 * increment per element, no extra call on the hot path); what entered a PCollection is
 * what its first consumer received. An output nothing in the stage consumes gets a
 * counting sink. The coordinator turns a stage's PCollection counts into each transform's
 * elements in and out (progress_report.ts).
 */
import type { MetricsContainer } from "../../sdk/metrics/metrics.js";
import { StageWiring } from "./stage_builder.js";
import type { Operator, Receiver } from "./operators/receiver.js";
import type { GraphContext } from "./task_context.js";

/** A task's counts so far: PCollection id → elements, and the bytes its source read. */
export interface TaskProgress {
  counts: Record<string, number>;
  bytesRead?: number;
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

  snapshot(): TaskProgress {
    const counts: Record<string, number> = {};
    for (const [pc, consumers] of this.consumers) {
      const n = (consumers[0] as Operator | undefined)?.elementsIn;
      if (n !== undefined) counts[pc] = n;
    }
    for (const [pc, same] of this.aliases) counts[pc] = counts[same] ?? 0;
    const bytes = this.source?.counters.get(BYTES_READ);
    return bytes === undefined ? { counts } : { counts, bytesRead: bytes };
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
