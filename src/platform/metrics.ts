import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Cache } from './cache/cache';
import { metricsRenderer } from './cluster/cluster-metrics';

export interface Metrics {
  registry: Registry;
  /** The exposition /metrics serves: this process's, or in cluster mode all processes'. */
  render(): Promise<string>;
  observeRequest(operation: string, method: string, status: number, seconds: number): void;
}

/** Prometheus metrics: process defaults, request latency per operation, cache effectiveness. */
export function createMetrics(cache: Cache): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'inkwell_' });
  const requests = new Histogram({
    name: 'inkwell_http_request_duration_seconds',
    help: 'Time to answer a request, by operationId and status',
    labelNames: ['operation', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const cacheCounter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  cacheCounter(
    'inkwell_cache_hits_total',
    'Cache reads answered from the cache',
    () => cache.stats().hits,
  );
  cacheCounter(
    'inkwell_cache_misses_total',
    'Cache reads that went to the database',
    () => cache.stats().misses,
  );
  cacheCounter(
    'inkwell_cache_errors_total',
    'Cache operations that failed (served from the database)',
    () => cache.stats().errors,
  );
  // One labelled child per operation, method and status, resolved once instead of per request.
  const children = new Map<string, Histogram.Internal<string>>();
  return {
    registry,
    render: metricsRenderer(registry),
    observeRequest: (operation, method, status, seconds) => {
      const key = `${operation} ${method} ${status}`;
      let child = children.get(key);
      if (!child) {
        child = requests.labels(operation, method, String(status));
        children.set(key, child);
      }
      child.observe(seconds);
    },
  };
}
