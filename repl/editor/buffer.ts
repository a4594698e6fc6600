/**
 * The editor's text: lines and a cursor, as immutable values, so every edit is a pure
 * function that tests can call without a terminal. Columns are JavaScript string indices.
 */
export interface Buffer {
  readonly lines: readonly string[];
  readonly row: number;
  readonly col: number;
}

export const EMPTY: Buffer = { lines: [""], row: 0, col: 0 };

export function fromText(text: string): Buffer {
  const lines = text.split("\n");
  const row = lines.length - 1;
  return { lines, row, col: lines[row]!.length };
}

export const textOf = (b: Buffer): string => b.lines.join("\n");
export const isEmpty = (b: Buffer): boolean => b.lines.length === 1 && b.lines[0] === "";

/** The cursor as an offset into textOf(b). */
export function offsetOf(b: Buffer): number {
  let n = 0;
  for (let r = 0; r < b.row; r++) n += b.lines[r]!.length + 1;
  return n + b.col;
}

/** A buffer holding `text` with the cursor at `offset`. */
export function atOffset(text: string, offset: number): Buffer {
  const before = text.slice(0, offset).split("\n");
  return { lines: text.split("\n"), row: before.length - 1, col: before[before.length - 1]!.length };
}

/** Inserts text (which may hold newlines) at the cursor. */
export function insert(b: Buffer, text: string): Buffer {
  const line = b.lines[b.row]!;
  const joined = line.slice(0, b.col) + text + line.slice(b.col);
  const inserted = joined.split("\n");
  const lines = [...b.lines.slice(0, b.row), ...inserted, ...b.lines.slice(b.row + 1)];
  const row = b.row + inserted.length - 1;
  const lastBefore = (line.slice(0, b.col) + text).split("\n");
  return { lines, row, col: lastBefore[lastBefore.length - 1]!.length };
}

export function backspace(b: Buffer): Buffer {
  if (b.col > 0) {
    const line = b.lines[b.row]!;
    // Inside leading spaces, remove up to the previous two-space stop.
    const lead = /^ */.exec(line)![0].length;
    const n = b.col <= lead && b.col >= 2 ? ((b.col - 1) % 2) + 1 : charBefore(line, b.col);
    return withLine(b, line.slice(0, b.col - n) + line.slice(b.col), b.col - n);
  }
  if (b.row === 0) return b;
  const prev = b.lines[b.row - 1]!;
  const lines = [...b.lines.slice(0, b.row - 1), prev + b.lines[b.row]!, ...b.lines.slice(b.row + 1)];
  return { lines, row: b.row - 1, col: prev.length };
}

export function deleteForward(b: Buffer): Buffer {
  const line = b.lines[b.row]!;
  if (b.col < line.length) return withLine(b, line.slice(0, b.col) + line.slice(b.col + charAfter(line, b.col)), b.col);
  if (b.row === b.lines.length - 1) return b;
  const lines = [...b.lines.slice(0, b.row), line + b.lines[b.row + 1]!, ...b.lines.slice(b.row + 2)];
  return { lines, row: b.row, col: b.col };
}

export function left(b: Buffer): Buffer {
  if (b.col > 0) return { ...b, col: b.col - charBefore(b.lines[b.row]!, b.col) };
  if (b.row > 0) return { ...b, row: b.row - 1, col: b.lines[b.row - 1]!.length };
  return b;
}

export function right(b: Buffer): Buffer {
  const line = b.lines[b.row]!;
  if (b.col < line.length) return { ...b, col: b.col + charAfter(line, b.col) };
  if (b.row < b.lines.length - 1) return { ...b, row: b.row + 1, col: 0 };
  return b;
}

export function up(b: Buffer): Buffer {
  if (b.row === 0) return b;
  return { ...b, row: b.row - 1, col: Math.min(b.col, b.lines[b.row - 1]!.length) };
}

export function down(b: Buffer): Buffer {
  if (b.row === b.lines.length - 1) return b;
  return { ...b, row: b.row + 1, col: Math.min(b.col, b.lines[b.row + 1]!.length) };
}

export const home = (b: Buffer): Buffer => {
  // First to the line's first non-blank, then to column 0.
  const lead = /^\s*/.exec(b.lines[b.row]!)![0].length;
  return { ...b, col: b.col === lead ? 0 : lead };
};
export const end = (b: Buffer): Buffer => ({ ...b, col: b.lines[b.row]!.length });
export const isFirstRow = (b: Buffer): boolean => b.row === 0;
export const isLastRow = (b: Buffer): boolean => b.row === b.lines.length - 1;

/** Ctrl-K: deletes to the end of the line (or joins the next line at its end). */
export function killToEnd(b: Buffer): Buffer {
  const line = b.lines[b.row]!;
  return b.col === line.length ? deleteForward(b) : withLine(b, line.slice(0, b.col), b.col);
}

/** Ctrl-U: deletes to the start of the line. */
export function killToStart(b: Buffer): Buffer {
  return withLine(b, b.lines[b.row]!.slice(b.col), 0);
}

/** Ctrl-W / Alt-Backspace: deletes the word before the cursor. */
export function deleteWordBefore(b: Buffer): Buffer {
  if (b.col === 0) return backspace(b);
  const line = b.lines[b.row]!;
  const start = wordStart(line, b.col);
  return withLine(b, line.slice(0, start) + line.slice(b.col), start);
}

export function wordLeft(b: Buffer): Buffer {
  if (b.col === 0) return left(b);
  return { ...b, col: wordStart(b.lines[b.row]!, b.col) };
}

export function wordRight(b: Buffer): Buffer {
  const line = b.lines[b.row]!;
  if (b.col === line.length) return right(b);
  const m = /^\W*\w*/.exec(line.slice(b.col))!;
  return { ...b, col: b.col + m[0].length };
}

/** Replaces text[start, end) (offsets into the whole text) and puts the cursor after it. */
export function replaceRange(b: Buffer, start: number, end: number, replacement: string): Buffer {
  const text = textOf(b);
  return atOffset(text.slice(0, start) + replacement + text.slice(end), start + replacement.length);
}

function wordStart(line: string, col: number): number {
  const m = /\w*\W*$/.exec(line.slice(0, col))!;
  return col - m[0].length;
}

function withLine(b: Buffer, line: string, col: number): Buffer {
  const lines = [...b.lines];
  lines[b.row] = line;
  return { lines, row: b.row, col };
}

/** Surrogate pairs move and delete as one character. */
function charBefore(line: string, col: number): number {
  const c = line.charCodeAt(col - 1);
  return c >= 0xdc00 && c <= 0xdfff && col >= 2 ? 2 : 1;
}
function charAfter(line: string, col: number): number {
  const c = line.charCodeAt(col);
  return c >= 0xd800 && c <= 0xdbff ? 2 : 1;
}
