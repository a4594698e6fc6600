/** Live displays of unbounded PCollections (issue 14, point 5): the pane model, its table and chart, the view that runs them. */
export { LivePanes, type LiveRow } from "./live_panes.js";
export { LIVE_MIME, statusLine, type LiveStatus, type LiveStopReason } from "./live_status.js";
export { liveTable, renderLiveTable, CHANGED_MARK } from "./live_table.js";
export { renderLiveChart, liveChartRows } from "./live_chart.js";
export { runLiveView, type LiveOutcome, type LiveViewOptions } from "./live_view.js";
