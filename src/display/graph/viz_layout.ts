/**
 * Graphviz (compiled to wasm by @viz-js/viz) laying out DOT as SVG. The module is a few
 * megabytes of wasm: loaded on the first drawing, never at import, and kept as one
 * instance for the life of the process.
 */
import type { Viz } from "@viz-js/viz";

let viz: Promise<Viz> | undefined;
let loaded: Viz | undefined;

function instance(): Promise<Viz> {
  // A failed load is not cached: the next drawing tries again.
  return (viz ??= import("@viz-js/viz").then((m) => m.instance()).then((v) => (loaded = v)).catch((e: unknown) => {
    viz = undefined;
    throw e;
  }));
}

/** DOT → an SVG document (without the XML prolog and doctype: it is embedded in pages). */
export async function layoutSvg(dot: string): Promise<string> {
  const svg = (await instance()).renderString(dot, { format: "svg", engine: "dot" });
  return svg.slice(svg.indexOf("<svg"));
}

/** Loads Graphviz now, so `layoutSvgNow` can answer (the stepper draws each move synchronously). */
export async function loadLayout(): Promise<void> {
  await instance();
}

/** `layoutSvg`, synchronously: only after `loadLayout()` resolved (throws before). */
export function layoutSvgNow(dot: string): string {
  if (!loaded) throw new Error("Graphviz is not loaded yet: await loadLayout() first");
  const svg = loaded.renderString(dot, { format: "svg", engine: "dot" });
  return svg.slice(svg.indexOf("<svg"));
}
