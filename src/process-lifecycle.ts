import { ConfigError } from './config';
import type { Logger } from './platform/logger';

/** What shutdown leaves for closing the pools once requests and jobs are drained. */
const CLOSE_ALLOWANCE_MS = 1_000;
/** Beyond the timeout, how long the process may still take before it is ended with code 1. */
const HARD_STOP_MARGIN_MS = 5_000;

/** How a process stops: first what it is doing, then what it holds open. */
export interface Shutdown {
  /** Lets requests in flight and running jobs finish; `until` is a Date.now() time. */
  drain(until: number): Promise<void>;
  /** Closes servers, pools and clients. */
  close(): Promise<void>;
}

/**
 * On SIGTERM or SIGINT: drains until the timeout less an allowance for closing, then closes
 * until the timeout, then exits 0. Each phase is bounded: a dependency that stopped answering
 * (a PostgreSQL behind a dropped link keeps a pool's `end()` waiting for its read timeouts) is
 * left behind with a warning, its sockets end with the process. If a phase fails, the process
 * exits 1, and so it does if it is still alive past the timeout and a margin (an event loop
 * that does not turn). A second signal during shutdown is ignored.
 */
export function onShutdown(logger: Logger, timeoutMs: number, shutdown: Shutdown): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, timeoutMs }, 'shutting down: draining requests and jobs');
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs + HARD_STOP_MARGIN_MS).unref();
    const startedAt = Date.now();
    const drainUntil = startedAt + Math.max(timeoutMs - CLOSE_ALLOWANCE_MS, timeoutMs / 2);
    const closeUntil = startedAt + timeoutMs;
    const stop = async () => {
      if (!(await settledBy(shutdown.drain(drainUntil), drainUntil)))
        logger.warn('still draining at the shutdown deadline; closing');
      if (!(await settledBy(shutdown.close(), closeUntil)))
        logger.warn(
          'connections still closing at the shutdown timeout (a dependency not answering); exiting',
        );
    };
    stop().then(
      () => {
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

/**
 * Resolves with true once `work` fulfils, or with false at `until` (a Date.now() time); rejects if
 * `work` rejects first. A rejection after `until` is dropped: the caller has moved on.
 */
export async function settledBy(work: Promise<unknown>, until: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, until - Date.now()));
  });
  const done = work.then(() => true as const);
  done.catch(() => undefined);
  try {
    return await Promise.race([done, late]);
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
