import type { PostId, UserId } from '../../kernel/ids';
import { decodeCursor, pageOf, type Page } from '../../kernel/page';
import type { Principal } from '../../kernel/principal';
import type { Role } from '../../kernel/role';
import { DomainError } from '../../kernel/domain-error';
import type { EntityCache } from '../../platform/cache/entity-cache';
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
export type RoleLookup = (userId: UserId) => Promise<Role>;

export interface PostServiceDeps {
  posts: PostRepository;
  cache: EntityCache<Post>;
  roleOf: RoleLookup;
}

export class PostService {
  private readonly posts: PostRepository;
  private readonly cache: EntityCache<Post>;

  constructor(private readonly deps: PostServiceDeps) {
    this.posts = deps.posts;
    this.cache = deps.cache;
  }

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

  /** The newest `perAuthor` posts of each author, in one query whatever the number of authors. */
  newestByAuthors(authorIds: UserId[], perAuthor: number): Promise<Post[]> {
    return this.posts.newestByAuthors(authorIds, perAuthor);
  }

  countByAuthor(authorId: UserId): Promise<number> {
    return this.posts.countByAuthor(authorId);
  }

  /** The author's posts after `afterId`, oldest first. */
  batchByAuthor(authorId: UserId, afterId: PostId, size: number): Promise<Post[]> {
    return this.posts.batchByAuthor(authorId, afterId, size);
  }

  /** Drops cached copies of posts deleted along with their author. */
  async forget(ids: PostId[]): Promise<void> {
    await Promise.all(ids.map((id) => this.cache.invalidate(id)));
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
    if ((await this.deps.roleOf(principal.userId)) === 'admin') return;
    throw new DomainError('forbidden', 'Only the author of a post or an admin may change it.');
  }
}

const notFound = (id: number) => new DomainError('not-found', `There is no post ${id}.`);
const changedSince = () =>
  new DomainError(
    'precondition-failed',
    'The post has changed since the ETag you sent; fetch it again.',
  );
