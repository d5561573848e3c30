import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

export const METRICS_REQUEST = 'inkwell:metrics-request';
export const METRICS_RESPONSE = 'inkwell:metrics-response';

export interface MetricsMessage {
  type: string;
  id: number;
  text?: string;
  error?: string;
}

const TIMEOUT_MS = 5_000;

/**
 * How an API process renders /metrics. Alone, its own registry. In cluster mode, whichever process
 * the scrape reaches asks the primary, which collects every process's registry (prom-client's
 * AggregatorRegistry: counters and histograms summed) and answers over IPC.
 */
export function metricsRenderer(registry: Registry): () => Promise<string> {
  if (!cluster.isWorker) return () => registry.metrics();
  // Constructing one is what makes prom-client answer the primary's collection requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const pending = new Map<number, (message: MetricsMessage) => void>();
  let nextId = 0;
  process.on('message', (message: MetricsMessage) => {
    if (message?.type === METRICS_RESPONSE) pending.get(message.id)?.(message);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(
        () => settle({ type: METRICS_RESPONSE, id, error: 'timed out' }),
        TIMEOUT_MS,
      );
      const settle = (message: MetricsMessage) => {
        clearTimeout(timer);
        pending.delete(id);
        if (message.text !== undefined) resolve(message.text);
        else reject(new Error(`cluster metrics: ${message.error ?? 'no answer'}`));
      };
      pending.set(id, settle);
      process.send?.({ type: METRICS_REQUEST, id });
    });
}
