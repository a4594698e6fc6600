/**
 * Imports of flowbook's own API inside serialized functions, resolved to the worker's copy.
 *
 * A function may refer to an export of flowbook by module (`{ $: "module", specifier,
 * export }`: a primitive such as TIMESTAMP_MIN, or anything imported from a path into
 * flowbook's sources, as tests do). On a TaskManager those modules are not there to import
 * (a `.ts` source, a client-side path), but the worker bundles the whole API: such a
 * reference becomes the bundled export — by name for objects (`known`), by value for
 * primitives. References to other modules are left as they are.
 */

/** Specifiers that name flowbook's API entry: the package, or its index in src/ or dist/src/. */
const API_ENTRY = /^(?:flowbook|.*[\\/](?:dist[\\/])?src[\\/]index\.[cm]?[jt]s)$/;
/** A module inside flowbook's sources (only exports the API also has are mapped). */
const FLOWBOOK_SOURCE = /[\\/]src[\\/](?:sdk|io|graph|runners|examples|display|session)[\\/].+\.[cm]?ts$/;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function encodePrimitive(v: unknown): Json | undefined {
  if (v === undefined) return { $: "undefined" };
  if (v === null || typeof v === "boolean" || typeof v === "string") return v as Json;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return { $: "number", value: "NaN" };
    if (v === Infinity) return { $: "number", value: "Infinity" };
    if (v === -Infinity) return { $: "number", value: "-Infinity" };
    if (Object.is(v, -0)) return { $: "number", value: "-0" };
    return v;
  }
  if (typeof v === "bigint") return { $: "bigint", value: v.toString() };
  return undefined;
}

/**
 * Rewrites, in place, every module reference to flowbook's API in a JSON tree (a stage,
 * a serialized value). `api` is the bundled API namespace, `nameOf` gives a known object's
 * registered name.
 */
export function resolveApiModules(tree: unknown, api: Record<string, unknown>, nameOf: (v: unknown) => string | undefined, namespaceName?: string): void {
  const rewrite = (node: Record<string, Json>): Json | undefined => {
    const spec = String(node.specifier);
    const path = spec.startsWith("file:") ? decodeURIComponent(spec.replace(/^file:\/\//, "")) : spec;
    const entry = API_ENTRY.test(path);
    if (!entry && !FLOWBOOK_SOURCE.test(path)) return undefined;
    const exp = String(node.export);
    if (exp === "*") return entry && namespaceName ? { $: "known", name: namespaceName } : undefined;
    if (!(exp in api)) return undefined;
    const v = api[exp];
    if ((typeof v === "object" && v !== null) || typeof v === "function") {
      const name = nameOf(v);
      return name ? { $: "known", name } : undefined;
    }
    return encodePrimitive(v);
  };
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const r = moduleRef(x[i]) ? rewrite(x[i] as Record<string, Json>) : undefined;
        if (r !== undefined) x[i] = r;
        else walk(x[i]);
      }
    } else if (x !== null && typeof x === "object") {
      const o = x as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const r = moduleRef(o[k]) ? rewrite(o[k] as Record<string, Json>) : undefined;
        if (r !== undefined) o[k] = r;
        else walk(o[k]);
      }
    }
  };
  walk(tree);
}

function moduleRef(x: unknown): boolean {
  return x !== null && typeof x === "object" && !Array.isArray(x) && (x as { $?: unknown }).$ === "module" && typeof (x as { specifier?: unknown }).specifier === "string";
}
