/**
 * The translation's recorder (issue 15): translate.ts and the translators report what they
 * do as they do it, and this turns it into the TraceEvents of translation_trace.ts.
 *
 * Translators only call `ctx.decide(...)` (a no-op when nobody records); the recorder
 * collects those decisions until the event they belong to (the next `enter` or
 * `translate`), and works out each step's effect itself by comparing the operators before
 * and after it: operators added, operators changed (a transform fused into an open stage,
 * a stage exporting another output), and the new edges with their ship strategies.
 * Nothing random or absolute goes in (operator and stage ids are counters), so a trace is
 * a golden file.
 */
import type { PCollectionNode, PipelineGraph, TransformNode, WindowingStrategySpec } from "../../../graph/types.js";
import { kindName } from "../../../graph/kind_names.js";
import { Urns, WindowFnUrns } from "../../../graph/types.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";
import type { FlinkOperator } from "../flink_plan.js";
import type { TraceDecision, TraceEffect, TraceEvent, TracePCollection, TraceTransform, TraceTranslator } from "../translation_trace.js";

/** A coder in a line: `kv<string_utf8, varint>`, `length_prefix(json)`. */
export function coderName(spec: CoderSpec | undefined): string {
  if (!spec) return "?";
  const base = spec.urn.replace(/^(beam|flowbook):coder:/, "").replace(/:v\d+$/, "");
  const comps = spec.components ?? [];
  if (base === "length_prefix") return `length_prefix(${comps.map(coderName).join(", ")})`;
  return comps.length ? `${base}<${comps.map(coderName).join(", ")}>` : base;
}

/** A duration in ms, as people write it. */
export function durationText(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** A windowing strategy in a few words: "global", "fixed 10 s", "sessions gap 5 min". */
export function windowingText(ws: WindowingStrategySpec | undefined): string {
  if (!ws) return "global";
  const p = (ws.windowFn.payload ?? {}) as Record<string, number>;
  let text: string;
  switch (ws.windowFn.urn) {
    case WindowFnUrns.GLOBAL:
      text = "global";
      break;
    case WindowFnUrns.FIXED:
      text = `fixed ${durationText(p.sizeMillis ?? 0)}`;
      break;
    case WindowFnUrns.SLIDING:
      text = `sliding ${durationText(p.sizeMillis ?? 0)} every ${durationText(p.periodMillis ?? 0)}`;
      break;
    case WindowFnUrns.SESSIONS:
      text = `sessions gap ${durationText(p.gapMillis ?? 0)}`;
      break;
    default:
      text = ws.windowFn.urn;
  }
  if (ws.trigger.kind !== "default") text += `, trigger ${ws.trigger.kind}`;
  return text;
}

/**
 * Where a transform was applied, as people say it: a session's `flowbook:cell[3]:2:20` is
 * "cell 3, line 2"; a script's `flowbook:wordcount.ts:14:3` or a module's `/abs/x.ts:14:3`
 * is "wordcount.ts:14" (the file as the stack named it, the line; not the column).
 */
export function appliedAtText(at: string): string {
  const cell = /^(?:flowbook:)?cell\[(\d+)\]:(\d+)(?::\d+)?$/.exec(at);
  if (cell) return `cell ${cell[1]}, line ${cell[2]}`;
  const file = /^(?:flowbook:)?(.+?):(\d+)(?::\d+)?$/.exec(at);
  return file ? `${file[1]}:${file[2]}` : at;
}

interface Snapshot {
  json: Map<string, string>;
  inputs: Map<string, number>;
}

export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private pending: TraceDecision[] = [];
  private depth = 0;

  constructor(
    private readonly graph: PipelineGraph,
    private readonly operators: FlinkOperator[],
    /** Extra PCollections translators make (accumulators, recoded inputs): id → node. */
    private readonly synthetic: (id: string) => PCollectionNode | undefined,
    private readonly listener?: (e: TraceEvent) => void,
  ) {}

  decide(d: TraceDecision): void {
    this.pending.push(d);
  }

  /** The operators as they are now, to compare after a step. */
  snapshot(): Snapshot {
    const json = new Map<string, string>();
    const inputs = new Map<string, number>();
    for (const op of this.operators) {
      json.set(op.id, JSON.stringify(op));
      inputs.set(op.id, op.inputs.length);
    }
    return { json, inputs };
  }

  enter(t: TransformNode): void {
    this.emit({ kind: "enter", step: 0, depth: this.depth, transform: this.transform(t), decisions: this.take() });
    this.depth++;
  }

  leave(t: TransformNode): void {
    this.depth--;
    this.emit({ kind: "leave", step: 0, depth: this.depth, transform: this.transform(t) });
  }

  translated(t: TransformNode, translator: TraceTranslator, before: Snapshot): void {
    this.emit({ kind: "translate", step: 0, depth: this.depth, transform: this.transform(t), translator, decisions: this.take(), effect: this.effect(before) });
  }

  finish(what: string, before: Snapshot): void {
    this.emit({ kind: "finish", step: 0, depth: 0, what, decisions: this.take(), effect: this.effect(before) });
  }

  private take(): TraceDecision[] {
    const d = this.pending;
    this.pending = [];
    return d;
  }

  private emit(e: TraceEvent): void {
    e.step = this.events.length;
    this.events.push(e);
    this.listener?.(e);
  }

  private effect(before: Snapshot): TraceEffect {
    const effect: TraceEffect = { added: [], changed: [], edges: [] };
    for (const op of this.operators) {
      const was = before.json.get(op.id);
      const now = JSON.stringify(op);
      if (was === undefined) effect.added.push(JSON.parse(now) as FlinkOperator);
      else if (was !== now) effect.changed.push(JSON.parse(now) as FlinkOperator);
      for (const i of op.inputs.slice(before.inputs.get(op.id) ?? 0)) {
        effect.edges.push({ from: i.from, to: op.id, ship: i.ship });
      }
    }
    return effect;
  }

  pcollection(id: string): TracePCollection {
    const pc = this.graph.pcollections[id] ?? this.synthetic(id);
    if (!pc) return { id, name: id, coder: { urn: "" }, windowing: "global", bounded: true };
    return { id, name: pc.name, coder: pc.coder, windowing: windowingText(this.graph.windowingStrategies[pc.windowingStrategy]), bounded: pc.isBounded };
  }

  transform(t: TransformNode): TraceTransform {
    const out: TraceTransform = {
      id: t.id,
      fullName: t.fullName,
      urn: t.urn,
      // A composite says what it is (CoGroupByKey, CountWords): they all share one URN.
      kindName: t.urn === Urns.COMPOSITE && t.kind ? t.kind : kindName(t.urn),
      inputs: Object.values(t.inputs).map((pc) => this.pcollection(pc)),
      outputs: Object.values(t.outputs).map((pc) => this.pcollection(pc)),
      sideInputs: Object.values(t.sideInputs ?? {}).map((si) => this.pcollection(si.pcollection)),
      composite: t.subtransforms.length > 0,
    };
    if (t.appliedAt) out.appliedAt = appliedAtText(t.appliedAt);
    return out;
  }
}
