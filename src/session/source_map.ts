/**
 * Positions back through the steps a cell goes through (TypeScript → JavaScript → instrumented
 * → the script that runs): each step is a {@link PositionMapper}, and {@link chain} walks a
 * generated position back to the cell's own text.
 *
 * Lines and columns are 0-based here; error_mapping.ts turns them into the 1-based numbers
 * people read.
 */

/** A generated position → the position it came from (undefined: generated text with no origin). */
export interface PositionMapper {
  original(line: number, column: number): Position | undefined;
}

export interface Position {
  line: number;
  column: number;
}

/** Offsets ↔ lines/columns of one text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: offset - this.starts[lo]! };
  }

  offset(line: number, column: number): number {
    const l = Math.max(0, Math.min(line, this.starts.length - 1));
    return Math.min(this.starts[l]! + column, this.text.length);
  }

  lineText(line: number): string {
    const start = this.starts[line];
    if (start === undefined) return "";
    const end = this.starts[line + 1];
    return this.text.slice(start, end === undefined ? undefined : end - 1).replace(/\r$/, "");
  }
}

/** The identity: a step that changed nothing. */
export const identityMapper: PositionMapper = { original: (line, column) => ({ line, column }) };

/** Walks back through several steps, the last step first (`chain(tsToJs, jsToInstrumented, ...)`). */
export function chain(...steps: Array<PositionMapper | undefined>): PositionMapper {
  const present = steps.filter((s): s is PositionMapper => s !== undefined);
  return {
    original(line, column) {
      let p: Position | undefined = { line, column };
      for (let i = present.length - 1; i >= 0 && p; i--) p = present[i]!.original(p.line, p.column);
      return p;
    },
  };
}

// --- source maps (v3) -------------------------------------------------------------------

/** The parts of a v3 source map this module reads. */
export interface RawSourceMap {
  version: number;
  sources?: string[];
  mappings: string;
}

/** One decoded mapping: generated column, original line, original column. */
type Segment = [genCol: number, line: number, col: number];

const B64_INDEX = new Int8Array(128).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach((c, i) => (B64_INDEX[c.charCodeAt(0)] = i));

function decode(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let gen = 0;
  let oLine = 0;
  let oCol = 0;
  const fields: number[] = [];
  let i = 0;
  while (i < mappings.length) {
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
    while (i < mappings.length && mappings.charCodeAt(i) !== 44 && mappings.charCodeAt(i) !== 59) {
      let value = 0;
      let shift = 0;
      let digit: number;
      do {
        digit = B64_INDEX[mappings.charCodeAt(i++)] ?? -1;
        if (digit < 0) throw new Error("invalid source map");
        value += (digit & 31) * 2 ** shift;
        shift += 5;
      } while (digit & 32);
      fields.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
    }
    gen += fields[0] ?? 0;
    if (fields.length >= 4) {
      oLine += fields[2]!;
      oCol += fields[3]!;
      line.push([gen, oLine, oCol]);
    }
  }
  lines.push(line);
  for (const l of lines) l.sort((a, b) => a[0] - b[0]);
  return lines;
}

/** Reads a source map given as an object or as JSON text; undefined if it is not one. */
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

/**
 * A source map as a step: the nearest mapping at or before the position on its line (the
 * column offset from it is kept, which is exact inside a token copied as it was).
 */
export function sourceMapMapper(map: unknown): PositionMapper | undefined {
  const raw = readSourceMap(map);
  if (!raw) return undefined;
  let lines: Segment[][] | undefined;
  return {
    original(line, column) {
      lines ??= decode(raw.mappings);
      const segs = lines[line];
      if (!segs || !segs.length) {
        // A line with no mapping (a blank line the step inserted): the nearest line above.
        for (let l = Math.min(line, lines.length - 1); l >= 0; l--) {
          const s = lines[l];
          if (s && s.length) return { line: s[s.length - 1]![1], column: s[s.length - 1]![2] };
        }
        return undefined;
      }
      let best = segs[0]!;
      for (const s of segs) {
        if (s[0] <= column) best = s;
        else break;
      }
      const delta = column >= best[0] ? column - best[0] : 0;
      return { line: best[1], column: best[2] + delta };
    },
  };
}
