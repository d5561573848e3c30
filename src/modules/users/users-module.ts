import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache/cache';
import { EntityCache } from '../../platform/cache/entity-cache';
import type { TaskQueue } from '../../kernel/task-queue';
import type { AttemptLimiter } from '../../platform/attempt-limiter';
import { ConcurrencyGate, type ConcurrencyGateOptions } from '../../platform/concurrency-gate';
import type { Logger } from '../../platform/logger';
import type { PostService } from '../posts';
import type { SessionService } from '../sessions';
import { PasswordHasher } from './password-hasher';
import { UserCredentials } from './user-credentials';
import { UserRepository } from './user-repository';
import { UserService } from './user-service';
import type { User } from './user-types';

export interface UsersModuleDeps {
  knex: Knex;
  cache: Cache;
  cacheTtlSeconds: number;
  bcryptCost: number;
  /** Bounds the bcrypt work of this process. */
  bcryptGate: ConcurrencyGateOptions;
  signUpsPerAddress: AttemptLimiter;
  passwordChecks: AttemptLimiter;
  sessions: SessionService;
  posts: PostService;
  queue: TaskQueue;
  logger: Logger;
}

export function createUsersModule(deps: UsersModuleDeps) {
  const repository = new UserRepository(deps.knex);
  const hasher = new PasswordHasher(deps.bcryptCost, new ConcurrencyGate(deps.bcryptGate));
  const cache = new EntityCache<User>(deps.cache, {
    namespace: 'user',
    ttlSeconds: deps.cacheTtlSeconds,
    dateFields: ['createdAt', 'updatedAt'],
  });
  const { sessions, posts, queue, logger, signUpsPerAddress, passwordChecks } = deps;
  return {
    users: new UserService({
      users: repository,
      hasher,
      cache,
      sessions,
      posts,
      queue,
      logger,
      signUpsPerAddress,
      passwordChecks,
    }),
    credentials: new UserCredentials({ users: repository, hasher, cache }),
    hasher,
  };
}
