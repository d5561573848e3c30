export {
  PostService,
  type ListPostsQuery,
  type Precondition,
  type RoleLookup,
} from './post-service';
export type { Post, PostChanges } from './post-types';
export { createPostsModule } from './posts-module';
