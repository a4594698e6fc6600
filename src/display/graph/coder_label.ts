/**
 * A coder spec in a few characters, as people write the element type: `string`,
 * `KV<string, varint>`, `Iterable<double>`, `avro:User`. Graph edges and tree lines carry
 * it, so it must stay short; the full spec is in the graph's JSON.
 */
import type { CoderSpec } from "../../sdk/coders/coder.js";

/** Coders without components, by URN. */
const ATOMS: Record<string, string> = {
  "beam:coder:string_utf8:v1": "string",
  "beam:coder:varint:v1": "varint",
  "beam:coder:double:v1": "double",
  "beam:coder:bytes:v1": "bytes",
  "beam:coder:bool:v1": "bool",
  "beam:coder:global_window:v1": "GlobalWindow",
  "beam:coder:interval_window:v1": "IntervalWindow",
  "flowbook:coder:general:v1": "general",
  "flowbook:coder:json:v1": "json",
  "flowbook:coder:instant:v1": "instant",
  "flowbook:coder:pane_info:v1": "PaneInfo",
};

/** Coders with components, by URN: the name before `<…>`. */
const GENERICS: Record<string, string> = {
  "beam:coder:kv:v1": "KV",
  "beam:coder:iterable:v1": "Iterable",
  "beam:coder:nullable:v1": "Nullable",
  "beam:coder:length_prefix:v1": "LengthPrefix",
  "beam:coder:windowed_value:v1": "WindowedValue",
  "flowbook:coder:union:v1": "Union",
  "flowbook:coder:cogbk_result:v1": "CoGbkResult",
};

export function coderLabel(spec: CoderSpec | undefined): string {
  if (!spec) return "?";
  const atom = ATOMS[spec.urn];
  if (atom) return atom;
  const parts = (spec.components ?? []).map(coderLabel);
  const generic = GENERICS[spec.urn];
  if (generic) return `${generic}<${parts.join(", ")}>`;
  if (spec.urn === "flowbook:coder:avro:v1") return `avro${avroName(spec.payload)}`;
  if (spec.urn === "flowbook:coder:serialized:v1") return serializedClassName(spec.payload) ?? "custom";
  // A URN we do not know: its middle part (`beam:coder:foo:v1` → `foo`).
  const short = spec.urn.replace(/^[^:]+:coder:/, "").replace(/:v\d+$/, "");
  return parts.length ? `${short}<${parts.join(", ")}>` : short;
}

function avroName(schema: unknown): string {
  const s = typeof schema === "string" ? safeParse(schema) : schema;
  const name = s && typeof s === "object" ? (s as { name?: unknown }).name : typeof s === "string" ? s : undefined;
  return typeof name === "string" ? `:${name.replace(/^.*\./, "")}` : "";
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** A user's coder travels serialized: its class's name, when the serialized form has one. */
function serializedClassName(payload: unknown): string | undefined {
  const objects = (payload as { objects?: Array<{ type?: string; name?: string }> } | undefined)?.objects;
  const cls = objects?.find((o) => o.type === "function" && typeof o.name === "string" && o.name);
  return cls?.name;
}
