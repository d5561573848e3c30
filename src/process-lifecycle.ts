import { ConfigError } from './config';
import type { Logger } from './platform/logger';

/** What shutdown leaves for closing the pools once requests and jobs are drained. */
const CLOSE_ALLOWANCE_MS = 1_000;
/** Beyond the timeout, how long closing may still take before the process is ended with code 1. */
const HARD_STOP_MARGIN_MS = 5_000;

/**
 * Runs `stop` once on SIGTERM or SIGINT, with the time until which it may drain (the timeout
 * less an allowance for closing), then exits 0. If stopping fails, or runs past the timeout and
 * the margin, the process exits 1. A second signal during shutdown is ignored.
 */
export function onShutdown(
  logger: Logger,
  timeoutMs: number,
  stop: (drainUntil: number) => Promise<void>,
): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, timeoutMs }, 'shutting down: draining requests and jobs');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs + HARD_STOP_MARGIN_MS).unref();
    const drainUntil = Date.now() + Math.max(timeoutMs - CLOSE_ALLOWANCE_MS, timeoutMs / 2);
    stop(drainUntil).then(
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

/** Resolves with true once `work` settles, or with false at `until` (a Date.now() time). */
export async function settledBy(work: Promise<unknown>, until: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, until - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A startup failure, said in one line (config errors list every bad variable), then exit 1. */
export function exitOnStartupFailure(what: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(`${what} failed to start:`, error instanceof Error ? error.message : error);
    process.exit(1);
  };
}
