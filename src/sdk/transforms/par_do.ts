import { registerKnown } from "../../graph/functions/known_objects.js";
import { serializeValue } from "../../graph/functions/serialize.js";
import type { SideInputSpec } from "../../graph/types.js";
import { Urns } from "../../graph/types.js";
import type { Coder } from "../coders/coder.js";
import { GeneralObjectCoder } from "../coders/index.js";
import { PCollection, PCollectionTuple, PCollectionView } from "../pcollection.js";
import { TupleTag } from "../values/tuple_tag.js";
import { DoFn, type ProcessContext } from "./do_fn.js";
import { PTransform, TransformApplicationError } from "./ptransform.js";

export type DoFnLike<I, O> = DoFn<I, O> | ((element: I, c: ProcessContext<I, O>) => void);

/** A DoFn made of one function (element, context) => void. */
export class LambdaDoFn<I, O> extends DoFn<I, O> {
  constructor(readonly fn: (element: I, c: ProcessContext<I, O>) => void) {
    super();
  }
  processElement(c: ProcessContext<I, O>): void {
    this.fn(c.element(), c);
  }
  override displayName(): string {
    return this.fn.name || "Anonymous";
  }
}

export function toDoFn<I, O>(fn: DoFnLike<I, O>, what: string): DoFn<I, O> {
  if (fn instanceof DoFn) return fn;
  if (typeof fn === "function") {
    if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) {
      throw new TransformApplicationError(`${what} was given the class ${fn.name}, not an instance: use ${what}(new ${fn.name}())`);
    }
    return new LambdaDoFn(fn);
  }
  if (fn && typeof fn === "object" && typeof (fn as { processElement?: unknown }).processElement === "function") {
    throw new TransformApplicationError(`${what} needs a DoFn: make the class extend DoFn (it has processElement but is a ${(fn as object).constructor?.name})`);
  }
  throw new TransformApplicationError(`${what} needs a DoFn or a function (element, c) => void, got ${fn === null ? "null" : typeof fn}`);
}

function sideInputSpecs(views: readonly PCollectionView<unknown>[]): Record<string, SideInputSpec> {
  const specs: Record<string, SideInputSpec> = {};
  for (const v of views) {
    if (!(v instanceof PCollectionView)) {
      throw new TransformApplicationError(`withSideInputs takes views (View.asSingleton() etc.), got ${String(v)}`);
    }
    const spec: SideInputSpec = { pcollection: v.pcollection.id, view: v.kind };
    if (v.defaultValue) {
      spec.hasDefault = true;
      spec.defaultValue = serializeValue(v.defaultValue.value, {});
    }
    specs[v.tagId] = spec;
  }
  return specs;
}

export interface ParDoPayload {
  doFn: unknown;
  mainOutputTag: string;
  outputTags: string[];
}

/** Declares a ParDo primitive; element-wise transforms (Map, Filter, Keys...) use it too. */
export function expandParDo<I>(
  input: PCollection<I>,
  doFn: DoFn<I, unknown>,
  sideInputs: readonly PCollectionView<unknown>[] = [],
  mainTag = "main",
  otherTags: string[] = [],
  mainCoder: () => Coder<unknown> = () => GeneralObjectCoder.of(),
): Map<string, PCollection<unknown>> {
  if (!(input instanceof PCollection)) throw new TransformApplicationError("ParDo must be applied to a PCollection");
  for (const v of sideInputs) {
    if (v.pcollection.pipeline !== input.pipeline) throw new TransformApplicationError(`side input ${v} belongs to another pipeline`);
  }
  const p = input.pipeline;
  const where = p.currentTransformName();
  return p.primitive({
    urn: Urns.PAR_DO,
    sideInputs: sideInputSpecs(sideInputs),
    payload: (): ParDoPayload => ({
      doFn: serializeValue(doFn, { transform: where }),
      mainOutputTag: mainTag,
      outputTags: otherTags,
    }),
    outputs: [mainTag, ...otherTags].map((tag) => ({
      tag,
      coder: tag === mainTag ? mainCoder : () => GeneralObjectCoder.of(),
      windowing: input.windowingStrategy,
      isBounded: input.isBounded,
    })),
  });
}

/** ParDo.of(doFn): the element-wise primitive. */
export class ParDoSingleOutput<I, O> extends PTransform<PCollection<I>, PCollection<O>> {
  constructor(readonly doFn: DoFn<I, O>, readonly sideInputs: readonly PCollectionView<unknown>[] = []) {
    super();
  }
  withSideInputs(...views: Array<PCollectionView<any> | PCollectionView<any>[]>): ParDoSingleOutput<I, O> {
    return new ParDoSingleOutput(this.doFn, [...this.sideInputs, ...(views.flat() as PCollectionView<unknown>[])]);
  }
  withOutputTags(mainTag: TupleTag<O>, additional: TupleTag<any>[] | { tags?: TupleTag<any>[] } = []): ParDoMultiOutput<I, O> {
    const tags = Array.isArray(additional) ? additional : additional.tags ?? [];
    return new ParDoMultiOutput(this.doFn, this.sideInputs, mainTag, tags);
  }
  override defaultName(): string {
    return `ParDo(${this.doFn.displayName()})`;
  }
  expand(input: PCollection<I>): PCollection<O> {
    return expandParDo(input, this.doFn as DoFn<I, unknown>, this.sideInputs, "main", []).get("main") as PCollection<O>;
  }
}

/** ParDo with extra outputs, each named by a TupleTag. */
export class ParDoMultiOutput<I, O> extends PTransform<PCollection<I>, PCollectionTuple> {
  constructor(
    readonly doFn: DoFn<I, O>,
    readonly sideInputs: readonly PCollectionView<unknown>[],
    readonly mainTag: TupleTag<O>,
    readonly additionalTags: TupleTag<any>[],
  ) {
    super();
    const ids = [mainTag.id, ...additionalTags.map((t) => t.id)];
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) throw new TransformApplicationError(`output tag '${dup}' is used twice in withOutputTags`);
  }
  withSideInputs(...views: Array<PCollectionView<any> | PCollectionView<any>[]>): ParDoMultiOutput<I, O> {
    return new ParDoMultiOutput(this.doFn, [...this.sideInputs, ...(views.flat() as PCollectionView<unknown>[])], this.mainTag, this.additionalTags);
  }
  override defaultName(): string {
    return `ParDo(${this.doFn.displayName()})`;
  }
  expand(input: PCollection<I>): PCollectionTuple {
    const outs = expandParDo(input, this.doFn as DoFn<I, unknown>, this.sideInputs, this.mainTag.id, this.additionalTags.map((t) => t.id));
    return new PCollectionTuple(input.pipeline, [...outs.entries()]);
  }
}

export const ParDo = {
  of<I, O>(fn: DoFnLike<I, O>): ParDoSingleOutput<I, O> {
    return new ParDoSingleOutput(toDoFn(fn, "ParDo.of"));
  },
};

registerKnown("flowbook.DoFn", DoFn);
registerKnown("flowbook.LambdaDoFn", LambdaDoFn);
registerKnown("flowbook.TupleTag", TupleTag);
registerKnown("flowbook.PCollectionView", PCollectionView);
