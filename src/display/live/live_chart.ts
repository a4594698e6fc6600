/**
 * A live chart: the user's chart spec (a shorthand or Vega-Lite) drawn over the live
 * table's rows — the latest pane per key and window — as `{ key, value }` (or the record's
 * fields, or `value`) with `timestamp`, `window`, `pane` (its timing) and `index`. The status
 * line is the chart's subtitle, so every form (Vega-Lite, SVG, PNG, text) says whether it is
 * still live and why it stopped. Loads vega: on the host only.
 */
import { chartSpec } from "../chart/spec.js";
import { renderChartText } from "../chart/text/text_chart.js";
import { renderVegaLite } from "../chart/vega_render.js";
import { Mime, type DisplayContext, type MimeBundle } from "../mime.js";
import { rowsOf } from "../table/rows_of.js";
import { metaColumnNames } from "../table/table_of.js";
import type { LivePanes } from "./live_panes.js";
import { timingOf } from "./live_table.js";
import { LIVE_MIME, liveState, statusLine, type LiveStatus } from "./live_status.js";

type Json = Record<string, unknown>;

/** The rows a live chart draws: one per live row, with its pane's timing and index as fields. */
export function liveChartRows(panes: LivePanes): Record<string, unknown>[] {
  const elements = panes.rows().map((r) => r.element);
  const rows = rowsOf(elements, { timestamps: true, windows: true, panes: true });
  const data = rows.length ? Object.keys(rows[0]!) : [];
  const pane = metaColumnNames(data.filter((k) => k !== "pane" && k !== "timestamp" && k !== "window"), { panes: true }).pane!;
  return rows.map((row, i) => {
    const p = elements[i]!.pane;
    return { ...row, [pane]: timingOf(p), index: p.index };
  });
}

export async function renderLiveChart(spec: Json, name: string, panes: LivePanes, status: LiveStatus, ctx: DisplayContext = {}): Promise<MimeBundle> {
  const full = chartSpec({ spec, rows: liveChartRows(panes) });
  const line = statusLine(status);
  const title = full.title;
  const own = typeof title === "object" && title !== null && !Array.isArray(title) ? (title as Json) : title === undefined ? undefined : { text: title };
  const subtitle = own?.subtitle === undefined ? [] : Array.isArray(own.subtitle) ? own.subtitle : [own.subtitle];
  full.title = { ...(own ?? {}), text: (own?.text as string | undefined) || `${name} · live`, subtitle: [...subtitle, line] };
  const { FONT_FAMILY, svgToPngBase64 } = await import("../png.js");
  const { svg, view } = await renderVegaLite(full, FONT_FAMILY);
  view.finalize();
  const width = ctx.width ?? 100;
  return {
    [Mime.vegaLite]: full,
    [Mime.svg]: svg,
    [Mime.png]: svgToPngBase64(svg),
    [Mime.text]: renderChartText(full, width),
    [LIVE_MIME]: liveState(status),
  };
}
