import { loadConfig } from './config';
import { createContainer } from './container';
import { createLogger } from './platform/logger';
import { exitOnStartupFailure, onShutdown } from './process-lifecycle';

/** Jobs-only process: `npm run worker`. SIGTERM lets running jobs finish before it exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, {
    pretty: config.env === 'development' && process.stdout.isTTY,
  });
  const container = await createContainer(config, logger);
  await container.startWorker();
  logger.info({ database: config.database.kind, pid: process.pid }, 'inkwell worker is running');
  onShutdown(logger, config.shutdownTimeoutMs, async (drainUntil) => {
    await container.drainJobs(Math.max(0, drainUntil - Date.now()));
    await container.close();
  });
}

main().catch(exitOnStartupFailure('Inkwell worker'));
