/** A metric's name: a namespace and a name. */
export interface MetricName {
  namespace: string;
  name: string;
}

export interface DistributionResult {
  sum: number;
  count: number;
  min: number;
  max: number;
  mean: number;
}

export interface GaugeResult {
  value: number;
  timestamp: number;
}

/** One metric of one step: its committed value (what a successful run counted). */
export interface MetricResult<T> {
  name: MetricName;
  /** The full name of the transform that reported it. */
  step: string;
  committed: T;
  attempted: T;
}

export interface MetricQueryResults {
  counters: MetricResult<number>[];
  distributions: MetricResult<DistributionResult>[];
  gauges: MetricResult<GaugeResult>[];
}

/** Which metrics to return: any field left out matches everything. */
export interface MetricsFilter {
  namespace?: string;
  name?: string;
  /** A step's full name, or a prefix of it ending at a '/'. */
  step?: string;
}

/** What PipelineResult.metrics() returns (Beam's MetricResults). */
export class MetricResults {
  constructor(private readonly all: MetricQueryResults) {}

  static empty(): MetricResults {
    return new MetricResults({ counters: [], distributions: [], gauges: [] });
  }

  queryMetrics(filter: MetricsFilter = {}): MetricQueryResults {
    const keep = <T>(r: MetricResult<T>) =>
      (filter.namespace === undefined || r.name.namespace === filter.namespace) &&
      (filter.name === undefined || r.name.name === filter.name) &&
      (filter.step === undefined || r.step === filter.step || r.step.startsWith(filter.step.endsWith("/") ? filter.step : filter.step + "/"));
    return {
      counters: this.all.counters.filter(keep),
      distributions: this.all.distributions.filter(keep),
      gauges: this.all.gauges.filter(keep),
    };
  }

  /** The sum of a counter over all steps (a shortcut for the common question). */
  counter(name: string, namespace?: string): number {
    return this.queryMetrics({ name, namespace }).counters.reduce((s, c) => s + c.committed, 0);
  }

  toJSON(): MetricQueryResults {
    return this.all;
  }
}
