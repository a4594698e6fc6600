/**
 * SGR colors as plain strings, so entries are text that the Ink screen, the scrollback and
 * the plain (non-TTY) REPL all print the same way; `paint(false)` gives the same text uncolored.
 */
export type Color = "red" | "green" | "yellow" | "blue" | "magenta" | "cyan" | "gray" | "bold" | "dim" | "inverse";

const CODES: Record<Color, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
  inverse: [7, 27],
};

export type Painter = (color: Color | undefined, text: string) => string;

export function paint(colors: boolean): Painter {
  return (color, text) => {
    if (!colors || !color || !text) return text;
    const [on, off] = CODES[color];
    return `\x1b[${on}m${text}\x1b[${off}m`;
  };
}

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;
export function stripAnsi(s: string): string {
  return s.replace(SGR, "");
}

/** Columns a string takes (ANSI removed; wide CJK and emoji count 2). */
export function visibleWidth(s: string): number {
  let w = 0;
  for (const ch of stripAnsi(s)) {
    const c = ch.codePointAt(0)!;
    if (c < 32 || (c >= 0x300 && c < 0x370)) continue;
    w += c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60) || (c >= 0x1f300 && c <= 0x1faff)) ? 2 : 1;
  }
  return w;
}

/** The first `width` columns of a plain string, with an ellipsis when cut. */
export function truncate(s: string, width: number): string {
  if (visibleWidth(s) <= width) return s;
  let out = "";
  let w = 0;
  for (const ch of s) {
    const cw = visibleWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + "…";
}

/**
 * A colored line cut into rows of at most `width` columns (escapes kept where they were,
 * so colors carry on, as the terminal carries them across a line break).
 */
export function wrapRows(line: string, width: number): string[] {
  const rows: string[] = [];
  let row = "";
  let w = 0;
  for (let i = 0; i < line.length; ) {
    const m = line[i] === "\x1b" ? /^\x1b\[[0-9;]*m/.exec(line.slice(i)) : null;
    if (m) {
      row += m[0];
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    const cw = visibleWidth(ch);
    if (w + cw > width && w > 0) {
      rows.push(row);
      row = "";
      w = 0;
    }
    row += ch;
    w += cw;
    i += ch.length;
  }
  rows.push(row);
  return rows;
}
