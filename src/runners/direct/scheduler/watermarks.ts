/**
 * Each stage's input and output watermark, with holds — Beam's model as its Prism runner's
 * element manager keeps it (sdks/go/pkg/beam/runners/prism/internal/engine/elementmanager.go,
 * `updateWatermarks`), written for the local runner's stages:
 *
 * - a stage's **upstream** watermark is the minimum of its producers' output watermarks (a
 *   source stage has no producers: its source's watermark stands in);
 * - its **input** watermark is min(upstream, the minimum timestamp of its pending bundles —
 *   queued or running); no element older than it will reach the stage;
 * - its **output** watermark is min(input, its holds): what its stateful operators (the
 *   group-also-by-window's buffered groups, a timer not yet fired) may still emit;
 * - watermarks never go back: a hold or bundle older than what was already promised
 *   delays only later advances.
 *
 * A bounded source's watermark is −∞ while its splits are read and +∞ once all are done: a
 * bounded pipeline is the case whose sources end with a final watermark at +∞, and a stage
 * whose output watermark reached +∞ has finished. +∞ and −∞ are Beam's largest and smallest
 * timestamps (sdk/values/time.ts), so events carrying them stay JSON.
 *
 * Side inputs do not enter the input watermark: a stage reads a side input only once its
 * producer's output watermark reached +∞ (sideInputsReady; Beam's side-input readiness for
 * the global window).
 */
import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from "../../../sdk/values/time.js";

/** −∞: nothing is promised yet. */
export const WATERMARK_MIN: Instant = TIMESTAMP_MIN;
/** +∞: the final watermark; no element will follow. */
export const WATERMARK_MAX: Instant = TIMESTAMP_MAX;

/** How one stage is wired, for its watermarks. */
export interface StageWiring {
  id: string;
  /** Stages whose output this stage reads as its main input (a shuffle's writers, a Flatten's producers). */
  producers: string[];
  /** Stages producing the side inputs it reads. */
  sideProducers: string[];
  /** Reads a source: its upstream watermark is the source's (setSourceWatermark). */
  source?: boolean;
}

/** A stage's two watermarks. */
export interface StageWatermarks {
  stage: string;
  input: Instant;
  output: Instant;
}

interface StageState {
  wiring: StageWiring;
  sourceWatermark: Instant;
  pending: Map<string, Instant>;
  holds: Map<string, Instant>;
  input: Instant;
  output: Instant;
}

export class WatermarkManager {
  private readonly stages = new Map<string, StageState>();
  /** Stages in an order that puts producers (main and side) before consumers. */
  private readonly order: StageState[] = [];

  constructor(wiring: StageWiring[]) {
    for (const w of wiring) {
      this.stages.set(w.id, { wiring: w, sourceWatermark: WATERMARK_MIN, pending: new Map(), holds: new Map(), input: WATERMARK_MIN, output: WATERMARK_MIN });
    }
    for (const w of wiring) {
      for (const p of [...w.producers, ...w.sideProducers]) {
        if (!this.stages.has(p)) throw new Error(`stage ${w.id} reads stage ${p}, which is not in the plan`);
      }
    }
    const done = new Set<string>();
    const left = [...this.stages.values()];
    while (left.length) {
      const i = left.findIndex((s) => [...s.wiring.producers, ...s.wiring.sideProducers].every((p) => done.has(p)));
      if (i < 0) throw new Error(`the stages ${left.map((s) => s.wiring.id).join(", ")} read each other in a cycle`);
      const [s] = left.splice(i, 1);
      done.add(s!.wiring.id);
      this.order.push(s!);
    }
  }

  private state(stage: string): StageState {
    const s = this.stages.get(stage);
    if (!s) throw new Error(`unknown stage ${stage}`);
    return s;
  }

  /** A source stage's source watermark (−∞ while its splits are read, +∞ once all are). */
  setSourceWatermark(stage: string, watermark: Instant): void {
    const s = this.state(stage);
    if (!s.wiring.source) throw new Error(`stage ${stage} reads no source: its watermark comes from its producers`);
    s.sourceWatermark = Math.max(s.sourceWatermark, watermark);
  }

  /** A bundle the stage has yet to process (queued or running); it holds the stage's input watermark at `minTimestamp`. */
  addPending(stage: string, bundle: string, minTimestamp: Instant): void {
    const s = this.state(stage);
    if (s.pending.has(bundle)) throw new Error(`stage ${stage} already has a pending bundle ${bundle}`);
    s.pending.set(bundle, minTimestamp);
  }

  /** The bundle was processed (or dropped): it no longer holds the watermark. */
  removePending(stage: string, bundle: string): void {
    this.state(stage).pending.delete(bundle);
  }

  pendingCount(stage: string): number {
    return this.state(stage).pending.size;
  }

  /**
   * A hold of the stage's stateful operators (keyed by what holds it: a shuffle's buffered
   * data, a GABW partition's state): the output watermark stays at or below `timestamp`.
   * Setting a key again moves its hold; WATERMARK_MAX or clearHold releases it.
   */
  setHold(stage: string, key: string, timestamp: Instant): void {
    const s = this.state(stage);
    if (timestamp >= WATERMARK_MAX) s.holds.delete(key);
    else s.holds.set(key, timestamp);
  }

  clearHold(stage: string, key: string): void {
    this.state(stage).holds.delete(key);
  }

  /** The minimum of the stage's producers' output watermarks (its source's, for a source stage). */
  upstream(stage: string): Instant {
    const s = this.state(stage);
    return this.upstreamOf(s);
  }

  private upstreamOf(s: StageState): Instant {
    let wm = s.wiring.source ? s.sourceWatermark : WATERMARK_MAX;
    for (const p of s.wiring.producers) wm = Math.min(wm, this.stages.get(p)!.output);
    return wm;
  }

  /** Every side input the stage reads is complete: its producer's output watermark is +∞. */
  sideInputsReady(stage: string): boolean {
    return this.state(stage).wiring.sideProducers.every((p) => this.stages.get(p)!.output >= WATERMARK_MAX);
  }

  input(stage: string): Instant {
    return this.state(stage).input;
  }

  output(stage: string): Instant {
    return this.state(stage).output;
  }

  /** The stage will produce nothing more: its output watermark is +∞. */
  finished(stage: string): boolean {
    return this.state(stage).output >= WATERMARK_MAX;
  }

  /**
   * Recomputes every stage's watermarks, producers first; returns the stages whose input or
   * output watermark advanced.
   */
  refresh(): StageWatermarks[] {
    const changed: StageWatermarks[] = [];
    for (const s of this.order) {
      let input = this.upstreamOf(s);
      for (const t of s.pending.values()) input = Math.min(input, t);
      let output = input;
      for (const t of s.holds.values()) output = Math.min(output, t);
      input = Math.max(s.input, input);
      output = Math.max(s.output, Math.min(output, input));
      if (input !== s.input || output !== s.output) {
        s.input = input;
        s.output = output;
        changed.push({ stage: s.wiring.id, input, output });
      }
    }
    return changed;
  }

  /** Every stage's watermarks now. */
  snapshot(): StageWatermarks[] {
    return this.order.map((s) => ({ stage: s.wiring.id, input: s.input, output: s.output }));
  }
}
