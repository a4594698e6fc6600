/**
 * renderChart: a chart request → its mime bundle. The Vega-Lite spec for notebooks that
 * render it (JupyterLab, VS Code), SVG and PNG drawn headless for those that do not (and
 * for files), and the chart in text for terminals — all from the same spec.
 */
import type { DisplayContext, MimeBundle } from "../mime.js";
import { Mime } from "../mime.js";
import type { ChartRequest } from "./request.js";
import { chartSpec } from "./spec.js";
import { renderChartText } from "./text/text_chart.js";
import { renderVegaLite } from "./vega_render.js";

/** Columns for text/plain when the front end does not say. */
const DEFAULT_TEXT_WIDTH = 100;

export async function renderChart(request: ChartRequest, ctx: DisplayContext = {}): Promise<MimeBundle> {
  const spec = chartSpec(request);
  // png.ts loads resvg: only when a picture is drawn.
  const { FONT_FAMILY, svgToPngBase64 } = await import("../png.js");
  const { svg, view } = await renderVegaLite(spec, FONT_FAMILY);
  view.finalize();
  return {
    [Mime.vegaLite]: spec,
    [Mime.svg]: svg,
    [Mime.png]: svgToPngBase64(svg),
    [Mime.text]: renderChartText(spec, ctx.width ?? DEFAULT_TEXT_WIDTH),
  };
}
