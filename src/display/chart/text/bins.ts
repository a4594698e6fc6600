/**
 * Histogram bins chosen as vega's bin transform chooses them (vega-statistics `bin`),
 * so the terminal's histogram has the same bins as the picture.
 */
export interface BinParams {
  maxbins?: number;
  step?: number;
  steps?: number[];
  minstep?: number;
  divide?: number[];
  base?: number;
  nice?: boolean;
  extent?: [number, number];
}

export interface Bins {
  start: number;
  stop: number;
  step: number;
}

/** Vega-Lite's default maxbins for x and y. */
export const VEGA_LITE_MAXBINS = 10;

export function niceBins(extent: [number, number], p: BinParams = {}): Bins {
  const maxb = p.maxbins ?? VEGA_LITE_MAXBINS;
  const base = p.base ?? 10;
  const logb = Math.log(base);
  const div = p.divide ?? [5, 2];
  let [min, max] = p.extent ?? extent;
  const span = max - min || Math.abs(min) || 1;
  let step: number;
  if (p.step) step = p.step;
  else if (p.steps) {
    const v = span / maxb;
    let i = 0;
    while (i < p.steps.length && p.steps[i] < v) i++;
    step = p.steps[Math.max(0, i - 1)];
  } else {
    const level = Math.ceil(Math.log(maxb) / logb);
    const minstep = p.minstep ?? 0;
    step = Math.max(minstep, Math.pow(base, Math.round(Math.log(span) / logb) - level));
    while (Math.ceil(span / step) > maxb) step *= base;
    for (const d of div) {
      const v = step / d;
      if (v >= minstep && span / v <= maxb) step = v;
    }
  }
  const lg = Math.log(step);
  const precision = lg >= 0 ? 0 : ~~(-lg / logb) + 1;
  const eps = Math.pow(base, -precision - 1);
  if (p.nice ?? true) {
    const v = Math.floor(min / step + eps) * step;
    min = min < v ? v - step : v;
    max = Math.ceil(max / step) * step;
  }
  const stop = max === min ? min + step : max;
  // vega's Bin transform rounds the stop up to a whole number of steps from the start.
  return { start: min, stop: min + Math.ceil((stop - min) / step) * step, step };
}

/** The index of the bin `v` falls in (the last bin holds its upper edge, as vega's does). */
export function binIndex(bins: Bins, v: number): number {
  const n = Math.round((bins.stop - bins.start) / bins.step);
  const clamped = Math.max(bins.start, Math.min(v, bins.stop - bins.step));
  return Math.min(n - 1, Math.floor(1e-14 + (clamped - bins.start) / bins.step));
}
