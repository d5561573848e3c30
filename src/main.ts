import cluster from 'node:cluster';
import express, { type NextFunction, type Request, type Response } from 'express';
import { buildApp } from './app';
import { loadConfig } from './config';
import { createContainer } from './container';
import type { InFlight } from './http/in-flight';
import { runPrimary } from './platform/cluster/primary';
import { listen } from './http/listen';
import { metricsRouter } from './http/metrics-route';
import { sendProblem } from './http/problem-details';
import { createLogger, type Logger } from './platform/logger';
import type { Metrics } from './platform/metrics';
import { assertPortFree } from './platform/port-check';
import { exitOnStartupFailure, onShutdown } from './process-lifecycle';

/**
 * API process: config → container → HTTP (and the job worker, unless WORKER_IN_PROCESS=false). With
 * WEB_CONCURRENCY above 1, this process becomes the primary that runs that many of them.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, {
    pretty: config.env === 'development' && process.stdout.isTTY,
  });
  // Workers of cluster mode share the primary's port: the primary checks it, before forking.
  if (cluster.isPrimary) await assertPortFree(config.http.host, config.http.port);
  if (config.processes > 1 && cluster.isPrimary) {
    const drainTimeoutMs = config.shutdownTimeoutMs * 2 + 10_000;
    runPrimary({ processes: config.processes, drainTimeoutMs }, logger);
    return;
  }
  const where =
    config.database.kind === 'embedded'
      ? `the embedded database in ${config.database.dataDir}`
      : 'PostgreSQL (DATABASE_URL)';
  logger.info(`starting: opening ${where}, applying migrations, building the API`);
  const container = await createContainer(config, logger);
  const app = await buildApp(container);
  if (config.jobs.workerInProcess) await container.startWorker();
  const server = await listen(app, config.http);
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
      startedInSeconds: Number(process.uptime().toFixed(1)),
    },
    'inkwell is listening',
  );

  // Stop taking requests, let the ones in flight (and running jobs) finish, then close the pools.
  onShutdown(logger, config.shutdownTimeoutMs * 2 + 5_000, async () => {
    server.closeIdleConnections();
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await (app.locals.inFlight as InFlight).drained();
    await container.close();
  });
}

function metricsApp(registry: Metrics, token: string | undefined, logger: Logger) {
  return express()
    .disable('x-powered-by')
    .use(metricsRouter(registry, token))
    .use((error: unknown, req: Request, res: Response, _next: NextFunction) =>
      sendProblem(req, res, error, logger),
    );
}

main().catch(exitOnStartupFailure('Inkwell'));
