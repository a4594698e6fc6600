/**
 * Positions back through the steps a cell goes through (TypeScript → JavaScript → instrumented
 * → the script that runs): each step is a {@link PositionMapper}, and {@link chain} walks a
 * generated position back to the cell's own text.
 *
 * Lines and columns are 0-based here; error_mapping.ts turns them into the 1-based numbers
 * people read.
 */

import { decodeMappings, readSourceMap, type RawSourceMap, type Segment } from "../graph/instrument/source_map.js";

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

// --- source maps (v3), decoded by the instrumenter's reader ------------------------------

export { readSourceMap, type RawSourceMap };

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
      lines ??= decodeMappings(raw.mappings).map((l) => l.sort((x, y) => x[0] - y[0]));
      const segs = lines[line];
      if (!segs || !segs.length) {
        // A line with no mapping (a blank line the step inserted): the nearest line above.
        for (let l = Math.min(line, lines.length - 1); l >= 0; l--) {
          const s = lines[l];
          if (s && s.length) return { line: s[s.length - 1]![2], column: s[s.length - 1]![3] };
        }
        return undefined;
      }
      let best = segs[0]!;
      for (const s of segs) {
        if (s[0] <= column) best = s;
        else break;
      }
      const delta = column >= best[0] ? column - best[0] : 0;
      return { line: best[2], column: best[3] + delta };
    },
  };
}
