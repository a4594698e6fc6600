/**
 * The TypeScript compiler API, loaded on first use (it takes ~250 ms), so a session can
 * start evaluating before anything asks for it.
 */
import { requireWithCodeCache } from "./code_cache.js";
import type * as TS from "typescript";

let loaded: typeof TS | undefined;

export function typescript(): typeof TS {
  if (!loaded) {
    // Compiled with V8's code cache of an earlier session (code_cache.ts): a third of the time.
    const m = requireWithCodeCache("typescript", import.meta.url) as Partial<typeof TS> & { default?: typeof TS };
    loaded = (typeof m.createSourceFile === "function" ? m : m.default!) as typeof TS;
  }
  return loaded;
}
