/**
 * A Vega-Lite spec drawn headless: vega-lite compiles it to Vega, vega runs it with no
 * canvas (`renderer: "none"`) and writes SVG. vega and vega-lite are imported on first
 * use, so loading the display layer does not load them. Their complaints — vega-lite's
 * compile errors and the warnings that mean part of the spec was thrown away, vega's
 * parse and runtime errors — become a ChartSpecError that quotes them.
 */
import type { View } from "vega";
import { ChartSpecError } from "./request.js";
import { vegaTextWidth } from "./font_metrics.js";

type Json = Record<string, unknown>;

/** Warnings that mean vega-lite dropped or ignored part of the spec (others are advice). */
const REJECTING = /invalid|dropp|not a valid|cannot|not supported|unsupported|ignor|unknown|required|must|not found|no such/i;

export interface RenderedVega {
  svg: string;
  /** The live view (for its scenegraph); finalize() it when done. */
  view: View;
  /** vega-lite's advice that did not stop the chart. */
  warnings: string[];
}

let modules: Promise<[typeof import("vega-lite"), typeof import("vega")]> | undefined;
function loadVega() {
  modules ??= Promise.all([import("vega-lite"), import("vega")]).then(([vl, vega]) => {
    // Measure text in the font resvg will draw it in (vega has no canvas here to measure with).
    (vega as unknown as { textMetrics: { width: unknown } }).textMetrics.width = vegaTextWidth;
    return [vl, vega] as [typeof vl, typeof vega];
  });
  return modules;
}

/** `font`: the family text is drawn in, unless the spec's config names one. */
export async function renderVegaLite(spec: Json, font: string): Promise<RenderedVega> {
  const [vl, vega] = await loadVega();
  const config = typeof spec.config === "object" && spec.config !== null ? (spec.config as Json) : {};
  // A copy: vega tags the rows it ingests (a symbol key on each), and the caller's spec must stay plain JSON.
  const drawn = structuredClone({ ...spec, config: { font, ...config } });

  const compileLog = recorder(vega.Warn);
  let compiled;
  try {
    compiled = vl.compile(drawn as never, { logger: compileLog.logger });
  } catch (e) {
    throw new ChartSpecError(`chart: Vega-Lite rejected the spec: ${messageOf(e)}`);
  }
  const rejected = compileLog.warnings.filter((w) => REJECTING.test(w));
  if (rejected.length > 0) throw new ChartSpecError(`chart: Vega-Lite rejected the spec: ${rejected.join("; ")}`);

  let runtime;
  try {
    runtime = vega.parse(compiled.spec);
  } catch (e) {
    throw new ChartSpecError(`chart: Vega rejected the compiled spec: ${messageOf(e)}`);
  }
  const runLog = recorder(vega.Warn);
  const view = new vega.View(runtime, { renderer: "none", logger: runLog.logger, logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    if (runLog.errors.length > 0) throw new ChartSpecError(`chart: Vega failed to draw the spec: ${runLog.errors.join("; ")}`);
    return { svg, view, warnings: compileLog.warnings };
  } catch (e) {
    view.finalize();
    if (e instanceof ChartSpecError) throw e;
    throw new ChartSpecError(`chart: Vega failed to draw the spec: ${messageOf(e)}`);
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A vega/vega-lite logger that keeps what it is told instead of printing it. */
function recorder(initialLevel: number) {
  const warnings: string[] = [];
  const errors: string[] = [];
  let level = initialLevel;
  const text = (args: readonly unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ");
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: readonly unknown[]) {
      errors.push(text(args));
      return logger;
    },
    warn(...args: readonly unknown[]) {
      warnings.push(text(args));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return { logger: logger as never, warnings, errors };
}
