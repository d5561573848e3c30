import { ConfigError } from './config';
import type { Logger } from './platform/logger';

/**
 * Runs `stop` once on SIGTERM or SIGINT; exits non-zero if it takes longer than `graceMs` or
 * fails. A second signal during shutdown is ignored.
 */
export function onShutdown(logger: Logger, graceMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, graceMs).unref();
    stop().then(
      () => {
        clearTimeout(timer);
        logger.info('stopped');
        // Everything of ours is closed; a library's timer must not keep the process alive (Agenda's
        // lock check of the last job it ran sleeps lockLifetime / 2: 30 s by default).
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}

/** A startup failure, said in one line (config errors list every bad variable), then exit 1. */
export function exitOnStartupFailure(what: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(`${what} failed to start:`, error instanceof Error ? error.message : error);
    process.exit(1);
  };
}
