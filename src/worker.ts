import { ConfigError, loadConfig } from './config';
import { createContainer } from './container';
import { createLogger } from './platform/logger';

/** Jobs-only process: `npm run worker`. SIGTERM lets running jobs finish before it exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const container = await createContainer(config, logger);
  await container.startWorker();
  logger.info({ database: config.database.kind, pid: process.pid }, 'inkwell worker is running');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker draining');
    const timer = setTimeout(() => {
      logger.error('drain timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000).unref();
    await container.close();
    clearTimeout(timer);
    logger.info('worker stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `Inkwell worker failed to start: ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
});
