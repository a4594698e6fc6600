import { registerKnown } from "../../graph/functions/known_objects.js";
import { MetricResults, type MetricQueryResults } from "./metric_results.js";

/**
 * Where metric updates go while user code runs. Runners set the current step's
 * container before calling into a DoFn, so Counter objects need no wiring.
 */
export class MetricsContainer {
  readonly counters = new Map<string, number>();
  readonly distributions = new Map<string, { sum: number; count: number; min: number; max: number }>();
  readonly gauges = new Map<string, { value: number; timestamp: number }>();

  constructor(readonly step: string) {}

  inc(key: string, n: number): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + n);
  }
  update(key: string, v: number): void {
    const d = this.distributions.get(key);
    if (!d) this.distributions.set(key, { sum: v, count: 1, min: v, max: v });
    else {
      d.sum += v;
      d.count++;
      if (v < d.min) d.min = v;
      if (v > d.max) d.max = v;
    }
  }
  set(key: string, v: number): void {
    this.gauges.set(key, { value: v, timestamp: Date.now() });
  }
}

let current: MetricsContainer | undefined;

export function setCurrentMetricsContainer(c: MetricsContainer | undefined): MetricsContainer | undefined {
  const prev = current;
  current = c;
  return prev;
}

const SEP = "\u0000";
function key(namespace: string, name: string): string {
  return namespace + SEP + name;
}

export class Counter {
  // The container key, computed once: metrics are updated per element.
  private readonly key: string;
  constructor(readonly namespace: string, readonly name: string) {
    this.key = key(namespace, name);
  }
  inc(n = 1): void {
    current?.inc(this.key, n);
  }
  dec(n = 1): void {
    current?.inc(this.key, -n);
  }
}

export class Distribution {
  private readonly key: string;
  constructor(readonly namespace: string, readonly name: string) {
    this.key = key(namespace, name);
  }
  update(value: number): void {
    current?.update(this.key, value);
  }
}

export class Gauge {
  private readonly key: string;
  constructor(readonly namespace: string, readonly name: string) {
    this.key = key(namespace, name);
  }
  set(value: number): void {
    current?.set(this.key, value);
  }
}

/** User metrics, reported by step and readable from PipelineResult.metrics(). */
export const Metrics = {
  counter(namespace: string, name: string): Counter {
    return new Counter(namespace, name);
  },
  distribution(namespace: string, name: string): Distribution {
    return new Distribution(namespace, name);
  },
  gauge(namespace: string, name: string): Gauge {
    return new Gauge(namespace, name);
  },
};

/** Metric updates as plain data, to cross threads, processes and Flink accumulators. */
export interface MetricUpdates {
  counters: Array<[step: string, key: string, value: number]>;
  distributions: Array<[step: string, key: string, sum: number, count: number, min: number, max: number]>;
  gauges: Array<[step: string, key: string, value: number, timestamp: number]>;
}

export function emptyUpdates(): MetricUpdates {
  return { counters: [], distributions: [], gauges: [] };
}

export function containerUpdates(containers: Iterable<MetricsContainer>): MetricUpdates {
  const u = emptyUpdates();
  for (const c of containers) {
    for (const [k, v] of c.counters) u.counters.push([c.step, k, v]);
    for (const [k, d] of c.distributions) u.distributions.push([c.step, k, d.sum, d.count, d.min, d.max]);
    for (const [k, g] of c.gauges) u.gauges.push([c.step, k, g.value, g.timestamp]);
  }
  return u;
}

/** Sums counters and distributions, keeps the latest gauge. */
export class MetricsAggregator {
  private readonly counters = new Map<string, number>();
  private readonly distributions = new Map<string, { sum: number; count: number; min: number; max: number }>();
  private readonly gauges = new Map<string, { value: number; timestamp: number }>();

  add(u: MetricUpdates): void {
    for (const [step, k, v] of u.counters) {
      const id = step + SEP + k;
      this.counters.set(id, (this.counters.get(id) ?? 0) + v);
    }
    for (const [step, k, sum, count, min, max] of u.distributions) {
      const id = step + SEP + k;
      const d = this.distributions.get(id);
      if (!d) this.distributions.set(id, { sum, count, min, max });
      else {
        d.sum += sum;
        d.count += count;
        d.min = Math.min(d.min, min);
        d.max = Math.max(d.max, max);
      }
    }
    for (const [step, k, value, timestamp] of u.gauges) {
      const id = step + SEP + k;
      const g = this.gauges.get(id);
      if (!g || g.timestamp <= timestamp) this.gauges.set(id, { value, timestamp });
    }
  }

  results(): MetricResults {
    const split = (id: string) => {
      const [step, namespace, name] = id.split(SEP) as [string, string, string];
      return { step, name: { namespace, name } };
    };
    const q: MetricQueryResults = {
      counters: [...this.counters].map(([id, v]) => ({ ...split(id), committed: v, attempted: v })),
      distributions: [...this.distributions].map(([id, d]) => {
        const r = { ...d, mean: d.count ? d.sum / d.count : 0 };
        return { ...split(id), committed: r, attempted: r };
      }),
      gauges: [...this.gauges].map(([id, g]) => ({ ...split(id), committed: g, attempted: g })),
    };
    return new MetricResults(q);
  }
}

registerKnown("flowbook.Counter", Counter);
registerKnown("flowbook.Distribution", Distribution);
registerKnown("flowbook.Gauge", Gauge);
registerKnown("flowbook.Metrics", Metrics);
