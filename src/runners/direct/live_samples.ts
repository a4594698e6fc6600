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

/** The materialize op's limit for a live PCollection: none that a run reaches, so the stage never stops early for it. */
export const LIVE_LIMIT = Number.MAX_SAFE_INTEGER;

type Listener = (batch: LiveSampleBatch) => void;

export class LiveSamples {
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Batches no listener has seen yet, per PCollection (undefined once one subscribed). */
  private readonly pending = new Map<string, LiveSampleBatch[] | undefined>();
  private context: GraphContext | undefined;

  constructor(
    private readonly graph: PipelineGraph,
    private readonly options: PipelineOptions,
    readonly ids: ReadonlySet<string>,
  ) {
    for (const id of ids) this.pending.set(id, []);
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
    const waiting = this.pending.get(pcollectionId);
    if (waiting) {
      waiting.push(batch);
      return;
    }
    for (const l of this.listeners.get(pcollectionId) ?? []) {
      try {
        l(batch);
      } catch {
        // A listener's failure is its own; the run and other listeners go on.
      }
    }
  }

  subscribe(pcollectionId: string, listener: Listener): () => void {
    if (!this.ids.has(pcollectionId)) return () => {};
    let set = this.listeners.get(pcollectionId);
    if (!set) this.listeners.set(pcollectionId, (set = new Set()));
    set.add(listener);
    const replay = this.pending.get(pcollectionId);
    this.pending.set(pcollectionId, undefined);
    for (const b of replay ?? []) {
      try {
        listener(b);
      } catch {
        // as in deliver
      }
    }
    return () => void set.delete(listener);
  }
}
