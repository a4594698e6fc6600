/**
 * Who listens to a run's live samples (PipelineResult.onLiveSample, sdk/runner.ts), per
 * PCollection, with the contract's replay: batches published before a PCollection's first
 * listener are kept and handed to it, later ones go to the listeners of the moment. Both
 * runners' live samples publish through it.
 */
import type { LiveSampleBatch } from "../../sdk/runner.js";

export type LiveListener = (batch: LiveSampleBatch) => void;

export class LiveListeners {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  /** Batches no listener has seen yet, per PCollection (undefined once one subscribed). */
  private readonly pending = new Map<string, LiveSampleBatch[] | undefined>();

  constructor(readonly ids: ReadonlySet<string>) {
    for (const id of ids) this.pending.set(id, []);
  }

  publish(batch: LiveSampleBatch): void {
    const waiting = this.pending.get(batch.pcollection);
    if (waiting) {
      waiting.push(batch);
      return;
    }
    for (const l of this.listeners.get(batch.pcollection) ?? []) call(l, batch);
  }

  subscribe(pcollectionId: string, listener: LiveListener): () => void {
    if (!this.ids.has(pcollectionId)) return () => {};
    let set = this.listeners.get(pcollectionId);
    if (!set) this.listeners.set(pcollectionId, (set = new Set()));
    set.add(listener);
    const replay = this.pending.get(pcollectionId);
    this.pending.set(pcollectionId, undefined);
    for (const b of replay ?? []) call(listener, b);
    return () => void set.delete(listener);
  }
}

function call(listener: LiveListener, batch: LiveSampleBatch): void {
  try {
    listener(batch);
  } catch {
    // A listener's failure is its own; the run and other listeners go on.
  }
}
