/**
 * Orderings for the ordering combiners (Min, Max, Top, ApproximateQuantiles).
 *
 * A comparator is `(a, b) => number`: negative when a sorts before b, zero when equal,
 * positive after, as Java's Comparator and Array.prototype.sort take. Combiners keep the
 * comparator as a field (never as a closure made inside the library), so a CombineFn
 * travels by value: the natural order by its registered name, a user's lambda with the
 * values it captures.
 */
import { registerKnown } from "../../../graph/functions/known_objects.js";

export type Comparator<T> = (a: T, b: T) => number;

/**
 * The natural order: numbers and bigints numerically (mixed freely), strings by UTF-16
 * code units (as Java's String.compareTo), booleans false < true, Dates by time, and
 * arrays lexicographically by these rules. NaN sorts after every other number (as Java's
 * Double.compare), so sorting is total. Anything else has no natural order: pass a
 * comparator.
 */
export function naturalCompare(a: unknown, b: unknown): number {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === "number" || ta === "bigint") && (tb === "number" || tb === "bigint")) {
    const aNaN = ta === "number" && Number.isNaN(a);
    const bNaN = tb === "number" && Number.isNaN(b);
    if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  if (ta === "string" && tb === "string") return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  if (ta === "boolean" && tb === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Date && b instanceof Date) return naturalCompare(a.getTime(), b.getTime());
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = naturalCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new TypeError(
    `no natural order between ${describeForOrder(a)} and ${describeForOrder(b)}: pass a comparator, e.g. (a, b) => a.score - b.score`,
  );
}

/** The natural order reversed: for "smallest first" over the natural order. */
export function reverseNaturalCompare(a: unknown, b: unknown): number {
  return naturalCompare(b, a);
}

function describeForOrder(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "object") return Array.isArray(x) ? "an array" : `an object (${(x as object).constructor?.name ?? "Object"})`;
  return `a ${typeof x}`;
}

/** True when `compare` is the natural order (what runners may reproduce natively). */
export function isNaturalCompare(compare: unknown): boolean {
  return compare === naturalCompare;
}

registerKnown("flowbook.naturalCompare", naturalCompare);
registerKnown("flowbook.reverseNaturalCompare", reverseNaturalCompare);
