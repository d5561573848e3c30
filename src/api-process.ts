import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response } from 'express';
import { buildApp, requestListenerOf, serverClassesOf } from './app';
import type { Config } from './config';
import { createContainer } from './container';
import type { Draining } from './http/draining';
import type { InFlight } from './http/in-flight';
import { listen } from './http/listen';
import { metricsRouter } from './http/metrics-route';
import { sendProblem } from './http/problem-details';
import { loadContract } from './platform/contract';
import type { EmbeddedPostgres } from './platform/database/embedded-postgres';
import type { Logger } from './platform/logger';
import type { Metrics } from './platform/metrics';
import type { Tracing } from './platform/tracing';
import { onShutdown } from './process-lifecycle';

/** Seconds since the process started, at one decimal: when each part of the startup was done. */
const now = () => Number(process.uptime().toFixed(1));

/**
 * One API process, once main.ts has checked the port: container → HTTP (and the job worker,
 * unless WORKER_IN_PROCESS=false); SIGTERM drains it.
 */
export async function runApiProcess(
  config: Config,
  logger: Logger,
  started: { embedded?: Promise<EmbeddedPostgres>; tracing?: Tracing } = {},
): Promise<void> {
  const { embedded, tracing } = started;
  const loadedAt = now();
  const where =
    config.database.kind === 'embedded'
      ? `the embedded database in ${config.database.dataDir}`
      : 'PostgreSQL (DATABASE_URL)';
  logger.info(`starting: opening ${where}, applying migrations, building the API`);
  const opening = createContainer(config, logger, { embedded });
  // Parsed while the database opens (its first await): the two overlap instead of adding up.
  const contract = loadContract();
  const container = await opening;
  const databaseReadyAt = now();
  const app = await buildApp(container, contract);
  const apiBuiltAt = now();
  const server = await listen(requestListenerOf(app), config.http, serverClassesOf(app));
  void (app.locals.compileValidators as () => Promise<void>)();
  const { metrics } = config;
  const metricsServer =
    metrics.where === 'own-port'
      ? await listen(metricsApp(container.metrics, metrics.token, logger), {
          ...config.http,
          host: metrics.host,
          port: metrics.port,
          maxConnections: 16,
        })
      : undefined;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.info(
    {
      database: config.database.kind,
      cache: config.cache.kind,
      worker: config.jobs.workerInProcess ? 'in-process' : 'separate (npm run worker)',
      mail: config.mail.smtpUrl ? 'smtp' : `outbox ${config.mail.outboxDir}`,
      url: `http://${config.http.host}:${port}`,
      metrics:
        metrics.where === 'own-port'
          ? `http://${metrics.host}:${metrics.port}/metrics`
          : metrics.where === 'api'
            ? `/metrics${metrics.token ? ' (token)' : ''}`
            : 'off (set METRICS_PORT or METRICS_TOKEN)',
      tracing: config.tracing ? `OTLP ${config.tracing.endpoint}` : 'off',
      startedInSeconds: now(),
      // Where the start went: code loaded, database open and migrated, API built (seconds).
      startup: { loadedAt, databaseReadyAt, apiBuiltAt },
    },
    'inkwell is listening',
  );

  // SIGTERM: report not ready and answer everything with `Connection: close`; after a short delay
  // (load balancers see /readyz 503 and stop sending) take no new connections; let requests in
  // flight and running jobs finish; then close the pools.
  onShutdown(logger, config.shutdownTimeoutMs, {
    async drain(until) {
      container.services.health.beginShutdown();
      (app.locals.draining as Draining).start();
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      const jobs = container.drainJobs(Math.max(0, until - Date.now()));
      await delay(Math.min(config.shutdownDelayMs, Math.max(0, until - Date.now())));
      // net.Server's close, not http.Server's: that one would also cut idle kept-alive connections
      // at once, under a client that may be sending on one right now. They end by themselves: after
      // the next response (Connection: close), or at the keep-alive timeout the client was told.
      const closed = new Promise<void>((resolve) =>
        net.Server.prototype.close.call(server, () => resolve()),
      );
      await Promise.all([closed, (app.locals.inFlight as InFlight).drained(), jobs]);
    },
    async close() {
      server.closeAllConnections();
      await Promise.all([container.close(), tracing?.shutdown()]);
    },
  });
  // Once the API answers (and SIGTERM is handled): until then, the jobs its requests enqueue wait
  // in the database anyway.
  if (config.jobs.workerInProcess) await container.startWorker();
}

function metricsApp(registry: Metrics, token: string | undefined, logger: Logger) {
  return express()
    .disable('x-powered-by')
    .use(metricsRouter(registry, token))
    .use((error: unknown, req: Request, res: Response, _next: NextFunction) =>
      sendProblem(req, res, error, logger),
    );
}
