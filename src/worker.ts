import { loadConfig } from './config';
import { createLogger } from './platform/logger';
import { exitOnStartupFailure, onShutdown } from './process-lifecycle';

/**
 * Jobs-only process: `npm run worker`. SIGTERM lets running jobs finish before it exits. Tracing,
 * when configured, starts before the rest of the code (pg, ioredis) loads.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, {
    pretty: config.env === 'development' && process.stdout.isTTY,
  });
  const tracing = config.tracing
    ? (await import('./platform/tracing')).startTracing({
        endpoint: config.tracing.endpoint,
        serviceName: config.tracing.serviceName ?? 'inkwell-worker',
      })
    : undefined;
  const { createContainer } = await import('./container');
  const container = await createContainer(config, logger);
  onShutdown(logger, config.shutdownTimeoutMs, {
    drain: (until) => container.drainJobs(Math.max(0, until - Date.now())),
    close: () => Promise.all([container.close(), tracing?.shutdown()]).then(() => undefined),
  });
  await container.startWorker();
  logger.info({ database: config.database.kind, pid: process.pid }, 'inkwell worker is running');
}

main().catch(exitOnStartupFailure('Inkwell worker'));
