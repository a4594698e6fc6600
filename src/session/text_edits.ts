/**
 * Edits on a text (insert, replace, remove, move a range elsewhere) that produce the new
 * text and a {@link PositionMapper} from it back to the old one. The cell converter's
 * rewrites are all made of these, so every position of the code that runs can be traced
 * back exactly: copied text maps character for character, inserted text maps to where it
 * was inserted.
 */
import { LineIndex, type PositionMapper } from "./source_map.js";

interface Piece {
  /** Where the piece goes: before the source character at this offset. */
  at: number;
  order: number;
  seq: number;
  /** Inserted text, or a source range copied from elsewhere (a move). */
  text?: string;
  from?: [number, number];
}

/** A chunk of the output: verbatim source (`src` ≥ 0) or inserted text anchored at `anchor`. */
interface Chunk {
  gen: number;
  len: number;
  src: number;
  verbatim: boolean;
}

export class TextEdits {
  private readonly pieces: Piece[] = [];
  private readonly removed: Array<[number, number]> = [];
  private seq = 0;

  constructor(readonly source: string) {}

  /** Inserts text before the source character at `pos` (higher `order` goes later at one position). */
  insert(pos: number, text: string, order = 0): this {
    if (text) this.pieces.push({ at: pos, order, seq: this.seq++, text });
    return this;
  }

  /** Removes a source range (ranges must not overlap). */
  remove(start: number, end: number): this {
    if (end > start) this.removed.push([start, end]);
    return this;
  }

  replace(start: number, end: number, text: string, order = 0): this {
    this.remove(start, end);
    return this.insert(start, text, order);
  }

  /** Moves a source range before the source character at `to`. */
  move(start: number, end: number, to: number, order = 0): this {
    this.remove(start, end);
    this.pieces.push({ at: to, order, seq: this.seq++, from: [start, end] });
    return this;
  }

  get changed(): boolean {
    return this.pieces.length > 0 || this.removed.length > 0;
  }

  apply(): { code: string; map: PositionMapper } {
    const src = this.source;
    const removed = [...this.removed].sort((a, b) => a[0] - b[0]);
    const pieces = [...this.pieces].sort((a, b) => a.at - b.at || a.order - b.order || a.seq - b.seq);
    const chunks: Chunk[] = [];
    let out = "";
    const emitCopy = (start: number, end: number) => {
      // Copies a source range, skipping removed parts.
      let p = start;
      for (const [rs, re] of removed) {
        if (re <= p || rs >= end) continue;
        if (rs > p) {
          chunks.push({ gen: out.length, len: rs - p, src: p, verbatim: true });
          out += src.slice(p, rs);
        }
        p = Math.max(p, re);
      }
      if (p < end) {
        chunks.push({ gen: out.length, len: end - p, src: p, verbatim: true });
        out += src.slice(p, end);
      }
    };
    let pos = 0;
    for (const piece of pieces) {
      if (piece.at > pos) {
        emitCopy(pos, piece.at);
        pos = piece.at;
      }
      if (piece.text !== undefined) {
        chunks.push({ gen: out.length, len: piece.text.length, src: piece.at, verbatim: false });
        out += piece.text;
      } else if (piece.from) {
        const [s, e] = piece.from;
        chunks.push({ gen: out.length, len: e - s, src: s, verbatim: true });
        out += src.slice(s, e);
      }
    }
    emitCopy(pos, src.length);
    return { code: out, map: chunkMapper(out, src, chunks) };
  }
}

function chunkMapper(generated: string, source: string, chunks: Chunk[]): PositionMapper {
  let genIndex: LineIndex | undefined;
  let srcIndex: LineIndex | undefined;
  return {
    original(line, column) {
      genIndex ??= new LineIndex(generated);
      srcIndex ??= new LineIndex(source);
      const off = genIndex.offset(line, column);
      let lo = 0;
      let hi = chunks.length - 1;
      if (hi < 0) return srcIndex.position(Math.min(off, source.length));
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (chunks[mid]!.gen <= off) lo = mid;
        else hi = mid - 1;
      }
      // Prefer a verbatim chunk that starts exactly here over an empty-length neighbour.
      const c = chunks[lo]!;
      const srcOff = c.verbatim ? c.src + Math.min(off - c.gen, Math.max(0, c.len)) : c.src;
      return srcIndex.position(Math.min(srcOff, source.length));
    },
  };
}
