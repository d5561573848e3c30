import type { Server } from 'node:http';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createContainer } from './container';
import type { InFlight } from './http/in-flight';
import { createLogger } from './platform/logger';

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
      url: `http://${config.http.host}:${port}`,
    },
    'inkwell is listening',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await (app.locals.inFlight as InFlight).drained();
    await container.close();
    clearTimeout(timer);
    logger.info('stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Inkwell failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
