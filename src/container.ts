import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Config, Limit } from './config';
import { createAuthModule } from './modules/auth';
import { createExportsModule } from './modules/exports';
import { createHealthModule } from './modules/health';
import { createMailModule } from './modules/mail';
import { createPostsModule } from './modules/posts';
import { createSessionsModule, type AccessTokens } from './modules/sessions';
import { createUsersModule } from './modules/users';
import type { TaskPayloads, TaskQueue } from './kernel/task-queue';
import { AttemptLimiter } from './platform/attempt-limiter';
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
  /** Lets running jobs finish (bounded), then closes every pool. */
  close(): Promise<void>;
}

/** How long startup waits for Redis before serving without it, as during an outage. */
const REDIS_STARTUP_WAIT_MS = 3_000;
/** Clock skew between API processes that an access token's time claims may have. */
const ACCESS_TOKEN_CLOCK_TOLERANCE_SECONDS = 5;

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
      const applied = await migrateLatest(database.knex);
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
    }
    if (config.cache.kind === 'redis') {
      redis = createRedis(config.cache, logger);
      if (!(await redisReady(redis, REDIS_STARTUP_WAIT_MS))) {
        const where = `REDIS_URL=${safeUrl(config.cache.url)}`;
        logger.warn(`cannot reach Redis at ${where}; serving from the database until it is back`);
      }
    }
    const cache: Cache = redis
      ? new RedisCache(redis, logger)
      : new MemoryCache(config.cache.keyPrefix);
    const tasks = await TaskRuntime.create<TaskPayloads>(
      {
        lockLifetimeMs: config.jobs.lockLifetimeMs,
        pollIntervalMs: config.jobs.pollIntervalMs,
        maxAttempts: config.jobs.maxAttempts,
        backoffBaseMs: config.jobs.backoffBaseMs,
        concurrency: config.jobs.emailConcurrency,
      },
      database,
      logger,
    );
    const mailer = createMailer(config.mail);
    const { knex } = database;
    const { accessTokens, services } = wireModules(config, {
      knex,
      cache,
      queue: tasks,
      mailer,
      logger,
      redis,
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
      async close() {
        if (worker) await tasks.drain(config.shutdownTimeoutMs);
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

/** The platform pieces modules are built on. */
interface Platform {
  knex: Knex;
  cache: Cache;
  queue: TaskQueue;
  mailer: Mailer;
  logger: Logger;
  redis: Redis | undefined;
}

/** Each module from its factory, given only what it needs, in dependency order. */
function wireModules(config: Config, platform: Platform) {
  const { knex, cache, queue, mailer, logger, redis } = platform;
  const { auth: settings } = config;
  const cacheTtlSeconds = config.cache.ttlSeconds;
  const limits = config.auth.limits;
  const limiter = (name: string, limit: Limit, what: string) =>
    new AttemptLimiter(
      {
        name,
        maxAttempts: limit.max,
        windowSeconds: limit.windowSeconds,
        describe: (seconds) => `Too many ${what}. Try again in ${seconds} seconds.`,
      },
      logger,
      redis,
    );
  const entityCache = config.cache.entities ? cache : new ReadThroughCache(cache);
  const { accessTokens, sessions } = createSessionsModule({
    knex,
    cache,
    accessTokens: {
      secret: settings.jwtSecret,
      previousSecrets: settings.jwtPreviousSecrets,
      issuer: settings.issuer,
      audience: settings.audience,
      ttlSeconds: settings.accessTokenTtlSeconds,
      clockToleranceSeconds: ACCESS_TOKEN_CLOCK_TOLERANCE_SECONDS,
    },
    refreshTokenTtlSeconds: settings.refreshTokenTtlSeconds,
    sessionCacheTtlSeconds: config.sessionCacheTtlSeconds,
  });
  const { posts } = createPostsModule({
    knex,
    cache: entityCache,
    cacheTtlSeconds,
    roleOf: (userId) => users.roleOf(userId),
  });
  const { users, credentials, hasher } = createUsersModule({
    knex,
    cache: entityCache,
    cacheTtlSeconds,
    bcryptCost: settings.bcryptCost,
    bcryptGate: {
      maxRunning: settings.bcrypt.maxConcurrent,
      maxQueued: settings.bcrypt.maxQueued,
      maxPerOwner: settings.bcrypt.maxPerClient,
    },
    signUpsPerAddress: limiter('signup-address', limits.signUpsPerAddress, 'sign-ups'),
    passwordChecks: limiter(
      'current-password',
      limits.currentPasswordFailures,
      'wrong current passwords',
    ),
    sessions,
    posts,
    queue,
    logger,
  });
  const { auth, accounts } = createAuthModule({
    knex,
    credentials,
    hasher,
    sessions,
    queue,
    limits: {
      loginFailuresPerAccount: limiter(
        'login-account',
        limits.loginFailuresPerAccount,
        'failed logins',
      ),
      loginFailuresPerAddress: limiter(
        'login-address',
        limits.loginFailuresPerAddress,
        'failed logins',
      ),
      resetRequestsPerAccount: limiter(
        'reset-request-account',
        limits.resetRequestsPerAccount,
        'password-reset requests',
      ),
      resetRequestsPerAddress: limiter(
        'reset-request-address',
        limits.resetRequestsPerAddress,
        'password-reset requests',
      ),
      resetFailuresPerAddress: limiter(
        'reset-confirm-address',
        limits.resetFailuresPerAddress,
        'invalid reset tokens',
      ),
    },
    verificationTokenTtlSeconds: settings.emailVerificationTokenTtlSeconds,
    resetTokenTtlSeconds: settings.passwordResetTokenTtlSeconds,
    tokenKeys: [settings.jwtSecret, ...settings.jwtPreviousSecrets],
  });
  const { mail } = createMailModule({
    knex,
    mailer,
    users,
    accounts,
    publicBaseUrl: config.publicBaseUrl,
  });
  const { exports } = createExportsModule({
    knex,
    users,
    posts,
    queue,
    ...config.exports,
  });
  const { health } = createHealthModule({ knex, cache, logger });
  const services: Services = { users, accounts, auth, sessions, posts, mail, exports, health };
  return { accessTokens, services };
}
