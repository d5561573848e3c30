import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Config } from './config';
import { createAuthModule } from './modules/auth';
import { createExportsModule } from './modules/exports';
import { createHealthModule } from './modules/health';
import { createMailModule } from './modules/mail';
import { createPostsModule } from './modules/posts';
import { createSessionsModule, type AccessTokens } from './modules/sessions';
import { createUsersModule } from './modules/users';
import type { TaskPayloads, TaskQueue } from './kernel/task-queue';
import { attemptLimiters, type LimiterFactory } from './platform/attempt-limiter';
import type { Cache } from './platform/cache/cache';
import { createRedis, redisReady } from './platform/cache/create-redis';
import { MemoryCache } from './platform/cache/memory-cache';
import { ReadThroughCache } from './platform/cache/read-through-cache';
import { RedisCache } from './platform/cache/redis-cache';
import { createDatabase, type Database } from './platform/database/create-database';
import type { EmbeddedPostgres } from './platform/database/embedded-postgres';
import { migrateLatest } from './platform/database/migrate';
import { TaskRuntime } from './platform/tasks/task-runtime';
import { createLogger, type Logger } from './platform/logger';
import { createMailer, type Mailer } from './platform/mailer';
import { createMetrics, type Metrics } from './platform/metrics';
import { safeUrl } from './platform/safe-url';
import type { Services } from './services';
import { taskDefinitions } from './tasks/task-definitions';

export interface Container {
  config: Config;
  logger: Logger;
  database: Database;
  cache: Cache;
  accessTokens: AccessTokens;
  metrics: Metrics;
  tasks: TaskRuntime<TaskPayloads>;
  services: Services;
  /** Makes this process a job worker as well (`npm run worker`, or in-process by config). */
  startWorker(): Promise<void>;
  /** Stops taking jobs and lets running ones finish, at most `timeoutMs` (no-op if no worker). */
  drainJobs(timeoutMs: number): Promise<void>;
  /** Closes every pool (call drainJobs first for a graceful stop). */
  close(): Promise<void>;
}

/** How long startup waits for Redis before serving without it, as during an outage. */
const REDIS_STARTUP_WAIT_MS = 3_000;

/**
 * The composition root: the only place that knows how the pieces are wired. `early.embedded` is
 * the embedded database when the process entry started it already (see main.ts).
 */
export async function createContainer(
  config: Config,
  logger = createLogger(config.logLevel),
  early: { embedded?: Promise<EmbeddedPostgres> } = {},
): Promise<Container> {
  const database = await createDatabase(config.database, early.embedded);
  let redis: Redis | undefined;
  try {
    if (config.database.migrateOnStart) {
      const applied = await database.unbounded(migrateLatest);
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
    }
    redis = await connectRedis(config, logger);
    const cache: Cache = redis
      ? new RedisCache(redis, logger)
      : new MemoryCache(config.cache.keyPrefix);
    const tasks = await TaskRuntime.create<TaskPayloads>(
      { ...config.jobs, concurrency: config.jobs.emailConcurrency },
      database,
      logger,
    );
    const mailer = createMailer(config.mail);
    const { accessTokens, services } = wireModules(config, {
      knex: database.knex,
      cache,
      entityCache: config.cache.entities ? cache : new ReadThroughCache(cache),
      queue: tasks,
      mailer,
      logger,
      limiter: attemptLimiters(logger, redis),
    });
    let worker = false;
    return {
      config,
      logger,
      database,
      cache,
      accessTokens,
      metrics: createMetrics(cache),
      tasks,
      services,
      async startWorker() {
        worker = true;
        await tasks.startWorker(taskDefinitions(services));
      },
      async drainJobs(timeoutMs) {
        if (worker) await tasks.drain(timeoutMs);
      },
      async close() {
        await tasks.close();
        mailer.close();
        await cache.close();
        await database.close();
      },
    };
  } catch (error) {
    redis?.disconnect();
    await database.close();
    throw error;
  }
}

/** Redis when configured, waited for briefly: while it is unreachable, reads go to the database. */
async function connectRedis(config: Config, logger: Logger): Promise<Redis | undefined> {
  if (config.cache.kind !== 'redis') return undefined;
  const redis = createRedis(config.cache, logger);
  if (!(await redisReady(redis, REDIS_STARTUP_WAIT_MS))) {
    const where = `REDIS_URL=${safeUrl(config.cache.url)}`;
    logger.warn(`cannot reach Redis at ${where}; serving from the database until it is back`);
  }
  return redis;
}

/** The platform pieces modules are built on; each module's factory takes the ones it names. */
interface Platform {
  knex: Knex;
  cache: Cache;
  /** The cache for users and posts: `cache`, or reading through it when entity caching is off. */
  entityCache: Cache;
  queue: TaskQueue;
  mailer: Mailer;
  logger: Logger;
  limiter: LimiterFactory;
}

/** Each module from its factory — platform, settings, the modules it uses — in dependency order. */
function wireModules(config: Config, platform: Platform) {
  const cacheTtlSeconds = config.cache.ttlSeconds;
  const { sessionCacheTtlSeconds } = config;
  const { accessTokens, sessions } = createSessionsModule(platform, {
    ...config.auth,
    sessionCacheTtlSeconds,
  });
  const { posts } = createPostsModule(
    platform,
    { cacheTtlSeconds },
    { roleOf: (userId) => users.roleOf(userId) },
  );
  const { users, credentials, hasher } = createUsersModule(
    platform,
    { ...config.auth, cacheTtlSeconds },
    { sessions, posts },
  );
  const { auth, accounts } = createAuthModule(platform, config.auth, {
    credentials,
    hasher,
    sessions,
  });
  const { mail } = createMailModule(
    platform,
    { publicBaseUrl: config.publicBaseUrl },
    { users, accounts },
  );
  const { exports } = createExportsModule(platform, config.exports, { users, posts });
  const { health } = createHealthModule(platform);
  const services: Services = { users, accounts, auth, sessions, posts, mail, exports, health };
  return { accessTokens, services };
}
