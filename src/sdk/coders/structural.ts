/**
 * Helpers for `Coder.structuralValue`: cheap stand-ins for encoded bytes, used by the
 * local runner to group and compare elements. The rule every coder keeps: two values
 * give structural values that are equal (SameValueZero, as a Map key compares them)
 * exactly when their encodings are equal.
 */

/**
 * Starts structural strings that stand for encoded bytes where a coder's other structural
 * values are strings themselves. A lone low surrogate cannot start a well-formed string,
 * so it never collides with a string element's own (well-formed) structural value.
 */
export const BYTES_MARKER = "\uDFFF";

type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/**
 * The string as its UTF-8 encoding sees it: lone surrogates become U+FFFD, as the
 * encoder writes them. Two strings encode equally exactly when these are equal.
 */
export function wellFormed(s: string): string {
  return (s as WellFormedString).isWellFormed() ? s : (s as WellFormedString).toWellFormed();
}

/**
 * A self-delimiting, type-tagged string for one part of a composite structural value, or
 * undefined if the part is not a primitive (then the caller falls back to bytes).
 * Parts are prefix-free, so concatenating them is injective.
 */
export function structuralPart(x: unknown): string | undefined {
  switch (typeof x) {
    case "string":
      return "s" + x.length + ":" + x;
    case "number":
      return "n" + x + ";";
    case "boolean":
      return x ? "t" : "f";
    case "bigint":
      return "b" + x + ";";
    case "undefined":
      return "u";
    case "object":
      return x === null ? "z" : undefined;
    default:
      return undefined;
  }
}
