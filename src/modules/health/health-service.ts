import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache/cache';
import type { Logger } from '../../platform/logger';

export interface Check {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface Readiness {
  status: 'ok' | 'degraded' | 'unavailable';
  checks: Record<string, Check>;
}

const CHECK_TIMEOUT_MS = 2_000;

/** Per-dependency readiness: the database is required, the cache only makes things faster. */
export interface HealthServiceDeps {
  knex: Knex;
  cache: Cache;
  logger: Logger;
}

export class HealthService {
  private stopping = false;

  constructor(private readonly deps: HealthServiceDeps) {}

  /** From now on the process reports itself not ready: it is shutting down (SIGTERM). */
  beginShutdown(): void {
    this.stopping = true;
  }

  async readiness(): Promise<Readiness> {
    if (this.stopping) {
      return {
        status: 'unavailable',
        checks: { process: { status: 'down', latencyMs: 0, error: 'shutting down' } },
      };
    }
    const { knex, logger } = this.deps;
    const [database, cache] = await Promise.all([
      probe(() => knex.raw('select 1'), logger.child({ check: 'database' })),
      probe(() => this.deps.cache.ping(), logger.child({ check: 'cache' })),
    ]);
    const status =
      database.status === 'down' ? 'unavailable' : cache.status === 'down' ? 'degraded' : 'ok';
    return { status, checks: { database, cache } };
  }
}

async function probe(check: () => Promise<unknown>, logger: Logger): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'up', latencyMs: elapsed(started) };
  } catch (error) {
    // The reason goes to the log; the public report says only that the dependency is unreachable.
    logger.warn({ err: error }, 'readiness check failed');
    return { status: 'down', latencyMs: elapsed(started), error: 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;
