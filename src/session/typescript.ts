/**
 * The TypeScript compiler API, loaded on first use (it takes ~250 ms), so a session can
 * start evaluating before anything asks for it.
 */
import { createRequire } from "node:module";
import type * as TS from "typescript";

let loaded: typeof TS | undefined;

export function typescript(): typeof TS {
  if (!loaded) {
    const m = createRequire(import.meta.url)("typescript") as Partial<typeof TS> & { default?: typeof TS };
    loaded = (typeof m.createSourceFile === "function" ? m : m.default!) as typeof TS;
  }
  return loaded;
}
