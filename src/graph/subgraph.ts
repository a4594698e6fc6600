/**
 * What a sample needs of a pipeline graph, and what identifies a PCollection's contents.
 *
 * - `ancestorsGraph(graph, ids)`: the smallest runnable graph computing those PCollections
 *   (show/collect/chart run this, so no sink writes and no unrelated branch runs).
 * - `graphFingerprint(graph, id)`: a hash of everything that determines a PCollection's
 *   elements (the key of the session's cache of computed PCollections).
 *
 * Pure functions over the graph's JSON; node:crypto is the only import (it works in the
 * session's sandbox as in the host: it hashes strings).
 */
import { createHash } from "node:crypto";
import { Urns, type PCollectionNode, type PipelineGraph, type TransformNode } from "./types.js";

function pcollection(graph: PipelineGraph, id: string): PCollectionNode {
  const pc = graph.pcollections[id];
  if (!pc) throw new Error(`no PCollection '${id}' in the graph`);
  return pc;
}

function transform(graph: PipelineGraph, id: string): TransformNode {
  const t = graph.transforms[id];
  if (!t) throw new Error(`the graph names transform '${id}' but does not define it`);
  return t;
}

/** The PCollections a transform reads: its main inputs and its side inputs. */
function reads(t: TransformNode): string[] {
  return [...Object.values(t.inputs), ...Object.values(t.sideInputs ?? {}).map((s) => s.pcollection)];
}

function filterRecord<V>(r: Record<string, V>, keep: (v: V) => boolean): Record<string, V> {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => keep(v)));
}

/**
 * The transforms that compute `pcollectionIds` and everything upstream of them (side
 * inputs' producers included), with their composites. Left out: sinks, and every
 * transform none of whose outputs is needed. A multi-output ParDo is kept whole (all its
 * outputs stay in the graph). A composite is kept when one of its parts is, with its
 * parts filtered; if all its outputs are still computed it keeps its kind, so a runner
 * executing it whole (a lifted Combine.perKey) still does; if not (a sample of a
 * PCollection inside it), it becomes a plain composite, which both runners run by parts.
 */
export function ancestorsGraph(graph: PipelineGraph, pcollectionIds: readonly string[]): PipelineGraph {
  const neededPcs = new Set<string>();
  const kept = new Set<string>();
  const queue: string[] = [];
  const need = (pc: string) => {
    if (neededPcs.has(pc)) return;
    pcollection(graph, pc);
    neededPcs.add(pc);
    queue.push(pc);
  };
  const computed = (pc: string) => kept.has(pcollection(graph, pc).producer);
  for (const id of pcollectionIds) need(id);
  while (queue.length) {
    const producer = transform(graph, pcollection(graph, queue.shift()!).producer);
    if (kept.has(producer.id)) continue;
    kept.add(producer.id);
    reads(producer).forEach(need);
    for (let p = producer.parent; p; ) {
      const c = transform(graph, p);
      kept.add(c.id);
      // Whole again (every output computed): a runner may execute it whole, reading its own inputs.
      if (c.urn !== Urns.COMPOSITE && Object.values(c.outputs).every(computed)) reads(c).forEach(need);
      p = c.parent;
    }
  }

  const pcs = new Set<string>();
  for (const id of kept) {
    const t = transform(graph, id);
    if (!t.subtransforms.length) Object.values(t.outputs).forEach((o) => pcs.add(o));
  }
  for (const pc of neededPcs) pcs.add(pc);

  const transforms: Record<string, TransformNode> = {};
  for (const [id, t] of Object.entries(graph.transforms)) {
    if (!kept.has(id)) continue;
    if (!t.subtransforms.length) {
      transforms[id] = t;
      continue;
    }
    const whole = Object.values(t.outputs).every((o) => pcs.has(o));
    const part: TransformNode = {
      ...t,
      inputs: filterRecord(t.inputs, (pc) => pcs.has(pc)),
      outputs: filterRecord(t.outputs, (pc) => pcs.has(pc)),
      subtransforms: t.subtransforms.filter((c) => kept.has(c)),
    };
    if (t.sideInputs) part.sideInputs = filterRecord(t.sideInputs, (s) => pcs.has(s.pcollection));
    if (!whole) {
      // Cut open: no runner may take it for the whole it was.
      part.urn = Urns.COMPOSITE;
      delete part.payload;
    }
    transforms[id] = part;
  }

  const pcollections: PipelineGraph["pcollections"] = {};
  const strategies = new Set<string>();
  for (const [id, pc] of Object.entries(graph.pcollections)) {
    if (!pcs.has(id)) continue;
    pcollections[id] = pc;
    strategies.add(pc.windowingStrategy);
  }
  return {
    ...graph,
    rootTransforms: graph.rootTransforms.filter((id) => kept.has(id)),
    transforms,
    pcollections,
    windowingStrategies: Object.fromEntries(Object.entries(graph.windowingStrategies).filter(([id]) => strategies.has(id))),
  };
}

// ---------------------------------------------------------------------------------------
// Fingerprints
// ---------------------------------------------------------------------------------------

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Fields of a serialized function that say where it was written, not what it does. */
const LOCATION_FIELDS = new Set(["file", "line", "column"]);

/**
 * JSON with sorted keys, local names replaced by their position (`rename`), and function
 * locations left out: a cell run again (cell[3] → cell[7]) computes the same elements.
 */
function canonical(value: unknown, rename: ReadonlyMap<string, string>): string {
  if (typeof value === "string") return JSON.stringify(rename.get(value) ?? value);
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, rename)).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const isFunction = obj["type"] === "function";
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && !(isFunction && LOCATION_FIELDS.has(k)))
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k], rename)}`).join(",")}}`;
}

/**
 * A transform's own names for its outputs, inputs and side inputs (`tag3`, `side0`: the
 * SDK numbers them per process, so a cell run again gets new ones) → their positions.
 */
function localNames(t: TransformNode): Map<string, string> {
  const m = new Map<string, string>();
  const add = (prefix: string, names: string[]) => names.forEach((n, i) => m.has(n) || m.set(n, `#${prefix}${i}`));
  add("out", Object.keys(t.outputs));
  add("in", Object.keys(t.inputs));
  add("side", Object.keys(t.sideInputs ?? {}));
  return m;
}

/**
 * Fingerprints of a graph's PCollections, computed once each (a Merkle hash: a
 * PCollection's covers its producer's kind, payload and enclosing composites' kinds and
 * payloads, its coder, windowing and boundedness, and the fingerprints of what the
 * producer reads). Ids, names and everything not upstream are left out.
 */
export function fingerprinter(graph: PipelineGraph): (pcollectionId: string) => string {
  const memo = new Map<string, string>();
  const visiting = new Set<string>();
  const of = (pcId: string): string => {
    const done = memo.get(pcId);
    if (done) return done;
    if (visiting.has(pcId)) throw new Error(`the graph has a cycle through PCollection '${pcId}'`);
    visiting.add(pcId);
    const pc = pcollection(graph, pcId);
    const producer = transform(graph, pc.producer);
    const names = localNames(producer);
    const tag = Object.entries(producer.outputs).find(([, id]) => id === pcId)?.[0];
    const enclosing: Array<{ urn: string; payload: unknown; names: Map<string, string> }> = [];
    for (let p = producer.parent; p; p = graph.transforms[p]?.parent) {
      const c = transform(graph, p);
      enclosing.push({ urn: c.urn, payload: c.payload, names: localNames(c) });
    }
    const text = [
      `urn ${producer.urn}`,
      `payload ${canonical(producer.payload, names)}`,
      `output ${tag === undefined ? "?" : names.get(tag)}`,
      `coder ${canonical(pc.coder, new Map())}`,
      `windowing ${canonical(graph.windowingStrategies[pc.windowingStrategy] ?? null, new Map())}`,
      `bounded ${pc.isBounded}`,
      ...Object.entries(producer.inputs).map(([t, id]) => `input ${names.get(t)} ${of(id)}`),
      ...Object.entries(producer.sideInputs ?? {}).map(
        ([t, s]) => `side ${names.get(t)} ${s.view} ${canonical({ d: s.defaultValue, h: s.hasDefault }, names)} ${of(s.pcollection)}`,
      ),
      ...enclosing.map((c) => `within ${c.urn} ${canonical(c.payload, c.names)}`),
    ].join("\n");
    visiting.delete(pcId);
    const fp = sha256(text);
    memo.set(pcId, fp);
    return fp;
  };
  return of;
}

/** A stable sha-256 (hex) of what determines a PCollection's contents (see {@link fingerprinter}). */
export function graphFingerprint(graph: PipelineGraph, pcollectionId: string): string {
  return fingerprinter(graph)(pcollectionId);
}
