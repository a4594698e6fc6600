/** What `graph(p, options)` takes. */
export interface GraphOptions {
  /** Composite levels to expand (0: top-level transforms only); default: all. */
  depth?: number;
  /**
   * Transforms and PCollections to highlight, by id or full name (`graph(pcoll)` passes the
   * PCollection's id); a collapsed composite holding one is highlighted instead.
   */
  highlight?: string[];
}

/** The depth to draw: a whole number ≥ 0, or Infinity (everything expanded). */
export function depthOf(options: GraphOptions): number {
  const d = options.depth;
  if (d === undefined || d === null || Number.isNaN(d)) return Infinity;
  return Math.max(0, Math.floor(d));
}
