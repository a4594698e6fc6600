/** A key and a value: what GroupByKey and Combine.perKey work on. */
export interface KV<K, V> {
  readonly key: K;
  readonly value: V;
}

export const KV = {
  of<K, V>(key: K, value: V): KV<K, V> {
    return { key, value };
  },
  /** True for objects that have exactly the two fields of a KV. */
  is(x: unknown): x is KV<unknown, unknown> {
    if (x === null || typeof x !== "object" || Array.isArray(x)) return false;
    const keys = Object.keys(x);
    return keys.length === 2 && "key" in x && "value" in x;
  },
};
