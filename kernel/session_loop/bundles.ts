/**
 * A value as a mime bundle, for the session hooks that hand the kernel raw values (a
 * cell's `display(x)` and its result) rather than the contract's bundles: a value's own
 * `[Symbol.for("flowbook.display")]()` or `toMimeBundle()`, else its text.
 */
import { DISPLAY, type MimeBundle } from "../../src/display/mime.js";

export function valueBundle(value: unknown, formatValue: (v: unknown) => string): MimeBundle {
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    try {
      const v = value as { [DISPLAY]?: () => unknown; toMimeBundle?: () => unknown };
      const own = typeof v[DISPLAY] === "function" ? v[DISPLAY]() : typeof v.toMimeBundle === "function" ? v.toMimeBundle() : undefined;
      if (own && typeof own === "object") {
        const bundle = JSON.parse(JSON.stringify(own)) as MimeBundle;
        if (!("text/plain" in bundle)) bundle["text/plain"] = formatValue(value);
        return bundle;
      }
    } catch {
      /* a broken display method: shown as text */
    }
  }
  return { "text/plain": formatValue(value) };
}
