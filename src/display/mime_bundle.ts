/**
 * THE one function turning any value into a mime bundle, used by both front ends (the
 * kernel's display_data and execute_result, the REPL's screen):
 *
 * - an object with a `[Symbol.for("flowbook.display")](ctx)` method (DISPLAY) or a
 *   `toMimeBundle(ctx)` method: the bundle it returns, checked (a bad one shows as an
 *   error bundle naming the problem, never as nothing);
 * - an array of records (or KVs): a table;
 * - an Error: its stack (and its causes');
 * - anything else: ctx.inspect's text.
 *
 * PCollections and Pipelines need a run or a renderer on the host, so the async facade
 * (show, display) turns them into bundles before they get here. Every bundle returned has
 * `text/plain`. Pure and realm-agnostic: it runs in the cells' sandbox on the sandbox's
 * own objects, so kinds are told by shape and tag, never by instanceof.
 */
import { DISPLAY, Mime, type DisplayContext, type MimeBundle } from "./mime.js";
import { isRecord, kindOf } from "./table/compact.js";
import { escapeHtml } from "./table/html_escape.js";
import { renderTable } from "./table/render_table.js";
import { tableOf } from "./table/table_of.js";
import { PaneInfo } from "../sdk/values/pane.js";
import type { WindowedValue } from "../sdk/values/windowed_value.js";
import { TIMESTAMP_MIN } from "../sdk/values/time.js";

export interface ValueDisplayContext extends DisplayContext {
  /** A value as the host's util.inspect shows it (the session's formatValue). */
  inspect: (value: unknown) => string;
}

/** How many rows of an array a table shows. */
export const ARRAY_TABLE_ROWS = 50;

export function toMimeBundle(value: unknown, ctx: ValueDisplayContext): MimeBundle {
  const method = displayMethodOf(value);
  if (method) return bundleFromMethod(value as object, method, ctx);
  if (Array.isArray(value) && value.length > 0 && value.every(isTableRow)) return arrayTable(value, ctx);
  if (isError(value)) return errorBundle(value);
  return { [Mime.text]: safeInspect(value, ctx) };
}

type DisplayMethod = { fn: (ctx: ValueDisplayContext) => unknown; label: string };

function displayMethodOf(value: unknown): DisplayMethod | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  try {
    const display = (value as Record<symbol, unknown>)[DISPLAY];
    if (typeof display === "function") return { fn: display as DisplayMethod["fn"], label: '[Symbol.for("flowbook.display")]()' };
    const toBundle = (value as { toMimeBundle?: unknown }).toMimeBundle;
    if (typeof toBundle === "function") return { fn: toBundle as DisplayMethod["fn"], label: "toMimeBundle()" };
  } catch {
    // A getter that throws: the value is not displayable by method.
  }
  return undefined;
}

function bundleFromMethod(value: object, method: DisplayMethod, ctx: ValueDisplayContext): MimeBundle {
  const who = `${typeName(value)}'s ${method.label}`;
  let returned: unknown;
  try {
    returned = method.fn.call(value, ctx);
  } catch (e) {
    return displayError(`${who} threw: ${firstLine(e)}`, isError(e) ? errorText(e) : undefined);
  }
  const problem = bundleProblem(returned);
  if (problem) return displayError(`${who} ${problem}`);
  const bundle: MimeBundle = { ...(returned as MimeBundle) };
  const text = bundle[Mime.text];
  // No text/plain: the value as inspect shows it (what a terminal shows of an undisplayable value).
  if (typeof text !== "string") bundle[Mime.text] = safeInspect(text === undefined ? value : text, ctx);
  return bundle;
}

/** What is wrong with a display method's return value, or undefined when it is a good bundle. */
export function bundleProblem(returned: unknown): string | undefined {
  if (returned !== null && typeof returned === "object" && typeof (returned as { then?: unknown }).then === "function") {
    return "returned a Promise: it must return the bundle itself (compute the data first, then display it)";
  }
  if (!isRecord(returned)) return `returned ${describe(returned)}, not an object of { mime type → data }`;
  const keys = Object.keys(returned);
  if (keys.length === 0) return "returned an empty bundle (no mime type)";
  for (const key of keys) {
    const data = returned[key];
    if (!/^[a-z]+\/[^\s/]+$/i.test(key)) {
      const guess = KNOWN_SHORT_NAMES[key.toLowerCase()];
      return `returned a bundle with key '${key}', which is not a mime type${guess ? ` (did you mean '${guess}'?)` : ""}`;
    }
    if (key === Mime.text) continue;
    if (isTextMime(key) && typeof data !== "string") return `returned ${describe(data)} under '${key}', which must be a string`;
    if (!isTextMime(key) && !isJson(data)) return `returned data under '${key}' that is not JSON (${describe(data)})`;
  }
  return undefined;
}

const KNOWN_SHORT_NAMES: Record<string, string> = {
  text: Mime.text,
  plain: Mime.text,
  html: Mime.html,
  markdown: Mime.markdown,
  md: Mime.markdown,
  svg: Mime.svg,
  png: Mime.png,
  json: Mime.json,
};

/** Mime types whose data is a string (text, SVG, base64 images) rather than a JSON value. */
function isTextMime(mime: string): boolean {
  return /^text\//.test(mime) || /^image\//.test(mime) || mime === "application/javascript";
}

function isJson(data: unknown): boolean {
  try {
    return JSON.stringify(data) !== undefined;
  } catch {
    return false;
  }
}

/** A bundle saying why a value could not be displayed (shown where the value would have been). */
function displayError(message: string, detail?: string): MimeBundle {
  const text = `flowbook display: ${message}` + (detail ? `\n${detail}` : "");
  return { [Mime.text]: text, [Mime.html]: `<pre style="color:var(--jp-error-color1, #c62828);white-space:pre-wrap">${escapeHtml(text)}</pre>` };
}

function isTableRow(v: unknown): boolean {
  return isRecord(v) && !displayMethodOf(v);
}

function arrayTable(values: unknown[], ctx: ValueDisplayContext): MimeBundle {
  const shown = values.slice(0, ARRAY_TABLE_ROWS);
  // An array's elements have no event time of their own: the global window, a batch element's timestamp.
  const elements: WindowedValue<unknown>[] = shown.map((value) => ({ value, timestamp: TIMESTAMP_MIN, windows: [], pane: PaneInfo.NO_FIRING }));
  const truncated = values.length > shown.length;
  return renderTable(tableOf(elements, { truncated, total: values.length }), ctx);
}

/** True for Errors of any realm, and for error-shaped objects (a name, a message and a stack). */
function isError(v: unknown): v is Error {
  if (typeof v !== "object" || v === null) return false;
  if (kindOf(v) === "Error") return true;
  const e = v as Partial<Error>;
  return typeof e.message === "string" && typeof e.stack === "string" && typeof e.name === "string";
}

/** The stack (which starts with "Name: message" in V8), then each cause's. */
function errorText(e: Error, depth = 0): string {
  const head = `${e.name}: ${e.message}`;
  let text = typeof e.stack === "string" && e.stack ? (e.stack.includes(e.message) ? e.stack : `${head}\n${e.stack}`) : head;
  const cause = (e as { cause?: unknown }).cause;
  if (cause !== undefined && depth < 5) text += `\nCaused by: ${isError(cause) ? errorText(cause, depth + 1) : String(cause)}`;
  return text;
}

function errorBundle(e: Error): MimeBundle {
  const text = errorText(e);
  return { [Mime.text]: text, [Mime.html]: `<pre style="white-space:pre-wrap">${escapeHtml(text)}</pre>` };
}

/** ctx.inspect's text, or a plain description when inspect itself fails. */
function safeInspect(value: unknown, ctx: ValueDisplayContext): string {
  try {
    const s = ctx.inspect(value);
    if (typeof s === "string") return s;
  } catch {
    // fall through to a description
  }
  return `[${typeName(value)}]`;
}

function firstLine(e: unknown): string {
  const s = isError(e) ? `${e.name}: ${e.message}` : String(e);
  return s.split("\n")[0]!;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object" && typeof v !== "function") return typeof v;
  try {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === "string" && name) return name;
  } catch {
    // a proxy that refuses
  }
  return kindOf(v);
}

function describe(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  switch (typeof v) {
    case "string": return `a string (${JSON.stringify(v.length > 30 ? v.slice(0, 29) + "…" : v)})`;
    case "number":
    case "boolean":
    case "bigint": return `the ${typeof v} ${String(v)}`;
    case "function": return "a function";
    case "symbol": return "a symbol";
  }
  return `a ${typeName(v)}`;
}
