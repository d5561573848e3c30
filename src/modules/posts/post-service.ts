import { AppError } from '../../platform/app-error';
import type { EntityCache } from '../../platform/cache/entity-cache';
import { decodeCursor, pageOf } from '../../platform/cursor';
import type { Principal } from '../auth/auth-types';
import type { Page, Role } from '../users/user-types';
import type { PostRepository } from './post-repository';
import type { Post, PostChanges } from './post-types';

/** Decides whether a write may go ahead given the post as it is now (e.g. an If-Match check). */
export type Precondition = (current: Post) => boolean;

export interface ListPostsQuery {
  limit: number;
  cursor?: string;
  authorId?: number;
}

/** Fresh role of a user: admins may edit anyone's post, and a role change applies at once. */
export type RoleLookup = (userId: number) => Promise<Role>;

export class PostService {
  constructor(
    private readonly posts: PostRepository,
    private readonly cache: EntityCache<Post>,
    private readonly roleOf: RoleLookup,
  ) {}

  create(principal: Principal, input: { title: string; body: string }): Promise<Post> {
    return this.posts.create({ authorId: principal.userId, title: input.title, body: input.body });
  }

  async get(id: number): Promise<Post> {
    const post = await this.cache.get(id, () => this.posts.findById(id));
    if (!post) throw notFound(id);
    return post;
  }

  async list(query: ListPostsQuery): Promise<Page<Post>> {
    const beforeId = query.cursor
      ? (decodeCursor(query.cursor, { id: 'number' }).id as number)
      : undefined;
    const rows = await this.posts.listBefore(beforeId, query.limit + 1, query.authorId);
    return pageOf(rows, query.limit, (last) => ({ id: last.id }));
  }

  async update(
    principal: Principal,
    id: number,
    changes: PostChanges,
    precondition?: Precondition,
  ): Promise<Post> {
    const current = await this.posts.findById(id);
    if (!current) throw notFound(id);
    await this.assertMayModify(principal, current);
    if (precondition && !precondition(current)) throw changedSince();
    // With a precondition the write only lands on the version it was checked against.
    const updated = await this.posts.update(
      id,
      changes,
      precondition ? current.version : undefined,
    );
    if (!updated) throw precondition ? changedSince() : notFound(id);
    await this.cache.invalidate(id);
    return updated;
  }

  async remove(principal: Principal, id: number): Promise<void> {
    const current = await this.posts.findById(id);
    if (!current) throw notFound(id);
    await this.assertMayModify(principal, current);
    await this.posts.delete(id);
    await this.cache.invalidate(id);
  }

  private async assertMayModify(principal: Principal, post: Post): Promise<void> {
    if (post.authorId === principal.userId) return;
    if ((await this.roleOf(principal.userId)) === 'admin') return;
    throw new AppError('forbidden', 'Only the author of a post or an admin may change it.');
  }
}

const notFound = (id: number) => new AppError('not-found', `There is no post ${id}.`);
const changedSince = () =>
  new AppError(
    'precondition-failed',
    'The post has changed since the ETag you sent; fetch it again.',
  );
