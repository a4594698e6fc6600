import { rebuildValue } from "../../graph/functions/serialize.js";
import type { SideInputSpec } from "../../graph/types.js";
import { ByteReader } from "../../sdk/coders/byte_io.js";
import { bytesKey, type Coder } from "../../sdk/coders/coder.js";
import { KvCoder, GeneralObjectCoder } from "../../sdk/coders/index.js";
import type { KV } from "../../sdk/values/kv.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import type { BoundedWindow } from "../../sdk/values/windows.js";
import type { GraphContext } from "./task_context.js";

/** A read-only Map whose keys match by encoded value, as Beam's map views do. */
export class StructuralMap<K, V> implements ReadonlyMap<K, V> {
  private readonly m = new Map<unknown, [K, V]>();
  constructor(private readonly keyCoder: Coder<K>) {}
  /** @internal */
  put(k: K, v: V): void {
    this.m.set(this.keyCoder.structuralValue(k), [k, v]);
  }
  /** @internal */
  entryFor(k: K): [K, V] | undefined {
    return this.m.get(this.keyCoder.structuralValue(k));
  }
  get(k: K): V | undefined {
    return this.entryFor(k)?.[1];
  }
  has(k: K): boolean {
    return this.m.has(this.keyCoder.structuralValue(k));
  }
  get size(): number {
    return this.m.size;
  }
  *entries(): MapIterator<[K, V]> {
    for (const e of this.m.values()) yield [e[0], e[1]];
  }
  *keys(): MapIterator<K> {
    for (const e of this.m.values()) yield e[0];
  }
  *values(): MapIterator<V> {
    for (const e of this.m.values()) yield e[1];
  }
  forEach(cb: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [k, v] of this.m.values()) cb(v, k, this);
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}

interface Materialized {
  byWindow: Map<string, unknown[]>;
  windowCoder: Coder<BoundedWindow>;
  windowFn: ReturnType<GraphContext["windowFn"]>;
  coder: Coder<unknown>;
}

/**
 * Side inputs of one stage: materialized PCollections, decoded once per thread and
 * run, grouped by window; each view's value is built once per window.
 */
export class SideInputs {
  private readonly data = new Map<string, Materialized>();
  private readonly views = new Map<string, unknown>();
  private readonly defaults = new Map<string, unknown>();

  constructor(private readonly g: GraphContext) {}

  has(pcollection: string): boolean {
    return this.data.has(pcollection);
  }

  /** Adds a materialized PCollection (chunks of encoded WindowedValues). */
  add(pcollection: string, chunks: Uint8Array[]): void {
    const coder = this.g.windowedValueCoder(pcollection);
    const windowCoder = this.g.windowCoder(pcollection);
    const byWindow = new Map<string, unknown[]>();
    for (const chunk of chunks) {
      const r = new ByteReader(chunk);
      while (!r.atEnd()) {
        const wv = coder.decode(r) as WindowedValue<unknown>;
        for (const w of wv.windows) {
          const k = bytesKey(windowCoder.encodeToBytes(w));
          let list = byWindow.get(k);
          if (!list) byWindow.set(k, (list = []));
          list.push(wv.value);
        }
      }
    }
    this.data.set(pcollection, { byWindow, windowCoder, windowFn: this.g.windowFn(pcollection), coder: this.g.coder(pcollection) });
  }

  /** Rebuilds serialized default values ahead of use (they may import modules). */
  async prepare(specs: Iterable<SideInputSpec>): Promise<void> {
    for (const s of specs) {
      if (s.hasDefault && !this.defaults.has(JSON.stringify(s.defaultValue))) {
        this.defaults.set(JSON.stringify(s.defaultValue), await rebuildValue(s.defaultValue as never));
      }
    }
  }

  get(tag: string, spec: SideInputSpec, mainWindow: BoundedWindow): unknown {
    const m = this.data.get(spec.pcollection);
    if (!m) throw new Error(`side input ${this.g.pcollectionName(spec.pcollection)} was not materialized`);
    const sideWindow = m.windowFn.getSideInputWindow(mainWindow);
    const wk = bytesKey(m.windowCoder.encodeToBytes(sideWindow));
    const cacheKey = `${tag}\u0000${wk}`;
    if (this.views.has(cacheKey)) return this.views.get(cacheKey);
    const values = m.byWindow.get(wk) ?? [];
    const view = this.build(spec, values, m.coder);
    this.views.set(cacheKey, view);
    return view;
  }

  private build(spec: SideInputSpec, values: unknown[], coder: Coder<unknown>): unknown {
    const name = this.g.pcollectionName(spec.pcollection);
    switch (spec.view) {
      case "singleton":
        if (values.length === 1) return values[0];
        if (values.length === 0) {
          if (spec.hasDefault) return this.defaults.get(JSON.stringify(spec.defaultValue));
          throw new Error(`the singleton side input ${name} is empty in this window (use View.asSingleton().withDefaultValue(v))`);
        }
        throw new Error(`the singleton side input ${name} has ${values.length} elements in this window; a singleton view needs exactly one`);
      case "iterable":
      case "list":
        return Object.freeze(values);
      case "map":
      case "multimap": {
        const kc = coder instanceof KvCoder ? (coder.keyCoder as Coder<unknown>) : GeneralObjectCoder.of();
        const map = new StructuralMap<unknown, unknown>(kc);
        for (const v of values) {
          const kv = v as KV<unknown, unknown>;
          if (spec.view === "map") {
            if (map.has(kv.key)) throw new Error(`the map side input ${name} has more than one value for key ${String(kv.key)}; use View.asMultimap()`);
            map.put(kv.key, kv.value);
          } else {
            const e = map.entryFor(kv.key);
            if (e) (e[1] as unknown[]).push(kv.value);
            else map.put(kv.key, [kv.value]);
          }
        }
        return map;
      }
    }
  }
}
