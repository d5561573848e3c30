import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache/cache';
import { EntityCache } from '../../platform/cache/entity-cache';
import { PostRepository } from './post-repository';
import { PostService, type RoleLookup } from './post-service';
import type { Post } from './post-types';

export interface PostsPlatform {
  knex: Knex;
  /** The cache for users and posts (reads through when entity caching is off). */
  entityCache: Cache;
}

export interface PostsSettings {
  cacheTtlSeconds: number;
}

export interface PostsUses {
  /** The user's current role: admins may change anyone's post. */
  roleOf: RoleLookup;
}

export function createPostsModule(
  platform: PostsPlatform,
  settings: PostsSettings,
  uses: PostsUses,
) {
  const cache = new EntityCache<Post>(platform.entityCache, {
    namespace: 'post',
    ttlSeconds: settings.cacheTtlSeconds,
    dateFields: ['createdAt', 'updatedAt'],
  });
  const posts = new PostService({
    posts: new PostRepository(platform.knex),
    cache,
    roleOf: uses.roleOf,
  });
  return { posts };
}
