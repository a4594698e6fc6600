/**
 * The text of an SVG as boxes, to check that labels do not overlap: each `<text>`'s
 * position, anchor and font size, its width estimated from DejaVu Sans's advance widths
 * (in em, rounded; bold about 10% wider). Shared by the graph and plan tests.
 */

/** DejaVu Sans advance widths (em): lower case and the characters far from the average. */
const ADVANCE: Record<string, number> = {
  a: 0.613, b: 0.635, c: 0.55, d: 0.635, e: 0.615, g: 0.635, h: 0.634, k: 0.579, n: 0.634, o: 0.612, p: 0.635,
  q: 0.635, s: 0.521, u: 0.634, v: 0.592, x: 0.592, y: 0.592, z: 0.525,
  " ": 0.318, i: 0.278, l: 0.278, j: 0.278, f: 0.352, t: 0.392, r: 0.411, ".": 0.318, ",": 0.318, ":": 0.337, ";": 0.337,
  "|": 0.337, "!": 0.4, "'": 0.275, "(": 0.39, ")": 0.39, "/": 0.337, "·": 0.318, m: 0.974, w: 0.818, M: 0.863,
  W: 0.989, I: 0.295, J: 0.295, "…": 1, "→": 0.838, "×": 0.838, "■": 0.77, "<": 0.838, ">": 0.838, "&": 0.78,
};

function em(text: string): number {
  let w = 0;
  for (const ch of text) w += ADVANCE[ch] ?? (ch >= "A" && ch <= "Z" ? 0.7 : ch >= "0" && ch <= "9" ? 0.636 : 0.61);
  return w;
}
export interface TextBox {
  text: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const ENTITIES: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#160;": " ", "&#45;": "-" };

export function textBoxes(svg: string, defaultFontSize = 12): TextBox[] {
  const boxes: TextBox[] = [];
  for (const m of svg.matchAll(/<text\b([^>]*)>([\s\S]*?)<\/text>/g)) {
    const attrs = m[1]!;
    const text = m[2]!.replace(/<[^>]+>/g, "").replace(/&[#\w]+;/g, (e) => ENTITIES[e] ?? "?");
    if (!text.trim()) continue;
    const num = (name: string) => {
      const v = new RegExp(`\\s${name}="([-\\d.]+)`).exec(attrs)?.[1];
      return v === undefined ? undefined : Number(v);
    };
    const size = num("font-size") ?? defaultFontSize;
    const bold = /font-weight="bold"/.test(attrs);
    const scale = size * (bold ? 1.1 : 1);
    const width = em(text) * scale;
    const x = num("x") ?? 0;
    const y = num("y") ?? 0;
    const anchor = /text-anchor="(\w+)"/.exec(attrs)?.[1] ?? "start";
    const start = anchor === "middle" ? x - width / 2 : anchor === "end" ? x - width : x;
    // The ink: spaces at either end take room but paint nothing.
    const lead = em(/^\s*/.exec(text)![0]) * scale;
    const trail = em(/\s*$/.exec(text)![0]) * scale;
    // Baseline at y: ascenders reach about 0.76 em above it, descenders 0.24 em below.
    boxes.push({ text: text.trim(), x0: start + lead, x1: start + width - trail, y0: y - size * 0.76, y1: y + size * 0.24 });
  }
  return boxes;
}

/** Pairs of boxes that overlap by more than `slack` in both directions. */
export function overlaps(boxes: TextBox[], slack = 0.5): Array<[TextBox, TextBox]> {
  const found: Array<[TextBox, TextBox]> = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!, b = boxes[j]!;
      const dx = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      const dy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (dx > slack && dy > slack) found.push([a, b]);
    }
  }
  return found;
}
