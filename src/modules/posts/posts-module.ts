import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache/cache';
import { EntityCache } from '../../platform/cache/entity-cache';
import { PostRepository } from './post-repository';
import { PostService, type RoleLookup } from './post-service';
import type { Post } from './post-types';

export interface PostsModuleDeps {
  knex: Knex;
  cache: Cache;
  cacheTtlSeconds: number;
  /** The user's current role: admins may change anyone's post. */
  roleOf: RoleLookup;
}

export function createPostsModule(deps: PostsModuleDeps) {
  const cache = new EntityCache<Post>(deps.cache, {
    namespace: 'post',
    ttlSeconds: deps.cacheTtlSeconds,
    dateFields: ['createdAt', 'updatedAt'],
  });
  const posts = new PostService({
    posts: new PostRepository(deps.knex),
    cache,
    roleOf: deps.roleOf,
  });
  return { posts };
}
