/**
 * Wire coders: how a PCollection's elements are encoded in the records that travel
 * between Flink operators.
 *
 * Java never decodes values, but it must find keys: `group_by_key` and `combine` walk
 * the key of each `KV` record with the key coder to learn where it ends. Java knows
 * Beam's standard coders only (docs/flink-plan.md, "Coder specs"), so a key whose coder
 * it does not know (JSON, Avro, GeneralObjectCoder, custom) travels wrapped in
 * `length_prefix`, as Beam's portable runners do. And an input of a grouping whose coder
 * is not a KvCoder at all (a ParDo's default GeneralObjectCoder over KV objects) travels
 * as `KV<length_prefix(general), general>`: the same key and value coders the local runner
 * uses for it (`kvCoders`), so both runners group by the same bytes.
 *
 * The values user code sees are unchanged: a length prefix decodes to the same value.
 */
import type { PipelineGraph, TransformNode } from "../../../graph/types.js";
import { Urns } from "../../../graph/types.js";
import type { CoderSpec } from "../../../sdk/coders/coder.js";

export const CoderUrns = {
  BYTES: "beam:coder:bytes:v1",
  STRING: "beam:coder:string_utf8:v1",
  VARINT: "beam:coder:varint:v1",
  DOUBLE: "beam:coder:double:v1",
  BOOL: "beam:coder:bool:v1",
  KV: "beam:coder:kv:v1",
  ITERABLE: "beam:coder:iterable:v1",
  NULLABLE: "beam:coder:nullable:v1",
  LENGTH_PREFIX: "beam:coder:length_prefix:v1",
  GLOBAL_WINDOW: "beam:coder:global_window:v1",
  INTERVAL_WINDOW: "beam:coder:interval_window:v1",
  GENERAL: "flowbook:coder:general:v1",
} as const;

/** Coders the bridge can walk, with how many components each has. */
const JAVA_CODERS: Record<string, number> = {
  [CoderUrns.BYTES]: 0,
  [CoderUrns.STRING]: 0,
  [CoderUrns.VARINT]: 0,
  [CoderUrns.DOUBLE]: 0,
  [CoderUrns.BOOL]: 0,
  [CoderUrns.KV]: 2,
  [CoderUrns.ITERABLE]: 1,
  [CoderUrns.NULLABLE]: 1,
  [CoderUrns.GLOBAL_WINDOW]: 0,
  [CoderUrns.INTERVAL_WINDOW]: 0,
};

/** True if the bridge can find the end of a value encoded with this coder. */
export function isJavaWalkable(spec: CoderSpec): boolean {
  if (spec.urn === CoderUrns.LENGTH_PREFIX) return true;
  const n = JAVA_CODERS[spec.urn];
  if (n === undefined) return false;
  const comps = spec.components ?? [];
  return comps.length === n && comps.every(isJavaWalkable);
}

/** A key coder as it travels: itself if Java can walk it, else length-prefixed. */
export function wireKeyCoder(spec: CoderSpec): CoderSpec {
  return isJavaWalkable(spec) ? spec : { urn: CoderUrns.LENGTH_PREFIX, components: [spec] };
}

export function sameCoder(a: CoderSpec, b: CoderSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What a consumer needs of its input's records (see the module doc). */
export type WireRequirement = "kv" | "string";

/** A check the producing worker makes before it encodes an element for such a consumer. */
export interface OutputCheck {
  kind: WireRequirement;
  /** The consumer's full name, for the error. */
  transform: string;
}

const GENERAL: CoderSpec = { urn: CoderUrns.GENERAL };

/** The wire coders of all PCollections of a graph (computed once per translation). */
export class WireCoders {
  private readonly coders = new Map<string, CoderSpec>();
  /** PCollection id → the checks its producer must make (a non-KV coder made KV, a general coder made string). */
  readonly checks = new Map<string, OutputCheck>();

  constructor(graph: PipelineGraph) {
    const need = new Map<string, OutputCheck>();
    for (const t of Object.values(graph.transforms)) {
      const main = mainInput(t);
      if (main === undefined) continue;
      if (t.urn === Urns.GROUP_BY_KEY || t.urn === Urns.COMBINE_PER_KEY) need.set(main, { kind: "kv", transform: t.fullName });
      // Text sinks write strings; ConsoleIO formats other values itself (translators/console_write.ts).
      else if (t.urn === Urns.TEXT_WRITE && !need.has(main)) need.set(main, { kind: "string", transform: t.fullName });
    }
    for (const [id, pc] of Object.entries(graph.pcollections)) {
      const n = need.get(id);
      let spec = pc.coder;
      if (spec.urn === CoderUrns.KV && spec.components?.length === 2) {
        spec = { ...spec, components: [wireKeyCoder(spec.components[0]!), spec.components[1]!] };
      } else if (n?.kind === "kv") {
        spec = { urn: CoderUrns.KV, components: [wireKeyCoder(GENERAL), GENERAL] };
        this.checks.set(id, n);
      } else if (n?.kind === "string" && spec.urn === CoderUrns.GENERAL) {
        spec = { urn: CoderUrns.STRING };
        this.checks.set(id, n);
      }
      this.coders.set(id, spec);
    }
  }

  /** The wire coder of a PCollection's elements. */
  of(pcollection: string): CoderSpec {
    const c = this.coders.get(pcollection);
    if (!c) throw new Error(`no PCollection '${pcollection}' in the graph`);
    return c;
  }

  /** The key and value wire coders of a KV PCollection. */
  kv(pcollection: string): { key: CoderSpec; value: CoderSpec } | undefined {
    const c = this.of(pcollection);
    if (c.urn !== CoderUrns.KV || c.components?.length !== 2) return undefined;
    return { key: c.components[0]!, value: c.components[1]! };
  }
}

function mainInput(t: TransformNode): string | undefined {
  return t.inputs["main"] ?? Object.values(t.inputs)[0];
}
