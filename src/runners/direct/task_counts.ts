/**
 * Elements counted while a task runs: one counter per PCollection of the stage, in front
 * of its consumers, so counting costs one increment per element per PCollection and no
 * change to any operator. The coordinator turns a stage's PCollection counts into each
 * transform's elements in and out (progress_report.ts).
 */
import type { MetricsContainer } from "../../sdk/metrics/metrics.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import { StageWiring } from "../shared/stage_builder.js";
import type { Receiver } from "./operators/receiver.js";
import type { GraphContext } from "./task_context.js";

/** A task's counts so far: PCollection id → elements, and the bytes its source read. */
export interface TaskProgress {
  counts: Record<string, number>;
  bytesRead?: number;
}

/** The counter sources' IO metrics keep (io/text, io/avro). */
const BYTES_READ = "flowbook.io\u0000bytesRead";

class CountingReceiver implements Receiver {
  n = 0;
  constructor(private readonly next: Receiver) {}
  process(wv: WindowedValue<unknown>): void {
    this.n++;
    this.next.process(wv);
  }
}

export class TaskCounts {
  private readonly counters = new Map<string, CountingReceiver>();
  private readonly aliases = new Map<string, string>();
  private source: MetricsContainer | undefined;

  /** `r`, counting what enters PCollection `pc`. */
  counting(pc: string, r: Receiver): Receiver {
    let c = this.counters.get(pc);
    if (!c) this.counters.set(pc, (c = new CountingReceiver(r)));
    return c;
  }

  /** `pc` has exactly as many elements as `sameAs` (a fused op that bypasses the wiring). */
  alias(pc: string, sameAs: string): void {
    this.aliases.set(pc, sameAs);
  }

  /** The source's metrics, whose bytes-read counter the snapshot reports. */
  readsInto(metrics: MetricsContainer): void {
    this.source = metrics;
  }

  snapshot(): TaskProgress {
    const counts: Record<string, number> = {};
    for (const [pc, c] of this.counters) counts[pc] = c.n;
    for (const [pc, same] of this.aliases) if (!(pc in counts)) counts[pc] = counts[same] ?? 0;
    const bytes = this.source?.counters.get(BYTES_READ);
    return bytes === undefined ? { counts } : { counts, bytesRead: bytes };
  }
}

/** The stage's wiring, with every PCollection's receiver counted. */
export class CountingWiring extends StageWiring {
  constructor(g: GraphContext, private readonly counts: TaskCounts) {
    super(g);
  }

  override receiverOf(pc: string): Receiver {
    return this.counts.counting(pc, super.receiverOf(pc));
  }
}
