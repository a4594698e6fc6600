import { knownName } from "../../graph/functions/known_objects.js";
import { rebuildValueSync, serializeValue, type SerializedValue } from "../../graph/functions/serialize.js";
import type { CoderSpec } from "../../graph/types.js";
import { ByteReader, ByteWriter } from "./byte_io.js";

// The graph's JSON form owns the type (the graph layer imports nothing from the SDK).
export type { CoderSpec };

/**
 * Turns elements into bytes and back. Encodings are Beam's "nested" encodings, so
 * an encoded element is self-delimiting and can be concatenated with others.
 */
export abstract class Coder<T> {
  abstract readonly urn: string;
  abstract encode(value: T, out: ByteWriter): void;
  abstract decode(input: ByteReader): T;

  /** Equal values give equal bytes. GroupByKey needs this of its key coder. */
  isDeterministic(): boolean {
    return true;
  }

  /** Why this coder is not deterministic (for error messages), or undefined. */
  nonDeterminismReason(): string | undefined {
    return this.isDeterministic() ? undefined : `${this.toString()} is not deterministic`;
  }

  components(): Coder<unknown>[] {
    return [];
  }

  payload(): unknown {
    return undefined;
  }

  toSpec(): CoderSpec {
    // A coder written by the user travels by value, like the user's functions: workers
    // and Flink's Node workers do not load the user's modules to find its URN.
    if (!factories.has(this.urn) || knownName(this.constructor) === undefined) {
      return { urn: SERIALIZED_CODER_URN, payload: serializeValue(this, { variable: `coder ${this.toString()}` }) };
    }
    const spec: CoderSpec = { urn: this.urn };
    const components = this.components();
    if (components.length) spec.components = components.map((c) => c.toSpec());
    const payload = this.payload();
    if (payload !== undefined) spec.payload = payload;
    return spec;
  }

  encodeToBytes(value: T): Uint8Array {
    const w = takeScratch();
    try {
      this.encode(value, w);
      return w.toBytes();
    } finally {
      returnScratch(w);
    }
  }

  decodeFromBytes(bytes: Uint8Array): T {
    const r = new ByteReader(bytes);
    const v = this.decode(r);
    if (!r.atEnd()) throw new RangeError(`${this.toString()}: ${r.remaining()} byte(s) left after decoding`);
    return v;
  }

  /**
   * A value that is === for elements whose encodings are equal: the element itself
   * where that holds (strings, safe integers), else the encoded bytes as a string.
   */
  structuralValue(value: T): unknown {
    const w = takeScratch();
    try {
      this.encode(value, w);
      return bytesKey(w.view_());
    } finally {
      returnScratch(w);
    }
  }

  toString(): string {
    const components = this.components();
    return `${this.constructor.name}${components.length ? `(${components.map(String).join(", ")})` : ""}`;
  }
}

// One reusable writer for encodeToBytes/structuralValue; a nested call (a coder whose
// encode calls encodeToBytes) finds it taken and uses a fresh one.
let scratch: ByteWriter | undefined = new ByteWriter(1024);

function takeScratch(): ByteWriter {
  const w = scratch;
  if (w === undefined) return new ByteWriter(64);
  scratch = undefined;
  w.reset();
  return w;
}

function returnScratch(w: ByteWriter): void {
  // Don't keep a buffer a huge element grew.
  if (w.capacity <= 1 << 20) scratch = w;
}

/** Bytes as a string usable as a Map key (one char per byte). */
export function bytesKey(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

type CoderFactory = (components: Coder<unknown>[], payload: unknown) => Coder<unknown>;
const factories = new Map<string, CoderFactory>();

/** Each coder class registers how to rebuild it from its spec. */
export function registerCoder(urn: string, factory: CoderFactory): void {
  factories.set(urn, factory);
}

/** A user's coder, serialized with its class (see Coder.toSpec). */
export const SERIALIZED_CODER_URN = "flowbook:coder:serialized:v1";

export function coderFromSpec(spec: CoderSpec): Coder<unknown> {
  if (spec.urn === SERIALIZED_CODER_URN) {
    const c = rebuildValueSync(spec.payload as SerializedValue);
    if (!(c instanceof Coder)) throw new Error(`a serialized coder rebuilt as ${String(c)}, not a Coder`);
    return c;
  }
  const factory = factories.get(spec.urn);
  if (!factory) throw new Error(`unknown coder URN '${spec.urn}' (known: ${[...factories.keys()].join(", ")})`);
  return factory((spec.components ?? []).map(coderFromSpec), spec.payload);
}
