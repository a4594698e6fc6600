/**
 * A string equal for structurally equal values, whatever the key order or the
 * container (Map/Set order ignored): how PAssert compares expected and actual.
 */
export function canonical(v: unknown): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "undefined": return "undefined";
    case "number": return Object.is(v, -0) ? "0" : String(v);
    case "bigint": return `${v}n`;
    case "string": return JSON.stringify(v);
    case "boolean": return String(v);
    case "function": return `fn:${v.name}`;
    case "symbol": return v.toString();
  }
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString("hex")}`;
  if (v instanceof Date) return `date:${v.getTime()}`;
  if (v instanceof Map) return `map{${[...v].map(([k, x]) => `${canonical(k)}=>${canonical(x)}`).sort().join(",")}}`;
  if (v instanceof Set) return `set{${[...v].map(canonical).sort().join(",")}}`;
  const o = v as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof o.toJSON === "function") return canonical(o.toJSON());
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
}

/** Shows a value in an assertion message, shortened. */
export function show(v: unknown, max = 300): string {
  const s = canonical(v);
  return s.length > max ? s.slice(0, max) + "…" : s;
}
