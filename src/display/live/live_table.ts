/**
 * A live pane table as a mime bundle: the rows of LivePanes (the latest pane per key and
 * window) with their value columns as tableOf lays them out, then the window, the pane's
 * timing (EARLY / ON_TIME / LATE), its index and the timestamp; a leading `*` marks rows
 * the latest update changed. Text and HTML both end with the status line (live_status.ts);
 * LIVE_MIME says whether it may still change.
 */
import { Mime, type DisplayContext, type MimeBundle } from "../mime.js";
import { escapeHtml } from "../table/html_escape.js";
import { renderTableHtml } from "../table/html_table.js";
import { formatInstant, formatWindow, isCalendarInstant } from "../table/element_meta.js";
import { metaColumnNames, tableOf } from "../table/table_of.js";
import type { Table, TableCell, TableColumn } from "../table/table_model.js";
import { renderTableText } from "../table/text_table.js";
import { DEFAULT_TEXT_WIDTH } from "../table/render_table.js";
import type { PaneInfo } from "../../sdk/values/pane.js";
import type { LivePanes } from "./live_panes.js";
import { LIVE_MIME, liveState, statusLine, type LiveStatus } from "./live_status.js";

/** The mark of a row the latest update changed. */
export const CHANGED_MARK = "*";

/** The live table's model: columns `*`, the value's, window, pane, index, timestamp. */
export function liveTable(name: string, panes: LivePanes): Table {
  const rows = panes.rows();
  const elements = rows.map((r) => r.element);
  const base = tableOf(elements, { name, timestamps: true, windows: true, panes: true });
  const valueCount = base.columns.length - 3;
  const dataNames = base.columns.slice(0, valueCount).map((c) => c.name);
  const meta = metaColumnNames(dataNames, { timestamps: true, windows: true, panes: true });
  const at = (n: string | undefined) => base.columns.findIndex((c) => c.name === n);
  const [ts, win, pane] = [at(meta.timestamp), at(meta.window), at(meta.pane)];
  const index = uniqueName("index", new Set(base.columns.map((c) => c.name)));
  const columns: TableColumn[] = [
    { name: CHANGED_MARK, type: "string", numeric: false },
    ...base.columns.slice(0, valueCount),
    base.columns[win]!,
    base.columns[pane]!,
    { name: index, type: "integer", numeric: true },
    base.columns[ts]!,
  ];
  const update = panes.update;
  const what = panes.perKey ? "latest pane per key and window" : "elements as they come";
  const count = rows.length === 1 ? "1 row" : `${rows.length} rows`;
  const title = `${name} · live: ${what} · ${count}${panes.watermark === undefined ? "" : ` · watermark ${shortInstant(panes.watermark)}`}`;
  // Before the first element there is nothing to lay out.
  if (rows.length === 0) return { name, title, columns: [], rows: [], truncated: false };
  const cells: (TableCell | undefined)[][] = rows.map((r, i) => {
    const row = base.rows[i]!;
    const p = r.element.pane;
    const mark = r.changedIn === update ? CHANGED_MARK : "";
    return [
      { text: mark, data: mark },
      ...row.slice(0, valueCount),
      windowCell(r.element.windows[0]),
      { text: timingOf(p), data: timingOf(p) },
      { text: String(p.index), data: p.index },
      row[ts],
    ];
  });
  return { name, title, columns, rows: cells, truncated: false };
}

/** An instant without its milliseconds when they are zero: `2026-01-05T09:05:00Z`, or −∞ / +∞. */
function shortInstant(t: number): string {
  return formatInstant(t).replace(/\.000Z$/, "Z");
}

/**
 * A window, short enough to leave room for the value: `[2026-12-06 10:00:00, 10:05:00)`
 * (milliseconds only when not zero, the end's date only when another day); the global
 * window and bounds as formatWindow says them.
 */
function windowCell(w: unknown): TableCell {
  const full = formatWindow(w);
  const i = w as { start?: unknown; end?: unknown };
  if (typeof i.start !== "number" || typeof i.end !== "number" || !isCalendarInstant(i.start) || !isCalendarInstant(i.end)) return { text: full, data: full };
  const at = (t: number) => {
    const iso = new Date(t).toISOString().replace(/\.000Z$/, "Z").replace("T", " ").replace(/Z$/, "");
    return { date: iso.slice(0, 10), time: iso.slice(11) };
  };
  const a = at(i.start);
  const b = at(i.end);
  return { text: `[${a.date} ${a.time}, ${b.date === a.date ? "" : `${b.date} `}${b.time})`, data: full };
}

/** EARLY / ON_TIME / LATE; NO_FIRING (Beam's name) for elements no trigger fired, as the sample tables say it. */
export function timingOf(p: PaneInfo): string {
  return p.timing === "UNKNOWN" ? "NO_FIRING" : p.timing;
}

function uniqueName(name: string, taken: Set<string>): string {
  let n = name;
  while (taken.has(n)) n = "_" + n;
  return n;
}

/** The bundle: text fitted to the width and HTML, each with the status line; LIVE_MIME with the state. */
export function renderLiveTable(name: string, panes: LivePanes, status: LiveStatus, ctx: DisplayContext = {}): MimeBundle {
  const table = liveTable(name, panes);
  const width = ctx.width ?? DEFAULT_TEXT_WIDTH;
  const marked = table.rows.some((r) => r[0]?.text === CHANGED_MARK);
  const notes = [statusLine(status)];
  if (marked && !status.stopped) notes.push(`${CHANGED_MARK} changed by the latest update`);
  const empty = table.rows.length === 0 ? [status.stopped ? "(no elements arrived)" : "(waiting for the first elements…)"] : [];
  const text = [renderTableText(table, width), ...empty, ...notes.map((n) => n.slice(0, Math.max(1, width)))].join("\n");
  const html = `${renderTableHtml(table)}${empty.map((e) => `<div style="opacity:0.7">${escapeHtml(e)}</div>`).join("")}<div style="opacity:0.7;font-size:0.9em;margin:0.25em 0 0 0">${notes.map(escapeHtml).join(" · ")}</div>`;
  return { [Mime.text]: text, [Mime.html]: html, [LIVE_MIME]: liveState(status) };
}
