import type { Knex } from 'knex';
import type { TaskQueue } from '../../kernel/task-queue';
import type { AttemptLimit, LimiterFactory } from '../../platform/attempt-limiter';
import type { Cache } from '../../platform/cache/cache';
import { EntityCache } from '../../platform/cache/entity-cache';
import { ConcurrencyGate } from '../../platform/concurrency-gate';
import type { Logger } from '../../platform/logger';
import type { PostService } from '../posts';
import type { SessionService } from '../sessions';
import { PasswordHasher } from './password-hasher';
import { UserCredentials } from './user-credentials';
import { UserRepository } from './user-repository';
import { UserService } from './user-service';
import type { User } from './user-types';

export interface UsersPlatform {
  knex: Knex;
  /** The cache for users and posts (reads through when entity caching is off). */
  entityCache: Cache;
  queue: TaskQueue;
  logger: Logger;
  limiter: LimiterFactory;
}

export interface UsersSettings {
  cacheTtlSeconds: number;
  bcryptCost: number;
  /** Bounds the bcrypt work of this process: hashes at once, waiting, and per client. */
  bcrypt: { maxConcurrent: number; maxQueued: number; maxPerClient: number };
  limits: {
    signUpsPerAddress: AttemptLimit;
    /** Wrong `current_password` per user. */
    currentPasswordFailures: AttemptLimit;
  };
}

export interface UsersUses {
  sessions: SessionService;
  posts: PostService;
}

export function createUsersModule(
  platform: UsersPlatform,
  settings: UsersSettings,
  uses: UsersUses,
) {
  const { knex, queue, logger, limiter } = platform;
  const repository = new UserRepository(knex);
  const gate = new ConcurrencyGate({
    maxRunning: settings.bcrypt.maxConcurrent,
    maxQueued: settings.bcrypt.maxQueued,
    maxPerOwner: settings.bcrypt.maxPerClient,
  });
  const hasher = new PasswordHasher(settings.bcryptCost, gate);
  const cache = new EntityCache<User>(platform.entityCache, {
    namespace: 'user',
    ttlSeconds: settings.cacheTtlSeconds,
    dateFields: ['createdAt', 'updatedAt'],
  });
  const { limits } = settings;
  const users = new UserService({
    users: repository,
    hasher,
    cache,
    ...uses,
    queue,
    logger,
    signUpsPerAddress: limiter('signup-address', limits.signUpsPerAddress, 'sign-ups'),
    passwordChecks: limiter(
      'current-password',
      limits.currentPasswordFailures,
      'wrong current passwords',
    ),
  });
  return { users, credentials: new UserCredentials({ users: repository, hasher, cache }), hasher };
}
