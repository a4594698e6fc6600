/** Numbers and times as charts print them (subtitles, terminal axes and labels). */

/** A count with spaces between thousands: 12345 → "12 345". */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** A value for a label or an axis end: integers grouped ("6,287"), others to 3 significant digits. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-3) return v.toPrecision(3);
  return Number(v.toPrecision(abs >= 1000 ? 6 : 3)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/**
 * An epoch-millisecond time in UTC (event times are compared across machines), only as
 * precise as `span` (the range shown) needs: days apart → date and minutes; within a day
 * → time of day, with the date when `withDate`.
 */
export function formatTime(ms: number, span: number, withDate = true): string {
  if (!Number.isFinite(ms)) return String(ms);
  const iso = new Date(ms).toISOString(); // 2026-12-05T18:20:00.123Z
  const date = iso.slice(0, 10);
  const time = span < 10_000 ? iso.slice(11, 23) : span < 600_000 ? iso.slice(11, 19) : iso.slice(11, 16);
  if (span >= 86_400_000 * 2) return `${date} ${iso.slice(11, 16)}`.replace(/ 00:00$/, "");
  return withDate ? `${date} ${time}` : time;
}
