/**
 * The text of an SVG as boxes, to check that labels do not overlap: each `<text>`'s
 * position, anchor and font size, its width estimated from its length (DejaVu Sans
 * averages about 0.6 em a character, bold a little more). Shared by the graph and plan
 * tests.
 */
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
    const width = text.length * size * (bold ? 0.66 : 0.6);
    const x = num("x") ?? 0;
    const y = num("y") ?? 0;
    const anchor = /text-anchor="(\w+)"/.exec(attrs)?.[1] ?? "start";
    const x0 = anchor === "middle" ? x - width / 2 : anchor === "end" ? x - width : x;
    // Baseline at y: ascenders reach about 0.76 em above it, descenders 0.24 em below.
    boxes.push({ text, x0, x1: x0 + width, y0: y - size * 0.76, y1: y + size * 0.24 });
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
