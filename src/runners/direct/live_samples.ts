/**
 * The local runner's side of live samples (RunRequest.live, PipelineResult.onLiveSample in
 * sdk/runner.ts): a live PCollection is materialized by its stage like a sample without a
 * limit; each finished task's chunks are decoded here and handed to the listeners as one
 * batch, then forgotten (unless a collect or another stage needs them too). Batches before
 * the first listener are kept and replayed to it.
 */
import type { PipelineGraph } from "../../graph/types.js";
import { ByteReader } from "../../sdk/coders/byte_io.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import type { LiveSampleBatch } from "../../sdk/runner.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import { GraphContext } from "../harness/task_context.js";
import { LiveListeners, type LiveListener } from "../shared/live_listeners.js";

/** The materialize op's limit for a live PCollection: none that a run reaches, so the stage never stops early for it. */
export const LIVE_LIMIT = Number.MAX_SAFE_INTEGER;

export class LiveSamples {
  private readonly listeners: LiveListeners;
  private context: GraphContext | undefined;

  constructor(
    private readonly graph: PipelineGraph,
    private readonly options: PipelineOptions,
    readonly ids: ReadonlySet<string>,
  ) {
    this.listeners = new LiveListeners(ids);
  }

  has(pcollectionId: string): boolean {
    return this.ids.has(pcollectionId);
  }

  /** A finished task's encoded elements of a live PCollection: one batch (none when empty). */
  deliver(pcollectionId: string, chunks: readonly Uint8Array[], watermark?: number): void {
    if (!this.ids.has(pcollectionId)) return;
    this.context ??= new GraphContext(this.graph, this.options);
    const coder = this.context.windowedValueCoder(pcollectionId);
    const elements: WindowedValue<unknown>[] = [];
    for (const c of chunks) {
      const r = new ByteReader(c);
      while (!r.atEnd()) elements.push(coder.decode(r));
    }
    if (elements.length === 0) return;
    const batch: LiveSampleBatch = { pcollection: pcollectionId, elements, at: Date.now() };
    if (watermark !== undefined) batch.watermark = watermark;
    this.listeners.publish(batch);
  }

  subscribe(pcollectionId: string, listener: LiveListener): () => void {
    return this.listeners.subscribe(pcollectionId, listener);
  }
}
