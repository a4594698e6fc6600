/**
 * A cell's runs as one live display: a line per run in text/plain (a bar while stages are
 * known, a spinner before; the stage, the busiest transform's counts, bytes read, the time
 * so far; when finished ✓ or ✗ with the totals, the time taken or the error's first line),
 * a bar and a per-transform table in text/html, and the state itself as
 * application/vnd.flowbook.progress+json for front ends that draw their own.
 */
import { Mime, type DisplayContext, type MimeBundle } from "../mime.js";
import { escapeHtml } from "../table/html_escape.js";
import { displayWidth, truncateToWidth } from "../table/text_width.js";
import { formatBytes, formatCount, formatDuration } from "./format_units.js";
import type { ProgressState, RunProgress } from "./progress_state.js";
import { summarizeRun, type RunSummary } from "./run_summary.js";
import type { TransformProgress } from "../../sdk/runner.js";

export interface ProgressContext extends DisplayContext {
  /** The time now (epoch ms), for the elapsed time and the spinner of a running run. */
  now?: number;
}

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const BAR_WIDTH = 12;
/** A transform's full name is cut from the left past this, keeping its leaf. */
const TRANSFORM_NAME_CHARS = 32;
const HTML_TRANSFORM_ROWS = 40;

export function renderProgress(state: ProgressState, ctx: ProgressContext = {}): MimeBundle {
  const width = Math.max(1, ctx.width ?? 100);
  const lines = state.runs.length === 0 ? [truncateToWidth("waiting for the run to start…", width)] : state.runs.map((r) => progressLine(r, summarizeRun(r, ctx.now), width, ctx.now));
  return {
    [Mime.text]: lines.join("\n"),
    [Mime.html]: progressHtml(state, ctx),
    [Mime.progress]: state,
  };
}

/**
 * One run's line, its least important parts left off until it fits the width. For HTML
 * (`drawn`), the spinner and the text bar stay out: the HTML draws its own bar.
 */
export function progressLine(run: RunProgress, s: RunSummary, width: number, now?: number, drawn = false): string {
  // [text, priority]: the lower the priority, the longer it stays.
  const parts: [string, number][] = [];
  const label = run.jobName ? `${run.runner} ${run.jobName}` : run.runner || "run";
  if (s.status === "running") {
    const frame = SPINNER[Math.floor((now ?? run.updatedAt) / 100) % SPINNER.length]!;
    parts.push([drawn ? label : `${frame} ${label}`, KEEP]);
    if (s.fraction !== undefined && !drawn) parts.push([bar(s.fraction), 5]);
    // The stage's name stays out of the line (fused names are long); the HTML table has the detail.
    if (s.currentStage && s.stagesKnown > 1) parts.push([`stage ${s.currentStage.index} of ${s.stagesKnown}`, 2]);
    if (s.busiest) parts.push([countsOf(s.busiest), 3]);
    if (s.bytesRead > 0) parts.push([`${formatBytes(s.bytesRead)} read`, 4]);
    parts.push([formatDuration(s.elapsedMs), 1]);
  } else if (s.status === "done") {
    parts.push([`✓ ${label}`, KEEP]);
    parts.push([`done in ${formatDuration(s.elapsedMs)}`, 1]);
    if (s.stagesKnown > 0) parts.push([`${s.stagesKnown} stage${s.stagesKnown === 1 ? "" : "s"}`, 5]);
    if (run.transforms.length > 0) parts.push([`${formatCount(s.elementsProcessed)} elements through ${run.transforms.length} transform${run.transforms.length === 1 ? "" : "s"}`, 2]);
    if (s.busiest) parts.push([`busiest ${countsOf(s.busiest)}`, 4]);
    if (s.bytesRead > 0) parts.push([`${formatBytes(s.bytesRead)} read`, 3]);
    if (s.bytesWritten > 0) parts.push([`${formatBytes(s.bytesWritten)} written`, 6]);
  } else {
    parts.push([`✗ ${label}`, KEEP]);
    parts.push([`${s.status} after ${formatDuration(s.elapsedMs)}`, 1]);
    if (s.currentStage && s.stagesKnown > 1 && s.status === "failed") parts.push([`in stage ${s.currentStage.index} of ${s.stagesKnown}`, 3]);
    // The error is what matters most: cut at the end of the line, never dropped.
    if (s.error) parts.push([s.error, KEEP]);
  }
  return fitParts(parts, width);
}

/** A part's priority that is never dropped (only cut, at the end of the line). */
const KEEP = 0;

/** The parts joined by " · ", the highest-numbered left off first while too wide, then cut to the width. */
function fitParts(parts: [string, number][], width: number): string {
  const kept = [...parts];
  const join = (ps: [string, number][]): string => ps.map((p) => p[0]).join(" · ");
  while (displayWidth(join(kept)) > width) {
    let drop = -1;
    for (let i = 0; i < kept.length; i++) if (kept[i]![1] !== KEEP && (drop < 0 || kept[i]![1] > kept[drop]![1])) drop = i;
    if (drop < 0) break;
    kept.splice(drop, 1);
  }
  return truncateToWidth(join(kept), width);
}

function bar(fraction: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return "█".repeat(full) + "░".repeat(BAR_WIDTH - full);
}

function shortTransform(name: string): string {
  return name.length > TRANSFORM_NAME_CHARS ? "…" + name.slice(name.length - TRANSFORM_NAME_CHARS + 1) : name;
}

function countsOf(t: TransformProgress): string {
  const counts =
    t.elementsIn !== undefined && t.elementsOut !== undefined
      ? `${formatCount(t.elementsIn)} in → ${formatCount(t.elementsOut)} out`
      : t.elementsIn !== undefined
        ? `${formatCount(t.elementsIn)} in`
        : `${formatCount(t.elementsOut ?? 0)} out`;
  return `${shortTransform(t.transform)} ${counts}`;
}

const COLOR = {
  running: "var(--jp-brand-color1, #1976d2)",
  done: "var(--jp-success-color1, #388e3c)",
  failed: "var(--jp-error-color1, #d32f2f)",
  cancelled: "var(--jp-warn-color1, #f57c00)",
};

function progressHtml(state: ProgressState, ctx: ProgressContext): string {
  if (state.runs.length === 0) return `<div class="flowbook-progress" style="opacity:0.7">waiting for the run to start…</div>`;
  return `<div class="flowbook-progress">${state.runs.map((r) => runHtml(r, summarizeRun(r, ctx.now), ctx.now)).join("")}</div>`;
}

function runHtml(run: RunProgress, s: RunSummary, now?: number): string {
  const line = progressLine(run, s, 400, now, true);
  // A translucent track reads on light and dark themes alike; an unknown fraction shows as a faint full bar.
  const pct = s.fraction === undefined ? 100 : Math.round(s.fraction * 100);
  const fill = `width:${pct}%;height:100%;background:${COLOR[s.status]};${s.fraction === undefined ? "opacity:0.35;" : ""}`;
  const barHtml =
    `<div role="progressbar" aria-valuenow="${pct}" aria-valuemin="0" aria-valuemax="100" ` +
    `style="max-width:420px;height:6px;margin:2px 0 4px 0;border-radius:3px;overflow:hidden;background:rgba(127,127,127,0.25)">` +
    `<div style="${fill}"></div></div>`;
  return `<div style="margin:0 0 6px 0"><div style="font-family:var(--jp-code-font-family, monospace);font-size:0.9em;white-space:pre-wrap">${escapeHtml(line)}</div>${barHtml}${transformsHtml(run, s.status === "running")}</div>`;
}

function transformsHtml(run: RunProgress, open: boolean): string {
  if (run.transforms.length === 0) return "";
  const showRead = run.transforms.some((t) => t.bytesRead !== undefined);
  const showWritten = run.transforms.some((t) => t.bytesWritten !== undefined);
  const num = ' style="text-align:right;font-variant-numeric:tabular-nums"';
  const cell = (v: string) => `<td${num}>${escapeHtml(v)}</td>`;
  const head =
    `<tr><th style="text-align:left">transform</th><th${num}>elements in</th><th${num}>elements out</th>` +
    (showRead ? `<th${num}>bytes read</th>` : "") +
    (showWritten ? `<th${num}>bytes written</th>` : "") +
    `</tr>`;
  const rows = run.transforms.slice(0, HTML_TRANSFORM_ROWS).map(
    (t) =>
      `<tr><td style="text-align:left">${escapeHtml(t.transform)}</td>` +
      cell(t.elementsIn === undefined ? "" : formatCount(t.elementsIn)) +
      cell(t.elementsOut === undefined ? "" : formatCount(t.elementsOut)) +
      (showRead ? cell(t.bytesRead === undefined ? "" : formatBytes(t.bytesRead)) : "") +
      (showWritten ? cell(t.bytesWritten === undefined ? "" : formatBytes(t.bytesWritten)) : "") +
      `</tr>`,
  );
  const more = run.transforms.length - HTML_TRANSFORM_ROWS;
  if (more > 0) rows.push(`<tr><td colspan="5" style="text-align:left;opacity:0.7">… ${more} more</td></tr>`);
  const n = run.transforms.length;
  return (
    `<details${open ? " open" : ""}><summary style="cursor:pointer;opacity:0.8;font-size:0.9em">${n} transform${n === 1 ? "" : "s"}</summary>` +
    `<table style="border-collapse:collapse"><thead>${head}</thead><tbody>${rows.join("")}</tbody></table></details>`
  );
}
