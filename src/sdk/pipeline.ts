import { GRAPH_FORMAT, Urns, type PipelineGraph, type SideInputSpec, type TransformNode } from "../graph/types.js";
import { coderFromSpec, type Coder } from "./coders/coder.js";
import { PBegin, PCollection, pcollectionsOf, type PValue } from "./pcollection.js";
import type { PipelineOptions } from "./pipeline_options.js";
import { notifyPipelineRun, resolveRunner, type PipelineResult, type RunRequest } from "./runner.js";
import { PTransform, TransformApplicationError } from "./transforms/ptransform.js";
import { WindowingStrategy } from "./windowing/windowing_strategy.js";
import { callerLocation } from "./internal/stack.js";

export { callerLocation };

/** What a primitive transform declares when it expands. */
export interface PrimitiveSpec {
  urn: string;
  /** Built when the graph is serialized, so functions capture their values at run(). */
  payload?: () => unknown;
  sideInputs?: Record<string, SideInputSpec>;
  outputs: Array<{
    tag: string;
    coder: () => Coder<unknown>;
    windowing: WindowingStrategy;
    isBounded: boolean;
  }>;
}

interface Node {
  id: string;
  fullName: string;
  name: string;
  urn: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  sideInputs?: Record<string, SideInputSpec>;
  subtransforms: string[];
  parent?: string;
  payload?: () => unknown;
  /** Payload of a graph read back from JSON. */
  payloadJSON?: unknown;
  owner?: string;
  /** Which run of the owner applied it: a cell applying a name twice in one run gets two transforms. */
  ownerRun?: number;
  appliedAt?: string;
  /** The transform's default name (Beam's kind string). */
  kind?: string;
  stale?: boolean;
  /** Groups its inputs by encoded key (set by GroupByKey and CoGroupByKey when they expand). */
  groupsByKey?: boolean;
}

/** The key coder a grouping uses for a PCollection with this coder (GeneralObjectCoder's, deterministic, unless a KvCoder). */
function keyCoderOf(coder: Coder<unknown>): Coder<unknown> | undefined {
  return coder.urn === "beam:coder:kv:v1" ? coder.components()[0] : undefined;
}

function nonDeterministicKey(coder: Coder<unknown>): { key: Coder<unknown>; reason: string } | undefined {
  const key = keyCoderOf(coder);
  if (!key || key.isDeterministic()) return undefined;
  return { key, reason: key.nonDeterminismReason() ?? "equal keys may encode differently" };
}

const DETERMINISTIC_HINT = "Set a deterministic key coder with .setCoder(KvCoder.of(StringUtf8Coder.of(), ...)) or similar";

/** Element-wise sugar on PCollection, installed by the transforms module to avoid an import cycle. */
export interface Sugar {
  map<T, O>(pc: PCollection<T>, fn: (e: T) => O, name?: string): PCollection<O>;
  flatMap<T, O>(pc: PCollection<T>, fn: (e: T) => Iterable<O>, name?: string): PCollection<O>;
  filter<T>(pc: PCollection<T>, fn: (e: T) => boolean, name?: string): PCollection<T>;
}
let sugar: Sugar | undefined;
export function installSugar(s: Sugar): void {
  sugar = s;
}

let transformOwner: string | undefined;
/** Counts setTransformOwner calls: each run of a cell is a new generation of its transforms. */
let ownerRun = 0;
/**
 * While set, transforms applied are tagged with this owner (a notebook cell), and
 * re-applying a full name with the same owner replaces the old transform.
 */
export function setTransformOwner(owner: string | undefined): void {
  transformOwner = owner;
  if (owner !== undefined) ownerRun++;
}

const createdListeners = new Set<(p: Pipeline) => void>();
/**
 * Calls `listener` with every Pipeline created from now on, until the returned function is
 * called: how a session knows the pipelines its cells built (to show or explain them).
 */
export function onPipelineCreated(listener: (p: Pipeline) => void): () => void {
  createdListeners.add(listener);
  return () => createdListeners.delete(listener);
}

let defaultOptions: PipelineOptions = {};
/** Options for Pipeline.create() calls that do not set them (from `flowbook run --runner`). */
export function setDefaultPipelineOptions(options: PipelineOptions): void {
  defaultOptions = { ...options };
}

let nextPipeline = 0;

/** A directed graph of transforms, built by applying transforms to PCollections. */
export class Pipeline {
  readonly options: PipelineOptions;
  private readonly nodes = new Map<string, Node>();
  private readonly pcolls = new Map<string, PCollection<unknown>>();
  private readonly byFullName = new Map<string, string>();
  private readonly roots: string[] = [];
  private readonly stack: Node[] = [];
  /** PCollection ids replaced by a re-applied transform, old → new. */
  private readonly aliases = new Map<string, string>();
  private nextId = 0;
  readonly name: string;

  protected constructor(options: PipelineOptions) {
    this.options = { ...defaultOptions, ...options };
    this.name = this.options.name ?? `flowbook-pipeline-${nextPipeline++}`;
    for (const l of createdListeners) l(this);
  }

  static create(options: PipelineOptions = {}): Pipeline {
    return new Pipeline(options);
  }

  begin(): PBegin {
    return new PBegin(this);
  }

  apply<O>(transform: PTransform<PBegin, O>): O;
  apply<O>(name: string, transform: PTransform<PBegin, O>): O;
  apply<O>(a: string | PTransform<PBegin, O>, b?: PTransform<PBegin, O>): O {
    return typeof a === "string" ? this.applyTransform(a, b!, this.begin()) : this.applyTransform(undefined, a, this.begin());
  }

  get sugar(): Sugar {
    if (!sugar) throw new Error("flowbook transforms are not loaded");
    return sugar;
  }

  /** Applies a transform to an input; used by every apply() method. */
  applyTransform<I extends PValue, O>(name: string | undefined, transform: PTransform<I, O>, input: I): O {
    if (!(transform instanceof PTransform)) {
      throw new TransformApplicationError(`apply(${name ? JSON.stringify(name) + ", " : ""}...) expects a PTransform, got ${describe(transform)}${whereApplied()}`);
    }
    if (input.pipeline !== this) {
      throw new TransformApplicationError(`cannot apply '${name ?? transform.defaultName()}': its input belongs to another pipeline`);
    }
    const parent = this.stack[this.stack.length - 1];
    const explicit = name !== undefined;
    if (explicit && (name === "" || name.includes("/"))) {
      throw new TransformApplicationError(`transform name ${JSON.stringify(name)} must be non-empty and must not contain '/'${whereApplied()}`);
    }
    const baseName = name ?? transform.defaultName();
    let fullName = parent ? `${parent.fullName}/${baseName}` : baseName;

    let replacing: Node | undefined;
    const owner = parent ? parent.owner : transformOwner;
    const run = parent ? parent.ownerRun : ownerRun;
    // Applied by an earlier run of the same cell: this application replaces it.
    const replaceable = (n: Node) => owner !== undefined && n.owner === owner && n.ownerRun !== run && !this.isInsideStack(n);
    const existingId = this.byFullName.get(fullName);
    if (existingId) {
      const existing = this.nodes.get(existingId)!;
      if (replaceable(existing)) {
        replacing = existing;
      } else if (explicit || parent) {
        throw new TransformApplicationError(
          `a transform named '${fullName}' already exists in this pipeline; give this one another name with apply("OtherName", ...)${whereApplied()}`,
        );
      } else {
        // Unnamed at the top level: number it, as Beam Java does for non-unique default names
        // (taking over the numbered name an earlier run of this cell gave).
        let i = 2;
        for (let id = this.byFullName.get(`${baseName}${i}`); id !== undefined; id = this.byFullName.get(`${baseName}${++i}`)) {
          if (replaceable(this.nodes.get(id)!)) {
            replacing = this.nodes.get(id)!;
            break;
          }
        }
        fullName = `${baseName}${i}`;
      }
    }

    const node: Node = {
      id: `t${this.nextId++}`,
      fullName,
      name: fullName.slice(fullName.lastIndexOf("/") + 1),
      urn: "",
      inputs: Object.fromEntries(pcollectionsOf(input).map(([tag, pc]) => [tag, pc.id])),
      outputs: {},
      subtransforms: [],
      parent: parent?.id,
      owner,
      ownerRun: run,
      appliedAt: parent ? parent.appliedAt : callerLocation(),
      kind: transform.defaultName(),
    };
    this.nodes.set(node.id, node);
    this.byFullName.set(fullName, node.id);
    if (replacing) this.replaceInParent(replacing, node);
    else if (parent) parent.subtransforms.push(node.id);
    else this.roots.push(node.id);

    this.stack.push(node);
    let output: O;
    try {
      output = transform.expand(input);
    } catch (e) {
      this.stack.pop();
      this.removeSubtree(node);
      if (replacing) this.restore(replacing, node);
      if (!(e instanceof Error) || (e instanceof TransformApplicationError && e.message.includes(fullName))) throw e;
      const message = e.message.replace(/ \(at [^)]*:\d+:\d+\)$/, "");
      const err = new TransformApplicationError(`cannot apply '${fullName}': ${message}${node.appliedAt ? ` (applied at ${node.appliedAt})` : ""}`);
      (err as Error & { cause?: unknown }).cause = e;
      throw err;
    } finally {
      if (this.stack[this.stack.length - 1] === node) this.stack.pop();
    }
    if (!node.urn) {
      const spec = transform.compositeSpec();
      node.urn = spec ? spec.urn : "flowbook:transform:composite:v1";
      if (spec) node.payload = spec.payload;
      for (const [tag, pc] of pcollectionsOf(output)) node.outputs[tag] = pc.id;
    }
    if (replacing) this.finishReplacement(replacing, node);
    return output;
  }

  /** Called by a primitive's expand(): declares its kind and creates its outputs. */
  primitive(spec: PrimitiveSpec): Map<string, PCollection<unknown>> {
    const node = this.stack[this.stack.length - 1];
    if (!node) throw new Error("primitive() called outside of apply()");
    if (node.urn) throw new Error(`transform '${node.fullName}' declared itself primitive twice`);
    node.urn = spec.urn;
    node.payload = spec.payload;
    if (spec.sideInputs && Object.keys(spec.sideInputs).length) node.sideInputs = spec.sideInputs;
    const out = new Map<string, PCollection<unknown>>();
    for (const o of spec.outputs) {
      const id = `pc${this.nextId++}`;
      const pc = new PCollection<unknown>(this, id, node.id, o.tag, o.coder, o.windowing, o.isBounded);
      this.pcolls.set(id, pc);
      node.outputs[o.tag] = id;
      out.set(o.tag, pc);
    }
    return out;
  }

  /** Marks the transform being expanded as one that groups its inputs by encoded key. */
  noteKeyGrouping(): void {
    const node = this.stack[this.stack.length - 1];
    if (node) node.groupsByKey = true;
  }

  private groupsByKey(n: Node): boolean {
    return n.groupsByKey === true || n.urn === Urns.GROUP_BY_KEY || n.urn === Urns.COMBINE_PER_KEY;
  }

  /**
   * Called by PCollection.setCoder: a PCollection that a GroupByKey, Combine.perKey or
   * CoGroupByKey already groups by key must keep a deterministic key coder (keys are
   * compared as encoded bytes). Names the outermost transform applied to it that groups it.
   */
  checkCoderChange(pc: PCollection<unknown>, coder: Coder<unknown>): void {
    const bad = nonDeterministicKey(coder);
    if (!bad) return;
    const id = this.resolve(pc.id);
    const takes = (n: Node) => Object.values(n.inputs).some((i) => this.resolve(i) === id);
    for (const n of this.nodes.values()) {
      if (!this.groupsByKey(n) || !takes(n)) continue;
      let outer = n;
      for (let p = outer.parent ? this.nodes.get(outer.parent) : undefined; p && takes(p); p = p.parent ? this.nodes.get(p.parent) : undefined) outer = p;
      const inner = outer === n ? "" : ` (through '${n.fullName}')`;
      throw new TransformApplicationError(
        `setCoder(${coder}) on ${pc.name} refused: '${outer.fullName}'${inner}${outer.appliedAt ? ` (applied at ${outer.appliedAt})` : ""}` +
          ` groups ${pc.name} by key, and keys are compared as encoded bytes, but the new key coder ${bad.key} is not deterministic (${bad.reason}).` +
          ` ${DETERMINISTIC_HINT}${whereApplied()}`,
      );
    }
  }

  /** Every transform that groups by key must have deterministic key coders on its inputs (checked at toJSON, so at run()). */
  private checkKeyCoders(): void {
    for (const n of this.nodes.values()) {
      if (!this.groupsByKey(n)) continue;
      for (const id of Object.values(n.inputs)) {
        const pc = this.pcolls.get(this.resolve(id));
        if (!pc) continue;
        const bad = nonDeterministicKey(pc.getCoder());
        if (!bad) continue;
        throw new TransformApplicationError(
          `${n.fullName} cannot group ${pc.name}: its key coder ${bad.key} is not deterministic (${bad.reason}), and keys are compared as encoded bytes.` +
            ` ${DETERMINISTIC_HINT}${n.appliedAt ? ` (applied at ${n.appliedAt})` : ""}`,
        );
      }
    }
  }

  /** The full name of the transform being expanded (for error messages). */
  currentTransformName(): string | undefined {
    return this.stack[this.stack.length - 1]?.fullName;
  }

  pcollectionName(pc: PCollection<unknown>): string {
    const producer = this.nodes.get(pc.producerId);
    return `${producer?.fullName ?? "?"}.${pc.tag === "main" ? "out" : pc.tag}`;
  }

  pcollection(id: string): PCollection<unknown> | undefined {
    return this.pcolls.get(this.resolve(id));
  }

  /** Transforms downstream of a re-applied transform, whose cached results are out of date. */
  staleTransforms(): string[] {
    return [...this.nodes.values()].filter((n) => n.stale).map((n) => n.fullName);
  }

  /** The id a PCollection goes by now: a re-applied transform's outputs replace the old ones. */
  currentPCollectionId(id: string): string {
    return this.resolve(id);
  }

  private resolve(id: string): string {
    let cur = id;
    for (let i = 0; i < 1000 && this.aliases.has(cur); i++) cur = this.aliases.get(cur)!;
    return cur;
  }

  private isInsideStack(n: Node): boolean {
    return this.stack.some((s) => s.id === n.id);
  }

  private replaceInParent(old: Node, fresh: Node): void {
    const list = old.parent ? this.nodes.get(old.parent)!.subtransforms : this.roots;
    const i = list.indexOf(old.id);
    list.splice(i, 1, fresh.id);
    // Take the old subtree out of the name index while the new one expands.
    this.forEachInSubtree(old, (n) => {
      if (this.byFullName.get(n.fullName) === n.id) this.byFullName.delete(n.fullName);
    });
    this.byFullName.set(fresh.fullName, fresh.id);
  }

  private restore(old: Node, fresh: Node): void {
    const list = old.parent ? this.nodes.get(old.parent)!.subtransforms : this.roots;
    const i = list.indexOf(fresh.id);
    if (i >= 0) list.splice(i, 1, old.id);
    this.forEachInSubtree(old, (n) => this.byFullName.set(n.fullName, n.id));
  }

  private finishReplacement(old: Node, fresh: Node): void {
    // Consumers of the old outputs now read the new ones, and their results are stale.
    const moved = new Map<string, string>();
    for (const [tag, id] of Object.entries(old.outputs)) {
      const nid = fresh.outputs[tag];
      if (nid) {
        moved.set(id, nid);
        this.aliases.set(id, nid);
      }
    }
    this.forEachInSubtree(old, (n) => {
      this.nodes.delete(n.id);
      for (const id of Object.values(n.outputs)) if (!moved.has(id)) this.pcolls.delete(id);
    });
    for (const id of moved.keys()) this.pcolls.delete(id);
    const staleInputs = new Set(moved.values());
    let changed = true;
    while (changed) {
      changed = false;
      for (const n of this.nodes.values()) {
        if (n.stale) continue;
        let touched = false;
        for (const [tag, id] of Object.entries(n.inputs)) {
          const r = this.resolve(id);
          if (r !== id) n.inputs[tag] = r;
          if (staleInputs.has(r)) touched = true;
        }
        for (const s of Object.values(n.sideInputs ?? {})) {
          const r = this.resolve(s.pcollection);
          s.pcollection = r;
          if (staleInputs.has(r)) touched = true;
        }
        if (touched) {
          n.stale = true;
          changed = true;
          for (const id of Object.values(n.outputs)) staleInputs.add(id);
        }
      }
    }
  }

  private forEachInSubtree(n: Node, f: (n: Node) => void): void {
    f(n);
    for (const c of n.subtransforms) {
      const child = this.nodes.get(c);
      if (child) this.forEachInSubtree(child, f);
    }
  }

  private removeSubtree(n: Node): void {
    this.forEachInSubtree(n, (x) => {
      this.nodes.delete(x.id);
      if (this.byFullName.get(x.fullName) === x.id) this.byFullName.delete(x.fullName);
      for (const id of Object.values(x.outputs)) this.pcolls.delete(id);
    });
    const list = n.parent ? this.nodes.get(n.parent)?.subtransforms : this.roots;
    if (list) {
      const i = list.indexOf(n.id);
      if (i >= 0) list.splice(i, 1);
    }
  }

  /**
   * The JSON form both runners execute. User functions are serialized here, so a
   * capture that cannot travel is refused now, naming the variable and the transform.
   */
  toJSON(): PipelineGraph {
    this.checkKeyCoders();
    const windowingIds = new Map<string, string>();
    const graph: PipelineGraph = {
      format: GRAPH_FORMAT,
      name: this.name,
      options: jsonOptions(this.options),
      rootTransforms: [...this.roots],
      transforms: {},
      pcollections: {},
      windowingStrategies: {},
    };
    for (const n of this.nodes.values()) {
      const t: TransformNode = {
        id: n.id,
        fullName: n.fullName,
        name: n.name,
        urn: n.urn,
        inputs: Object.fromEntries(Object.entries(n.inputs).map(([k, v]) => [k, this.resolve(v)])),
        outputs: { ...n.outputs },
        subtransforms: [...n.subtransforms],
      };
      if (n.sideInputs) t.sideInputs = JSON.parse(JSON.stringify(n.sideInputs));
      if (n.parent) t.parent = n.parent;
      if (n.appliedAt) t.appliedAt = n.appliedAt;
      // Composites only: a primitive's URN says its kind.
      if (n.kind && n.subtransforms.length) t.kind = n.kind;
      if (n.payload) {
        try {
          t.payload = n.payload();
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          const err = new TransformApplicationError(
            msg.includes(n.fullName) ? msg : `cannot send transform '${n.fullName}' to the runner: ${msg}`,
          );
          (err as Error & { cause?: unknown }).cause = e;
          throw err;
        }
      } else if (n.payloadJSON !== undefined) {
        t.payload = n.payloadJSON;
      }
      graph.transforms[n.id] = t;
    }
    for (const pc of this.pcolls.values()) {
      const ws = pc.windowingStrategy.toSpec();
      const key = JSON.stringify(ws);
      let wsId = windowingIds.get(key);
      if (!wsId) {
        wsId = `ws${windowingIds.size}`;
        windowingIds.set(key, wsId);
        graph.windowingStrategies[wsId] = ws;
      }
      graph.pcollections[pc.id] = {
        id: pc.id,
        name: pc.name,
        coder: pc.getCoder().toSpec(),
        windowingStrategy: wsId,
        isBounded: pc.isBounded,
        producer: pc.producerId,
      };
    }
    return graph;
  }

  /** A pipeline that runs a graph read back from JSON. */
  static fromJSON(graph: PipelineGraph, options: PipelineOptions = {}): Pipeline {
    if (graph.format !== GRAPH_FORMAT) throw new Error(`not a flowbook pipeline graph (format ${JSON.stringify(graph.format)})`);
    const p = new Pipeline({ ...(graph.options as PipelineOptions), ...options });
    (p as { name: string }).name = graph.name;
    let maxId = 0;
    const num = (id: string) => Number(id.replace(/^\D+/, "")) || 0;
    for (const t of Object.values(graph.transforms)) {
      const node: Node = {
        id: t.id, fullName: t.fullName, name: t.name, urn: t.urn,
        inputs: { ...t.inputs }, outputs: { ...t.outputs }, subtransforms: [...t.subtransforms],
        payloadJSON: t.payload,
      };
      if (t.sideInputs) node.sideInputs = JSON.parse(JSON.stringify(t.sideInputs));
      if (t.parent) node.parent = t.parent;
      if (t.appliedAt) node.appliedAt = t.appliedAt;
      if (t.kind) node.kind = t.kind;
      p.nodes.set(t.id, node);
      p.byFullName.set(t.fullName, t.id);
      maxId = Math.max(maxId, num(t.id));
    }
    for (const pcj of Object.values(graph.pcollections)) {
      const coder = coderFromSpec(pcj.coder);
      const ws = WindowingStrategy.fromSpec(graph.windowingStrategies[pcj.windowingStrategy]!);
      const producer = graph.transforms[pcj.producer]!;
      const tag = Object.entries(producer.outputs).find(([, id]) => id === pcj.id)?.[0] ?? "main";
      const pc = new PCollection<unknown>(p, pcj.id, pcj.producer, tag, () => coder, ws, pcj.isBounded);
      p.pcolls.set(pcj.id, pc);
      maxId = Math.max(maxId, num(pcj.id));
    }
    p.roots.push(...graph.rootTransforms);
    p.nextId = maxId + 1;
    return p;
  }

  /** Runs the pipeline on the runner its options name ("direct" unless set). */
  run(request: Omit<RunRequest, "graph" | "options"> = {}): PipelineResult {
    const graph = this.toJSON();
    const runner = resolveRunner(this.options.runner);
    const result = runner.run({ ...request, graph, options: this.options });
    notifyPipelineRun(result, graph);
    return result;
  }

  toString(): string {
    return `Pipeline(${this.name}, ${this.nodes.size} transforms)`;
  }
}

function jsonOptions(o: PipelineOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || typeof v === "function" || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)) continue;
    out[k] = v;
  }
  return out;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "function") return `a function${x.name ? ` '${x.name}'` : ""} (wrap it: ParDo.of(fn) or MapElements.via(fn))`;
  if (typeof x === "object") return `an object of class ${(x as object).constructor?.name ?? "Object"}`;
  return `${typeof x} ${String(x)}`;
}

function whereApplied(): string {
  const at = callerLocation();
  return at ? ` (at ${at})` : "";
}
