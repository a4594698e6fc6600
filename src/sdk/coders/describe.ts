import type { Coder } from "./coder.js";

/** A TypeError for a value of the wrong type, naming the value and the coder. */
export function notA(expected: string, value: unknown, coder: Coder<unknown>): TypeError {
  return new TypeError(`${coder.toString()} expects ${expected}, got ${describe(value)}`);
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
    case "number":
      return `the number ${value}`;
    case "bigint":
      return `the bigint ${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return `a symbol (${value.toString()})`;
    case "function":
      return `a function${value.name ? ` (${value.name})` : ""}`;
    default: {
      const ctor = (value as object).constructor;
      if (Array.isArray(value)) return `an array of ${value.length}`;
      if (ctor && ctor !== Object && typeof ctor.name === "string" && ctor.name) return `an instance of ${ctor.name}`;
      let s: string;
      try {
        s = JSON.stringify(value) ?? String(value);
      } catch {
        s = String(value);
      }
      return s.length > 60 ? s.slice(0, 60) + "…" : s;
    }
  }
}
