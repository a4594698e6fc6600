import type { PipelineGraph, TransformNode } from "../../graph/types.js";
import { coderFromSpec, type Coder } from "../../sdk/coders/coder.js";
import { WindowedValueCoder } from "../../sdk/coders/index.js";
import { MetricsContainer } from "../../sdk/metrics/metrics.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import type { BoundedWindow } from "../../sdk/values/windows.js";
import type { WindowFn } from "../../sdk/windowing/window_fn.js";
import type { ShuffleRun } from "./shuffle/runs.js";
import { WindowingStrategy } from "../../sdk/windowing/windowing_strategy.js";

/**
 * What a running stage knows about the graph, decoded once per run per thread:
 * coders, windowing strategies and rebuilt user functions.
 */
export class GraphContext {
  private readonly coders = new Map<string, Coder<unknown>>();
  private readonly strategies = new Map<string, WindowingStrategy>();
  private readonly wvCoders = new Map<string, WindowedValueCoder<unknown>>();

  constructor(readonly graph: PipelineGraph, readonly options: PipelineOptions) {}

  transform(id: string): TransformNode {
    const t = this.graph.transforms[id];
    if (!t) throw new Error(`no transform '${id}' in the graph`);
    return t;
  }

  coder(pcollection: string): Coder<unknown> {
    let c = this.coders.get(pcollection);
    if (!c) {
      const pc = this.graph.pcollections[pcollection];
      if (!pc) throw new Error(`no PCollection '${pcollection}' in the graph`);
      c = coderFromSpec(pc.coder);
      this.coders.set(pcollection, c);
    }
    return c;
  }

  strategy(pcollection: string): WindowingStrategy {
    let s = this.strategies.get(pcollection);
    if (!s) {
      const pc = this.graph.pcollections[pcollection]!;
      s = WindowingStrategy.fromSpec(this.graph.windowingStrategies[pc.windowingStrategy]!);
      this.strategies.set(pcollection, s);
    }
    return s;
  }

  windowFn(pcollection: string): WindowFn<BoundedWindow> {
    return this.strategy(pcollection).windowFn;
  }

  windowCoder(pcollection: string): Coder<BoundedWindow> {
    return this.windowFn(pcollection).windowCoder();
  }

  /** Encodes elements of a PCollection with their timestamp, windows and pane. */
  windowedValueCoder(pcollection: string): WindowedValueCoder<unknown> {
    let c = this.wvCoders.get(pcollection);
    if (!c) {
      c = WindowedValueCoder.of(this.coder(pcollection), this.windowCoder(pcollection));
      this.wvCoders.set(pcollection, c);
    }
    return c;
  }

  pcollectionName(id: string): string {
    return this.graph.pcollections[id]?.name ?? id;
  }
}

/** Metrics of one task, one container per step. */
export class TaskMetrics {
  readonly containers = new Map<string, MetricsContainer>();
  for(step: string): MetricsContainer {
    let c = this.containers.get(step);
    if (!c) {
      c = new MetricsContainer(step);
      this.containers.set(step, c);
    }
    return c;
  }
}

/** What one task hands back to the coordinator. */
export interface TaskOutput {
  /** Shuffle transform id → per partition, the task's runs (in memory when small, else spill-file references). */
  shuffles: Record<string, ShuffleRun[][]>;
  /**
   * PCollection id → encoded WindowedValue chunks, with counts and the earliest event
   * timestamp among them (a bundle of a stage reading them holds its input watermark there).
   */
  materialized: Record<string, { chunks: Uint8Array[]; count: number; total: number; minTimestamp?: number }>;
  /** Sink transform id → what the writer's close() returned. */
  sinks: Record<string, unknown>;
}
