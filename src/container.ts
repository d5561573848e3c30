import type { Redis } from 'ioredis';
import type { Config } from './config';
import { AuthService } from './modules/auth/auth-service';
import { LoginLimiter } from './modules/auth/login-limiter';
import { PasswordHasher } from './modules/auth/password-hasher';
import { SessionRepository } from './modules/auth/session-repository';
import { SessionService } from './modules/auth/session-service';
import { TokenIssuer } from './modules/auth/token-issuer';
import { HealthService } from './modules/health/health-service';
import { PostRepository } from './modules/posts/post-repository';
import { PostService } from './modules/posts/post-service';
import type { Post } from './modules/posts/post-types';
import { UserRepository } from './modules/users/user-repository';
import { UserService } from './modules/users/user-service';
import type { User } from './modules/users/user-types';
import type { Cache } from './platform/cache/cache';
import { createRedis } from './platform/cache/create-redis';
import { EntityCache } from './platform/cache/entity-cache';
import { MemoryCache } from './platform/cache/memory-cache';
import { RedisCache } from './platform/cache/redis-cache';
import { createDatabase, type Database } from './platform/database/create-database';
import { migrateLatest } from './platform/database/migrate';
import { createLogger, type Logger } from './platform/logger';
import { createMetrics, type Metrics } from './platform/metrics';

export interface Services {
  users: UserService;
  auth: AuthService;
  sessions: SessionService;
  posts: PostService;
  health: HealthService;
}

export interface Container {
  config: Config;
  logger: Logger;
  database: Database;
  cache: Cache;
  tokens: TokenIssuer;
  metrics: Metrics;
  services: Services;
  close(): Promise<void>;
}

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
    let cache: Cache;
    if (config.cache.kind === 'redis') {
      redis = createRedis(config.cache, logger);
      cache = new RedisCache(redis, logger);
    } else {
      cache = new MemoryCache(config.cache.keyPrefix);
    }
    const tokens = new TokenIssuer({
      secret: config.auth.jwtSecret,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
    });
    const hasher = new PasswordHasher(config.auth.bcryptCost);
    const userRepository = new UserRepository(database.knex);
    const sessionRepository = new SessionRepository(database.knex);
    const sessions = new SessionService(sessionRepository, tokens, cache, {
      refreshTokenTtlSeconds: config.auth.refreshTokenTtlSeconds,
      sessionCacheTtlSeconds: config.sessionCacheTtlSeconds,
    });
    const limiter = new LoginLimiter(
      {
        maxFailures: config.auth.loginMaxFailures,
        lockoutSeconds: config.auth.loginLockoutSeconds,
      },
      logger,
      redis,
    );
    const postRepository = new PostRepository(database.knex);
    const ttlSeconds = config.cache.ttlSeconds;
    const users = new UserService(
      userRepository,
      hasher,
      sessions,
      new EntityCache<User>(cache, {
        namespace: 'user',
        ttlSeconds,
        dateFields: ['createdAt', 'updatedAt'],
      }),
      postRepository,
    );
    const posts = new PostService(
      postRepository,
      new EntityCache<Post>(cache, {
        namespace: 'post',
        ttlSeconds,
        dateFields: ['createdAt', 'updatedAt'],
      }),
      (userId) => users.roleOf(userId),
    );
    const services: Services = {
      users,
      auth: new AuthService(userRepository, sessions, sessionRepository, hasher, limiter),
      sessions,
      posts,
      health: new HealthService(database.knex, cache, logger),
    };
    return {
      config,
      logger,
      database,
      cache,
      tokens,
      metrics: createMetrics(cache),
      services,
      async close() {
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
