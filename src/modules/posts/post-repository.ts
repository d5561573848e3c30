import type { Knex } from 'knex';
import { ForeignKeyViolationError, raw } from 'objection';
import { DomainError } from '../../kernel/domain-error';
import { PostModel } from './post-model';
import type { NewPost, Post, PostChanges } from './post-types';

/** Posts table access. Objection stays in here; callers get plain objects. */
export class PostRepository {
  private readonly Posts: typeof PostModel;

  constructor(private readonly knex: Knex) {
    this.Posts = PostModel.bindKnex(knex);
  }

  async create(post: NewPost): Promise<Post> {
    try {
      const row = await this.Posts.query().insertAndFetch({
        author_id: post.authorId,
        title: post.title,
        body: post.body,
      });
      return toPost(row);
    } catch (error) {
      // The author's account was deleted while the request was in flight.
      if (error instanceof ForeignKeyViolationError) {
        throw new DomainError('unauthorized', 'The account no longer exists.');
      }
      throw error;
    }
  }

  async findById(id: number): Promise<Post | undefined> {
    const row = await this.Posts.query().findById(id);
    return row && toPost(row);
  }

  /** Newest first; keyset on id, so rows inserted between fetches never shift a page. */
  async listBefore(
    beforeId: number | undefined,
    limit: number,
    authorId?: number,
  ): Promise<Post[]> {
    const query = this.Posts.query().orderBy('id', 'desc').limit(limit);
    if (beforeId !== undefined) query.where('id', '<', beforeId);
    if (authorId !== undefined) query.where('author_id', authorId);
    return (await query).map(toPost);
  }

  /** The newest `perAuthor` posts of each author, in one query whatever the number of authors. */
  async newestByAuthors(authorIds: number[], perAuthor: number): Promise<Post[]> {
    if (authorIds.length === 0) return [];
    const ranked = this.knex('posts')
      .select('*')
      .select(this.knex.raw('row_number() over (partition by author_id order by id desc) as rank'))
      .whereIn('author_id', authorIds)
      .as('ranked');
    const rows = await this.knex
      .from(ranked)
      .where('rank', '<=', perAuthor)
      .orderBy([{ column: 'author_id' }, { column: 'id', order: 'desc' }]);
    return rows.map((row: PostModel) => toPost(row));
  }

  /**
   * Applies the changes when the post still has `expectedVersion` (or always, when undefined).
   * Returns undefined when the post is gone or was changed by someone else in between.
   */
  async countByAuthor(authorId: number): Promise<number> {
    const row = await this.knex('posts')
      .where({ author_id: authorId })
      .count<{ count: string }[]>('* as count')
      .first();
    return Number(row?.count ?? 0);
  }

  /** The author's posts after `afterId`, oldest first: the unit an export reads at a time. */
  async batchByAuthor(authorId: number, afterId: number, size: number): Promise<Post[]> {
    const rows = await this.Posts.query()
      .where('author_id', authorId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(size);
    return rows.map(toPost);
  }

  async update(
    id: number,
    changes: PostChanges,
    expectedVersion?: number,
  ): Promise<Post | undefined> {
    const query = this.Posts.query()
      .findById(id)
      .patch({
        ...changes,
        version: raw('version + 1') as unknown as number,
        updated_at: raw('now()') as unknown as Date,
      })
      .returning('*');
    if (expectedVersion !== undefined) query.where('version', expectedVersion);
    const rows = (await query) as unknown as PostModel[] | PostModel | undefined;
    const row = Array.isArray(rows) ? rows[0] : rows;
    return row && toPost(row);
  }

  async delete(id: number): Promise<boolean> {
    return (await this.Posts.query().deleteById(id)) > 0;
  }
}

function toPost(row: PostModel): Post {
  return {
    id: row.id,
    authorId: row.author_id,
    title: row.title,
    body: row.body,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
