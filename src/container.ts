import type { Redis } from 'ioredis';
import type { Config } from './config';
import { jobDefinitions } from './jobs/job-definitions';
import { AttemptLimiter } from './modules/auth/attempt-limiter';
import { AuthService } from './modules/auth/auth-service';
import { PasswordHasher } from './modules/auth/password-hasher';
import { SessionRepository } from './modules/auth/session-repository';
import { SessionService } from './modules/auth/session-service';
import { AccessTokens } from './modules/auth/access-tokens';
import { UserTokenRepository } from './modules/auth/user-token-repository';
import { ExportRepository } from './modules/exports/export-repository';
import { ExportService } from './modules/exports/export-service';
import { HealthService } from './modules/health/health-service';
import { EmailRepository } from './modules/mail/email-repository';
import { MailService } from './modules/mail/mail-service';
import { PostRepository } from './modules/posts/post-repository';
import { PostService } from './modules/posts/post-service';
import type { Post } from './modules/posts/post-types';
import { AccountService } from './modules/users/account-service';
import { UserRepository } from './modules/users/user-repository';
import { UserService } from './modules/users/user-service';
import type { User } from './modules/users/user-types';
import type { Cache } from './platform/cache/cache';
import { createRedis, redisReady } from './platform/cache/create-redis';
import { EntityCache } from './platform/cache/entity-cache';
import { MemoryCache } from './platform/cache/memory-cache';
import { RedisCache } from './platform/cache/redis-cache';
import { createDatabase, type Database } from './platform/database/create-database';
import { migrateLatest } from './platform/database/migrate';
import { JobRuntime } from './platform/jobs/job-runtime';
import { createLogger, type Logger } from './platform/logger';
import { createMailer } from './platform/mailer';
import { createMetrics, type Metrics } from './platform/metrics';
import type { Services } from './services';

export interface Container {
  config: Config;
  logger: Logger;
  database: Database;
  cache: Cache;
  accessTokens: AccessTokens;
  metrics: Metrics;
  jobs: JobRuntime;
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

/** The composition root: the only place that knows how the pieces are wired. */
export async function createContainer(
  config: Config,
  logger = createLogger(config.logLevel),
): Promise<Container> {
  const database = await createDatabase(config.database);
  let redis: Redis | undefined;
  try {
    if (config.database.migrateOnStart) {
      const applied = await migrateLatest(database.knex);
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
    }
    redis = config.cache.kind === 'redis' ? createRedis(config.cache, logger) : undefined;
    if (redis && !(await redisReady(redis, REDIS_STARTUP_WAIT_MS))) {
      logger.warn('redis unreachable at startup; serving from the database until it is back');
    }
    const cache: Cache = redis
      ? new RedisCache(redis, logger)
      : new MemoryCache(config.cache.keyPrefix);
    const jobs = await JobRuntime.create(config, database, logger);
    const mailer = createMailer(config.mail);
    const services = wireServices(config, database, cache, jobs, mailer, logger, redis);
    let worker = false;
    return {
      config,
      logger,
      database,
      cache,
      accessTokens: services.accessTokens,
      metrics: createMetrics(cache),
      jobs,
      services: services.services,
      async startWorker() {
        worker = true;
        await jobs.startWorker(jobDefinitions(services.services));
      },
      async close() {
        if (worker) await jobs.drain(config.shutdownTimeoutMs);
        await jobs.close();
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

function wireServices(
  config: Config,
  database: Database,
  cache: Cache,
  queue: JobRuntime,
  mailer: ReturnType<typeof createMailer>,
  logger: Logger,
  redis: Redis | undefined,
) {
  const { knex } = database;
  const accessTokens = new AccessTokens({
    secret: config.auth.jwtSecret,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    ttlSeconds: config.auth.accessTokenTtlSeconds,
    clockToleranceSeconds: ACCESS_TOKEN_CLOCK_TOLERANCE_SECONDS,
  });
  const hasher = new PasswordHasher(config.auth.bcryptCost);
  const userRepository = new UserRepository(knex);
  const sessionRepository = new SessionRepository(knex);
  const tokenRepository = new UserTokenRepository(knex);
  const postRepository = new PostRepository(knex);
  const sessions = new SessionService(sessionRepository, accessTokens, cache, {
    refreshTokenTtlSeconds: config.auth.refreshTokenTtlSeconds,
    sessionCacheTtlSeconds: config.sessionCacheTtlSeconds,
  });
  const limiter = (name: string, maxAttempts: number, windowSeconds: number, what: string) =>
    new AttemptLimiter(
      {
        name,
        maxAttempts,
        windowSeconds,
        describe: (seconds) => `Too many ${what}. Try again in ${seconds} seconds.`,
      },
      logger,
      redis,
    );
  const ttlSeconds = config.cache.ttlSeconds;
  const dateFields = ['createdAt', 'updatedAt'] as const;
  const userCache = new EntityCache<User>(cache, {
    namespace: 'user',
    ttlSeconds,
    dateFields: [...dateFields],
  });
  const postCache = new EntityCache<Post>(cache, {
    namespace: 'post',
    ttlSeconds,
    dateFields: [...dateFields],
  });
  const users = new UserService(
    userRepository,
    hasher,
    sessions,
    userCache,
    postRepository,
    postCache,
    queue,
    logger,
  );
  const services: Services = {
    users,
    accounts: new AccountService(
      knex,
      userRepository,
      tokenRepository,
      hasher,
      sessions,
      userCache,
      queue,
      limiter(
        'password-reset-requests',
        config.auth.passwordResetMaxRequests,
        config.auth.passwordResetWindowSeconds,
        'password-reset requests',
      ),
    ),
    auth: new AuthService(
      userRepository,
      sessions,
      sessionRepository,
      hasher,
      limiter(
        'login-failures',
        config.auth.loginMaxFailures,
        config.auth.loginLockoutSeconds,
        'failed logins',
      ),
    ),
    sessions,
    posts: new PostService(postRepository, postCache, (userId) => users.roleOf(userId)),
    mail: new MailService(mailer, new EmailRepository(knex), userRepository, tokenRepository, {
      baseUrl: config.publicBaseUrl,
      messageIdDomain: new URL(config.publicBaseUrl).hostname,
      verificationTtlSeconds: config.auth.emailVerificationTokenTtlSeconds,
      resetTtlSeconds: config.auth.passwordResetTokenTtlSeconds,
    }),
    exports: new ExportService(
      new ExportRepository(knex),
      userRepository,
      postRepository,
      queue,
      config.jobs.exportBatchSize,
    ),
    health: new HealthService(knex, cache, logger),
  };
  return { accessTokens, services };
}
