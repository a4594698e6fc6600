/**
 * A FlinkPlan as an SVG graph for notebooks: operators as boxes in layers from left
 * (sources) to right (sinks), colored by what they do (user code in Node stands out), each
 * listing the transforms it came from; edges drawn by ship strategy and labelled with it.
 * Plain SVG 1.1 with a sans-serif font, so it also converts to PNG (resvg, sharp).
 */
import type { FlinkOperator, FlinkPlan, OperatorInput, ShipStrategy } from "../../runners/flink/flink_plan.js";
import { category, details, kindLabel, transformsToList, type OperatorCategory } from "./describe.js";

const FONT = "DejaVu Sans, Verdana, Arial, sans-serif";
const BOX_W = 270;
const LINE_H = 15;
const PAD = 8;
const GAP_X = 90;
const GAP_Y = 26;
const MAX_TRANSFORMS = 5;
const MAX_CHARS = 36;

const COLORS: Record<OperatorCategory, { fill: string; band: string; text: string }> = {
  source: { fill: "#eef7ee", band: "#5b9a5b", text: "#ffffff" },
  usercode: { fill: "#fff4e5", band: "#d9822b", text: "#ffffff" },
  shuffle: { fill: "#eaf1fb", band: "#3c6eb4", text: "#ffffff" },
  native: { fill: "#f2f2f2", band: "#7a7a7a", text: "#ffffff" },
  sink: { fill: "#f4eefa", band: "#7d5ba6", text: "#ffffff" },
};

const EDGES: Record<ShipStrategy, { stroke: string; width: number; dash?: string }> = {
  forward: { stroke: "#888888", width: 1.5 },
  rebalance: { stroke: "#888888", width: 1.5, dash: "2 3" },
  hash: { stroke: "#3c6eb4", width: 2.5 },
  broadcast: { stroke: "#7d5ba6", width: 1.5, dash: "6 4" },
};

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function clip(s: string, n = MAX_CHARS): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

interface Box {
  op: FlinkOperator;
  layer: number;
  x: number;
  y: number;
  h: number;
  lines: Array<{ text: string; kind: "name" | "transform" | "detail" }>;
}

export function renderPlanSvg(plan: FlinkPlan): string {
  const byId = new Map(plan.operators.map((o) => [o.id, o]));
  const layer = new Map<string, number>();
  for (const op of plan.operators) {
    const l = op.inputs.length ? 1 + Math.max(...op.inputs.map((i) => layer.get(i.from) ?? 0)) : 0;
    layer.set(op.id, l);
  }
  // Sources sit just before their first consumer, not all at the far left.
  for (let i = plan.operators.length - 1; i >= 0; i--) {
    const op = plan.operators[i]!;
    if (op.inputs.length) continue;
    const consumerLayers = plan.operators.filter((o) => o.inputs.some((x) => x.from === op.id)).map((o) => layer.get(o.id)!);
    if (consumerLayers.length) layer.set(op.id, Math.max(0, Math.min(...consumerLayers) - 1));
  }
  const boxes = new Map<string, Box>();
  for (const op of plan.operators) {
    const lines: Box["lines"] = [{ text: clip(op.name, MAX_CHARS - 3), kind: "name" }];
    const ts = transformsToList(op);
    for (const t of ts.slice(0, MAX_TRANSFORMS)) lines.push({ text: clip(`· ${t}`), kind: "transform" });
    if (ts.length > MAX_TRANSFORMS) lines.push({ text: `  … ${ts.length - MAX_TRANSFORMS} more`, kind: "transform" });
    for (const d of details(op, plan).slice(0, 3)) lines.push({ text: clip(d, MAX_CHARS + 4), kind: "detail" });
    const h = 22 + PAD + lines.length * LINE_H + PAD / 2;
    boxes.set(op.id, { op, layer: layer.get(op.id)!, x: 0, y: 0, h, lines });
  }
  // Order within each layer by the mean position of the inputs (fewer crossings), then stack.
  const layers: Box[][] = [];
  for (const b of boxes.values()) (layers[b.layer] ??= []).push(b);
  const order = new Map<string, number>();
  layers.forEach((col, li) => {
    if (li > 0) {
      const key = (b: Box) => {
        const ys = b.op.inputs.map((i) => order.get(i.from) ?? 0);
        return ys.reduce((a, c) => a + c, 0) / Math.max(1, ys.length);
      };
      col.sort((a, b) => key(a) - key(b));
    }
    col.forEach((b, i) => order.set(b.op.id, i + li * 0.001));
  });
  const heights = layers.map((col) => col.reduce((s, b) => s + b.h, 0) + GAP_Y * Math.max(0, col.length - 1));
  const total = Math.max(0, ...heights);
  const top = 54;
  layers.forEach((col, li) => {
    let y = top + (total - heights[li]!) / 2;
    for (const b of col) {
      b.x = 20 + li * (BOX_W + GAP_X);
      b.y = y;
      y += b.h + GAP_Y;
    }
  });
  const width = 40 + layers.length * BOX_W + Math.max(0, layers.length - 1) * GAP_X;
  const legendY = top + total + 30;
  const height = legendY + 40;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="12">`);
  out.push(`<defs>${Object.entries(EDGES).map(([k, e]) => `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${e.stroke}"/></marker>`).join("")}</defs>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  const userCode = plan.operators.filter((o) => category(o) === "usercode").length;
  out.push(`<text x="20" y="24" font-size="15" font-weight="bold" fill="#222">${esc(`Flink plan '${plan.jobName}'`)}</text>`);
  out.push(`<text x="20" y="42" fill="#555">${esc(`${plan.runtimeMode} · parallelism ${plan.parallelism} · ${plan.operators.length} operators, ${userCode} with user code (Node)`)}</text>`);

  // Edges under the boxes.
  for (const op of plan.operators) {
    const to = boxes.get(op.id)!;
    op.inputs.forEach((input: OperatorInput, index) => {
      const from = boxes.get(input.from);
      if (!from || !byId.has(input.from)) return;
      const style = EDGES[input.ship] ?? EDGES.forward;
      const x1 = from.x + BOX_W;
      const y1 = from.y + from.h / 2;
      const x2 = to.x;
      const y2 = to.y + Math.min(to.h - 8, 18 + index * 10);
      const mx = (x1 + x2) / 2;
      const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 2},${y2}`;
      out.push(`<path d="${d}" fill="none" stroke="${style.stroke}" stroke-width="${style.width}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""} marker-end="url(#arrow-${input.ship})"><title>${esc(`${input.from} → ${op.id}: ${input.ship}${input.output && input.output !== "main" ? ` (output ${input.output})` : ""}`)}</title></path>`);
      const label = input.output && input.output !== "main" ? `${input.ship} · side output` : input.ship;
      const lx = mx;
      const ly = (y1 + y2) / 2 - 4;
      out.push(`<text x="${lx}" y="${ly}" text-anchor="middle" font-size="10" fill="${style.stroke}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${esc(label)}</text>`);
    });
  }

  for (const b of boxes.values()) {
    const c = COLORS[category(b.op)];
    out.push(`<g><title>${esc(`${b.op.id} ${b.op.kind}: ${b.op.transforms.join(", ") || b.op.name}`)}</title>`);
    out.push(`<rect x="${b.x}" y="${b.y}" width="${BOX_W}" height="${b.h}" rx="6" fill="${c.fill}" stroke="${c.band}" stroke-width="1.5"/>`);
    out.push(`<path d="M${b.x},${b.y + 6} a6,6 0 0 1 6,-6 h${BOX_W - 12} a6,6 0 0 1 6,6 v16 h-${BOX_W} z" fill="${c.band}"/>`);
    out.push(`<text x="${b.x + PAD}" y="${b.y + 15}" fill="${c.text}" font-weight="bold">${esc(`${b.op.id} · ${kindLabel(b.op)}`)}</text>`);
    out.push(`<text x="${b.x + BOX_W - PAD}" y="${b.y + 15}" fill="${c.text}" text-anchor="end">${esc(`×${b.op.parallelism ?? plan.parallelism}`)}</text>`);
    b.lines.forEach((l, i) => {
      const y = b.y + 22 + PAD + (i + 1) * LINE_H - 4;
      const attrs = l.kind === "name" ? ` font-weight="bold" fill="#222"` : l.kind === "transform" ? ` fill="#333"` : ` fill="#666" font-size="11" font-style="italic"`;
      out.push(`<text x="${b.x + PAD}" y="${y}"${attrs}>${esc(l.text)}</text>`);
    });
    out.push(`</g>`);
  }

  // Legend.
  let lx = 20;
  const legend: Array<[string, OperatorCategory]> = [["source", "source"], ["user code (Node)", "usercode"], ["shuffle", "shuffle"], ["native", "native"], ["sink", "sink"]];
  for (const [label, cat] of legend) {
    out.push(`<rect x="${lx}" y="${legendY}" width="14" height="14" rx="3" fill="${COLORS[cat].band}"/><text x="${lx + 19}" y="${legendY + 11}" fill="#444">${esc(label)}</text>`);
    lx += 30 + label.length * 7;
  }
  for (const [ship, e] of Object.entries(EDGES)) {
    out.push(`<line x1="${lx}" y1="${legendY + 7}" x2="${lx + 26}" y2="${legendY + 7}" stroke="${e.stroke}" stroke-width="${e.width}"${e.dash ? ` stroke-dasharray="${e.dash}"` : ""}/><text x="${lx + 31}" y="${legendY + 11}" fill="#444">${esc(ship)}</text>`);
    lx += 40 + ship.length * 7;
  }
  out.push(`</svg>`);
  return out.join("\n");
}
