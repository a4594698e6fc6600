/**
 * A canvas of braille characters: each character cell holds 2×4 dots, so a terminal line
 * chart has four times the vertical and twice the horizontal resolution of its text.
 */
const DOT_BITS = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

export class BrailleCanvas {
  private readonly cells: Uint8Array;
  /** Dots across and down. */
  readonly dotWidth: number;
  readonly dotHeight: number;

  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    this.cells = new Uint8Array(columns * rows);
    this.dotWidth = columns * 2;
    this.dotHeight = rows * 4;
  }

  /** Sets dot (x, y); y = 0 is the top. Dots outside the canvas are ignored. */
  set(x: number, y: number): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.dotWidth || y >= this.dotHeight) return;
    this.cells[Math.floor(y / 4) * this.columns + Math.floor(x / 2)] |= DOT_BITS[y % 4][x % 2];
  }

  /** A straight line of dots from (x0, y0) to (x1, y1) (Bresenham). */
  line(x0: number, y0: number, x1: number, y1: number): void {
    x0 = Math.round(x0);
    y0 = Math.round(y0);
    x1 = Math.round(x1);
    y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      this.set(x0, y0);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) (err += dy), (x0 += sx);
      if (e2 <= dx) (err += dx), (y0 += sy);
    }
  }

  /** The canvas as `rows` strings of `columns` characters (an empty cell is a space: some fonts draw U+2800 as a faint grid). */
  lines(): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.rows; r++) {
      let s = "";
      for (let c = 0; c < this.columns; c++) {
        const bits = this.cells[r * this.columns + c];
        s += bits === 0 ? " " : String.fromCharCode(0x2800 + bits);
      }
      out.push(s);
    }
    return out;
  }
}
