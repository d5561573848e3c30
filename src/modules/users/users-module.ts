import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache/cache';
import { EntityCache } from '../../platform/cache/entity-cache';
import type { JobQueue } from '../../platform/jobs/job-queue';
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
  sessions: SessionService;
  posts: PostService;
  queue: JobQueue;
  logger: Logger;
}

export function createUsersModule(deps: UsersModuleDeps) {
  const repository = new UserRepository(deps.knex);
  const hasher = new PasswordHasher(deps.bcryptCost);
  const cache = new EntityCache<User>(deps.cache, {
    namespace: 'user',
    ttlSeconds: deps.cacheTtlSeconds,
    dateFields: ['createdAt', 'updatedAt'],
  });
  const { sessions, posts, queue, logger } = deps;
  return {
    users: new UserService({ users: repository, hasher, cache, sessions, posts, queue, logger }),
    credentials: new UserCredentials({ users: repository, hasher, cache }),
    hasher,
  };
}
