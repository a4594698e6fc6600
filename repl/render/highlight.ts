/**
 * A small TypeScript tokenizer for syntax highlighting: keywords, strings (template
 * literals too), numbers, comments, and the flowbook API's capitalized names. It never
 * fails: whatever it does not know is plain text, and an unterminated string or comment
 * runs to the end (the input is being typed).
 */
import type { Color, Painter } from "./ansi.js";

export type TokenKind = "keyword" | "string" | "number" | "comment" | "type" | "plain";
export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set(
  (
    "abstract as async await break case catch class const continue debugger declare default delete do else enum export extends " +
    "false finally for from function get if implements import in instanceof interface let new null of private protected public " +
    "readonly return set static super switch this throw true try type typeof undefined var void while yield keyof satisfies"
  ).split(" "),
);

const COLORS: Record<TokenKind, Color | undefined> = {
  keyword: "magenta",
  string: "green",
  number: "yellow",
  comment: "gray",
  type: "cyan",
  plain: undefined,
};

const RULES: Array<[RegExp, TokenKind | "word"]> = [
  [/\/\/[^\n]*/y, "comment"],
  [/\/\*[\s\S]*?(\*\/|$)/y, "comment"],
  [/"(?:[^"\\\n]|\\.)*"?/y, "string"],
  [/'(?:[^'\\\n]|\\.)*'?/y, "string"],
  [/`(?:[^`\\]|\\[\s\S])*`?/y, "string"],
  [/(?:0[xXbBoO][0-9a-fA-F_]+|(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)n?/y, "number"],
  [/[A-Za-z_$][\w$]*/y, "word"],
];

export function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  let plain = "";
  let i = 0;
  outer: while (i < code.length) {
    for (const [re, kind] of RULES) {
      re.lastIndex = i;
      const m = re.exec(code);
      if (!m || !m[0]) continue;
      let k: TokenKind;
      if (kind === "word") k = KEYWORDS.has(m[0]) ? "keyword" : /^[A-Z]/.test(m[0]) ? "type" : "plain";
      else k = kind;
      if (k === "plain") plain += m[0];
      else {
        if (plain) tokens.push({ kind: "plain", text: plain });
        plain = "";
        tokens.push({ kind: k, text: m[0] });
      }
      i += m[0].length;
      continue outer;
    }
    plain += code[i++];
  }
  if (plain) tokens.push({ kind: "plain", text: plain });
  return tokens;
}

/**
 * The code's lines, colored. With `cursor`, the character there (or a space at a line's
 * end) is drawn inverse: the editor's cursor.
 */
export function highlightLines(code: string, paint: Painter, cursor?: { row: number; col: number }): string[] {
  const lines: string[] = [""];
  let row = 0;
  let col = 0;
  const put = (kind: TokenKind, text: string) => {
    for (const part of text.split(/(\n)/)) {
      if (part === "\n") {
        if (cursor && cursor.row === row && cursor.col === col) lines[row] += paint("inverse", " ");
        lines.push("");
        row++;
        col = 0;
        continue;
      }
      if (!part) continue;
      if (cursor && cursor.row === row && cursor.col >= col && cursor.col < col + part.length) {
        const at = cursor.col - col;
        const cp = part.codePointAt(at)! > 0xffff ? 2 : 1;
        lines[row] += paint(COLORS[kind], part.slice(0, at)) + paint("inverse", part.slice(at, at + cp)) + paint(COLORS[kind], part.slice(at + cp));
      } else lines[row] += paint(COLORS[kind], part);
      col += part.length;
    }
  };
  for (const t of tokenize(code)) put(t.kind, t.text);
  if (cursor && cursor.row === row && cursor.col >= col) lines[row] += paint("inverse", " ");
  return lines;
}
