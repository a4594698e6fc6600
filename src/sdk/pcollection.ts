import type { Coder } from "./coders/coder.js";
import type { Pipeline } from "./pipeline.js";
import type { PTransform } from "./transforms/ptransform.js";
import type { ViewKind } from "../graph/types.js";
import type { TupleTag } from "./values/tuple_tag.js";
import type { WindowingStrategy } from "./windowing/windowing_strategy.js";

/** Anything a transform can be applied to. */
export interface PValue {
  readonly pipeline: Pipeline;
}

function hidden<T extends object>(obj: T, key: string, value: unknown): void {
  // Not enumerable: a PCollection captured by a user function must not drag the pipeline along.
  Object.defineProperty(obj, key, { value, enumerable: false, writable: true, configurable: true });
}

/** An immutable, possibly unbounded collection of elements of type T. */
export class PCollection<T> implements PValue {
  declare readonly pipeline: Pipeline;
  declare private _coder: Coder<T> | undefined;
  declare private _inferCoder: () => Coder<T>;
  declare windowingStrategy: WindowingStrategy;
  declare isBounded: boolean;
  declare readonly id: string;
  declare readonly producerId: string;
  declare readonly tag: string;

  constructor(pipeline: Pipeline, id: string, producerId: string, tag: string, inferCoder: () => Coder<T>, windowing: WindowingStrategy, isBounded: boolean) {
    hidden(this, "pipeline", pipeline);
    hidden(this, "id", id);
    hidden(this, "producerId", producerId);
    hidden(this, "tag", tag);
    hidden(this, "_coder", undefined);
    hidden(this, "_inferCoder", inferCoder);
    hidden(this, "windowingStrategy", windowing);
    hidden(this, "isBounded", isBounded);
  }

  apply<O>(transform: PTransform<PCollection<T>, O>): O;
  apply<O>(name: string, transform: PTransform<PCollection<T>, O>): O;
  apply<O>(a: string | PTransform<PCollection<T>, O>, b?: PTransform<PCollection<T>, O>): O {
    return typeof a === "string" ? this.pipeline.applyTransform(a, b!, this) : this.pipeline.applyTransform(undefined, a, this);
  }

  /** Sugar for MapElements.via(fn). */
  map<O>(fn: (element: T) => O, name?: string): PCollection<O> {
    return this.pipeline.sugar.map(this, fn, name);
  }
  /** Sugar for FlatMapElements.via(fn). */
  flatMap<O>(fn: (element: T) => Iterable<O>, name?: string): PCollection<O> {
    return this.pipeline.sugar.flatMap(this, fn, name);
  }
  /** Sugar for Filter.by(fn). */
  filter(fn: (element: T) => boolean, name?: string): PCollection<T> {
    return this.pipeline.sugar.filter(this, fn, name);
  }

  /** Sets the coder of this collection's elements (where inference cannot know the type). */
  setCoder(coder: Coder<T>): this {
    // A grouping already applied to this collection must not get a non-deterministic key coder.
    this.pipeline.checkCoderChange(this as PCollection<unknown>, coder as Coder<unknown>);
    this._coder = coder;
    return this;
  }

  getCoder(): Coder<T> {
    if (!this._coder) this._coder = this._inferCoder();
    return this._coder;
  }

  hasExplicitCoder(): boolean {
    return this._coder !== undefined;
  }

  /** The producer's full name plus the output tag. */
  get name(): string {
    return this.pipeline.pcollectionName(this);
  }

  toString(): string {
    return `PCollection(${this.name})`;
  }

  /** How a cell's value or console.log shows it (its fields are hidden, so util.inspect saw `PCollection {}`). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `${this.toString()}: show(it) or collect(it) computes it`;
  }
}

/** The input of root transforms (Create, TextIO.read). */
export class PBegin implements PValue {
  declare readonly pipeline: Pipeline;
  constructor(pipeline: Pipeline) {
    hidden(this, "pipeline", pipeline);
  }
  apply<O>(transform: PTransform<PBegin, O>): O;
  apply<O>(name: string, transform: PTransform<PBegin, O>): O;
  apply<O>(a: string | PTransform<PBegin, O>, b?: PTransform<PBegin, O>): O {
    return typeof a === "string" ? this.pipeline.applyTransform(a, b!, this) : this.pipeline.applyTransform(undefined, a, this);
  }
}

/** The output of sinks. */
export class PDone implements PValue {
  declare readonly pipeline: Pipeline;
  constructor(pipeline: Pipeline) {
    hidden(this, "pipeline", pipeline);
  }
}

/** The outputs of a multi-output ParDo, by TupleTag. */
export class PCollectionTuple implements PValue {
  declare readonly pipeline: Pipeline;
  declare private readonly byId: Map<string, PCollection<unknown>>;
  constructor(pipeline: Pipeline, entries: Array<[TupleTag<unknown> | string, PCollection<unknown>]> = []) {
    hidden(this, "pipeline", pipeline);
    hidden(this, "byId", new Map(entries.map(([t, pc]) => [typeof t === "string" ? t : t.id, pc])));
  }
  static of<T>(tag: TupleTag<T>, pc: PCollection<T>): PCollectionTuple {
    return new PCollectionTuple(pc.pipeline, [[tag as TupleTag<unknown>, pc as PCollection<unknown>]]);
  }
  and<T>(tag: TupleTag<T>, pc: PCollection<T>): PCollectionTuple {
    return new PCollectionTuple(this.pipeline, [...this.byId.entries(), [tag.id, pc as PCollection<unknown>]]);
  }
  get<T>(tag: TupleTag<T> | string): PCollection<T> {
    const id = typeof tag === "string" ? tag : tag.id;
    const pc = this.byId.get(id);
    if (!pc) throw new Error(`no output with tag '${id}' (have: ${[...this.byId.keys()].join(", ")})`);
    return pc as PCollection<T>;
  }
  has(tag: TupleTag<unknown> | string): boolean {
    return this.byId.has(typeof tag === "string" ? tag : tag.id);
  }
  getAll(): Map<string, PCollection<unknown>> {
    return new Map(this.byId);
  }
  apply<O>(transform: PTransform<PCollectionTuple, O>): O;
  apply<O>(name: string, transform: PTransform<PCollectionTuple, O>): O;
  apply<O>(a: string | PTransform<PCollectionTuple, O>, b?: PTransform<PCollectionTuple, O>): O {
    return typeof a === "string" ? this.pipeline.applyTransform(a, b!, this) : this.pipeline.applyTransform(undefined, a, this);
  }
}

/** An ordered list of PCollections (Flatten's input, Partition's output). */
export class PCollectionList<T> implements PValue {
  declare readonly pipeline: Pipeline;
  declare private readonly items: PCollection<T>[];
  constructor(pipeline: Pipeline, items: PCollection<T>[]) {
    hidden(this, "pipeline", pipeline);
    hidden(this, "items", items);
  }
  static of<T>(...pcs: Array<PCollection<T> | PCollection<T>[]>): PCollectionList<T> {
    const items = pcs.flat() as PCollection<T>[];
    if (items.length === 0) throw new Error("PCollectionList.of needs at least one PCollection (use PCollectionList.empty(p))");
    return new PCollectionList(items[0]!.pipeline, items);
  }
  static empty<T>(pipeline: Pipeline): PCollectionList<T> {
    return new PCollectionList<T>(pipeline, []);
  }
  and(pc: PCollection<T> | PCollection<T>[]): PCollectionList<T> {
    return new PCollectionList(this.pipeline, [...this.items, ...(Array.isArray(pc) ? pc : [pc])]);
  }
  get(i: number): PCollection<T> {
    const pc = this.items[i];
    if (!pc) throw new RangeError(`PCollectionList has ${this.items.length} items, no index ${i}`);
    return pc;
  }
  size(): number {
    return this.items.length;
  }
  getAll(): PCollection<T>[] {
    return [...this.items];
  }
  apply<O>(transform: PTransform<PCollectionList<T>, O>): O;
  apply<O>(name: string, transform: PTransform<PCollectionList<T>, O>): O;
  apply<O>(a: string | PTransform<PCollectionList<T>, O>, b?: PTransform<PCollectionList<T>, O>): O {
    return typeof a === "string" ? this.pipeline.applyTransform(a, b!, this) : this.pipeline.applyTransform(undefined, a, this);
  }
}

let nextView = 0;

/** A PCollection seen whole by a ParDo as a side input (View.asSingleton etc.). */
export class PCollectionView<T> {
  declare readonly __type?: T;
  readonly tagId: string;
  readonly kind: ViewKind;
  declare readonly pcollection: PCollection<unknown>;
  declare readonly defaultValue: { value: unknown } | undefined;
  constructor(pcollection: PCollection<unknown>, kind: ViewKind, defaultValue?: { value: unknown }) {
    this.tagId = `side${nextView++}`;
    this.kind = kind;
    hidden(this, "pcollection", pcollection);
    hidden(this, "defaultValue", defaultValue);
  }
  toString(): string {
    return `PCollectionView(${this.kind} of ${this.pcollection.name})`;
  }
}

/** Every PCollection inside an input or output value, with its local tag. */
export function pcollectionsOf(value: unknown): Array<[string, PCollection<unknown>]> {
  if (value instanceof PCollection) return [["main", value]];
  if (value instanceof PCollectionTuple) return [...value.getAll().entries()];
  if (value instanceof PCollectionList) return value.getAll().map((pc, i) => [String(i), pc]);
  if (value && typeof value === "object" && "pcollections" in value && typeof (value as { pcollections: unknown }).pcollections === "function") {
    return (value as { pcollections(): Array<[string, PCollection<unknown>]> }).pcollections();
  }
  return [];
}
