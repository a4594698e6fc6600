/**
 * Charts for the display layer: `chart(pcoll, specOrShorthand)` ends here, on the host
 * (never in a cell's sandbox). chartSpec makes the Vega-Lite spec, renderChart the mime
 * bundle (Vega-Lite, SVG, PNG, text), renderChartText the terminal's drawing.
 * vega and vega-lite load on the first renderChart, not with this module.
 */
export { CHART_ROW_LIMIT, ChartSpecError, type ChartRequest } from "./request.js";
export { chartSpec, VEGA_LITE_SCHEMA } from "./spec.js";
export { renderChart } from "./render.js";
export { renderChartText } from "./text/text_chart.js";
export { renderVegaLite, type RenderedVega } from "./vega_render.js";
