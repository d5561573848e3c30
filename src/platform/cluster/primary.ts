import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { withHeapFlags } from '../heap';
import type { Logger } from '../logger';
import { METRICS_REQUEST, METRICS_RESPONSE, type MetricsMessage } from './cluster-metrics';

export interface PrimaryOptions {
  processes: number;
  /** How long the API processes get to drain on SIGTERM before they are killed. */
  drainTimeoutMs: number;
}

/** A worker that dies this soon after it started is restarted after a growing delay. */
const QUICK_DEATH_MS = 10_000;
const MAX_RESTART_DELAY_MS = 10_000;

/**
 * The primary of cluster mode: forks the API processes (the first alone, so it applies pending
 * migrations before the others start), restarts one that dies, answers /metrics requests with
 * the metrics of all of them, and on SIGTERM or SIGINT drains them all and exits 0.
 */
export function runPrimary(options: PrimaryOptions, logger: Logger): void {
  const aggregator = new AggregatorRegistry();
  const startedAt = new Map<Worker, number>();
  let stopping = false;
  let restartDelayMs = 0;
  let failedDrains = 0;
  let anyListened = false;
  cluster.on('listening', () => (anyListened = true));

  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.once('listening', () => logger.info({ pid: worker.process.pid }, 'API process ready'));
    return worker;
  };

  cluster.on('message', (worker: Worker, message: MetricsMessage) => {
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_RESPONSE, id: message.id, text }),
      (error: unknown) =>
        worker.send({ type: METRICS_RESPONSE, id: message.id, error: String(error) }),
    );
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (code !== 0) failedDrains++;
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info({ failedDrains }, 'all API processes stopped');
        process.exit(failedDrains === 0 ? 0 : 1);
      }
      return;
    }
    if (!anyListened) {
      // None has served yet: a startup failure (bad config, unreachable database) that a restart
      // would only repeat. Stop everything and say so.
      logger.error({ pid: worker.process.pid, code, signal }, 'an API process failed to start');
      shutDown(1);
      return;
    }
    restartDelayMs =
      lived < QUICK_DEATH_MS
        ? Math.min(Math.max(restartDelayMs * 2, 250), MAX_RESTART_DELAY_MS)
        : 0;
    logger.error(
      { pid: worker.process.pid, code, signal, restartInMs: restartDelayMs },
      'an API process died; starting another',
    );
    setTimeout(() => !stopping && fork(), restartDelayMs).unref();
  });

  const shutDown = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    if (exitCode !== 0) failedDrains++;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (workers.length === 0) process.exit(exitCode);
    for (const worker of workers) worker.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error('API processes did not drain in time; killing them');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, options.drainTimeoutMs).unref();
  };
  process.once('SIGTERM', () => shutDown(0));
  process.once('SIGINT', () => shutDown(0));

  logger.info({ processes: options.processes }, 'starting API processes');
  cluster.setupPrimary({ execArgv: withHeapFlags(process.execArgv) });
  fork().once('listening', () => {
    for (let i = 1; i < options.processes; i++) fork();
  });
}
