/** Just enough of source maps (v3) for the instrumenter: VLQ mappings in and out. */

export interface RawSourceMap {
  version: 3;
  file?: string;
  sources: string[];
  sourcesContent?: Array<string | null>;
  names: string[];
  mappings: string;
}

/** One mapping: generated column → source index, original line, original column (0-based). */
export type Segment = [genCol: number, source: number, line: number, col: number];

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let s = "";
  do {
    let d = v & 31;
    v >>>= 5;
    if (v) d |= 32;
    s += B64[d];
  } while (v);
  return s;
}

/** Decodes `mappings` into segments per generated line (segments without a source are dropped). */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let gen = 0;
  let src = 0;
  let oLine = 0;
  let oCol = 0;
  const fields: number[] = [];
  let i = 0;
  const n = mappings.length;
  while (i < n) {
    const c = mappings.charCodeAt(i);
    if (c === 59 /* ; */) {
      lines.push(line);
      line = [];
      gen = 0;
      i++;
      continue;
    }
    if (c === 44 /* , */) {
      i++;
      continue;
    }
    fields.length = 0;
    while (i < n && mappings.charCodeAt(i) !== 44 && mappings.charCodeAt(i) !== 59) {
      let value = 0;
      let shift = 0;
      let digit: number;
      do {
        digit = B64_INDEX[mappings.charCodeAt(i++)] ?? -1;
        if (digit < 0) throw new Error("invalid source map mappings");
        value += (digit & 31) * 2 ** shift;
        shift += 5;
      } while (digit & 32);
      fields.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
    }
    gen += fields[0] ?? 0;
    if (fields.length >= 4) {
      src += fields[1]!;
      oLine += fields[2]!;
      oCol += fields[3]!;
      line.push([gen, src, oLine, oCol]);
    }
  }
  lines.push(line);
  return lines;
}

/** Encodes segments per generated line. */
export function encodeMappings(lines: Segment[][]): string {
  let src = 0;
  let oLine = 0;
  let oCol = 0;
  const out: string[] = [];
  for (const line of lines) {
    let gen = 0;
    const segs: string[] = [];
    for (const [g, s, l, c] of line) {
      segs.push(vlq(g - gen) + vlq(s - src) + vlq(l - oLine) + vlq(c - oCol));
      gen = g;
      src = s;
      oLine = l;
      oCol = c;
    }
    out.push(segs.join(","));
  }
  return out.join(";");
}

/** Reads a source map given as an object or JSON text; undefined if it is not one. */
export function readSourceMap(map: unknown): RawSourceMap | undefined {
  let m = map;
  if (typeof m === "string") {
    try {
      m = JSON.parse(m);
    } catch {
      return undefined;
    }
  }
  if (m === null || typeof m !== "object" || typeof (m as RawSourceMap).mappings !== "string") return undefined;
  return m as RawSourceMap;
}

/** For each generated line, the original line (0-based) of its first mapped segment, or -1. */
export function originalLinePerLine(map: RawSourceMap, lineCount: number): Int32Array {
  const decoded = decodeMappings(map.mappings);
  const out = new Int32Array(lineCount).fill(-1);
  for (let i = 0; i < lineCount && i < decoded.length; i++) {
    const segs = decoded[i]!;
    if (segs.length) out[i] = segs[0]![2];
  }
  return out;
}
