import type { Server } from 'node:http';
import { buildApp } from './app';
import { loadConfig } from './config';
import { createContainer } from './container';
import type { InFlight } from './http/in-flight';
import { createLogger } from './platform/logger';
import { exitOnStartupFailure, onShutdown } from './platform/process-lifecycle';

/** API process: config → container → HTTP (and the job worker, unless WORKER_IN_PROCESS=false). */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const container = await createContainer(config, logger);
  const app = await buildApp(container);
  if (config.jobs.workerInProcess) await container.startWorker();
  const server: Server = app.listen(config.http.port, config.http.host);
  await new Promise<void>((resolve, reject) =>
    server.once('listening', resolve).once('error', reject),
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.info(
    {
      database: config.database.kind,
      cache: config.cache.kind,
      worker: config.jobs.workerInProcess ? 'in-process' : 'separate (npm run worker)',
      mail: config.mail.smtpUrl ? 'smtp' : `outbox ${config.mail.outboxDir}`,
      url: `http://${config.http.host}:${port}`,
    },
    'inkwell is listening',
  );

  // Stop taking requests, let the ones in flight (and running jobs) finish, then close the pools.
  onShutdown(logger, config.shutdownTimeoutMs * 2 + 5_000, async () => {
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await (app.locals.inFlight as InFlight).drained();
    await container.close();
  });
}

main().catch(exitOnStartupFailure('Inkwell'));
