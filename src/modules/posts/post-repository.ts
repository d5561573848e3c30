import type { Knex } from 'knex';
import { DomainError } from '../../kernel/domain-error';
import { isForeignKeyViolation } from '../../platform/database/pg-errors';
import { PreparedStatement } from '../../platform/database/prepared-statement';
import {
  batchedById,
  batchedByTurn,
  failed,
  ok,
  oncePerKey,
  type Outcome,
} from '../../platform/database/turn-batch';
import type { NewPost, Post, PostChanges } from './post-types';

/** A row of the posts table. */
interface PostRow {
  id: number;
  author_id: number;
  title: string;
  body: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = [
  'id',
  'author_id',
  'title',
  'body',
  'version',
  'created_at',
  'updated_at',
] as const satisfies (keyof PostRow)[];

interface ListFilter {
  beforeId: number;
  authorId: number;
  limit: number;
}

/**
 * Posts table access with knex query builders; callers get plain objects. The statements of the
 * busiest requests (read one, list a page, create) are built once and run prepared.
 */
export class PostRepository {
  private readonly statements;
  /** One turn of the event loop: its reads by id and its creates one statement each, a page once. */
  private readonly batched;

  constructor(private readonly knex: Knex) {
    const posts = () => knex<PostRow>('posts');
    const page = (filter: (query: Knex.QueryBuilder, p: ListFilter) => void) => (p: ListFilter) => {
      const query = posts().select(COLUMNS).orderBy('id', 'desc').limit(p.limit);
      filter(query, p);
      return query;
    };
    const prepared = <P extends object>(
      name: string,
      build: (p: { readonly [K in keyof P]: P[K] }) => Knex.QueryBuilder | Knex.Raw,
    ) => new PreparedStatement<P, PostRow>(knex, `posts.${name}`, build);
    this.statements = {
      create: prepared<NewPost>('create', (p) =>
        posts().insert({ author_id: p.authorId, title: p.title, body: p.body }).returning(COLUMNS),
      ),
      // Rows inserted in the order given: identity values rise with it, whatever order RETURNING
      // lists them in.
      createMany: prepared<{ authorIds: number[]; titles: string[]; bodies: string[] }>(
        'create-many',
        (p) =>
          knex.raw(
            `insert into "posts" (author_id, title, body)
             select author_id, title, body
             from unnest(?::bigint[], ?::text[], ?::text[]) with ordinality as new (author_id, title, body, n)
             order by n
             returning ${COLUMNS.join(', ')}`,
            [p.authorIds, p.titles, p.bodies],
          ),
      ),
      byIds: prepared<{ ids: number[] }>('by-ids', (p) =>
        posts().select(COLUMNS).whereRaw('id = any(?::bigint[])', [p.ids]),
      ),
      // One statement per combination of filters: each keeps its own plan.
      page: prepared<ListFilter>(
        'page',
        page(() => {}),
      ),
      pageBefore: prepared<ListFilter>(
        'page-before',
        page((query, p) => query.where('id', '<', p.beforeId)),
      ),
      pageOfAuthor: prepared<ListFilter>(
        'page-of-author',
        page((query, p) => query.where('author_id', p.authorId)),
      ),
      pageOfAuthorBefore: prepared<ListFilter>(
        'page-of-author-before',
        page((query, p) => query.where('id', '<', p.beforeId).where('author_id', p.authorId)),
      ),
    };
    this.batched = {
      create: batchedByTurn((posts: readonly NewPost[]) => this.createAll(posts)),
      byId: batchedById(this.statements.byIds),
      page: batchedByTurn((filters: readonly ListFilter[]) =>
        oncePerKey(
          filters,
          (f) => `${f.beforeId}:${f.authorId}:${f.limit}`,
          (f) => this.pageStatement(f).rows(f),
        ),
      ),
    };
  }

  /**
   * The posts created in one turn of the event loop are inserted by one statement: one round trip
   * and one commit (one WAL flush) for all of them. Each request still waits for its row to be
   * committed before it is answered.
   */
  async create(post: NewPost): Promise<Post> {
    return toPost(await this.batched.create.load(post));
  }

  private async createAll(posts: readonly NewPost[]): Promise<Outcome<PostRow>[]> {
    if (posts.length === 1) return [ok(await this.createOne(posts[0]!))];
    try {
      const rows = await this.statements.createMany.rows({
        authorIds: posts.map((post) => post.authorId),
        titles: posts.map((post) => post.title),
        bodies: posts.map((post) => post.body),
      });
      return rows.sort((a, b) => a.id - b.id).map(ok);
    } catch (error) {
      // One row the statement refused (its author's account was deleted meanwhile) fails them
      // all: each goes again on its own, so only that one fails.
      if (!isForeignKeyViolation(error)) throw error;
      return Promise.all(posts.map((post) => this.createOne(post).then(ok, failed)));
    }
  }

  private async createOne(post: NewPost): Promise<PostRow> {
    try {
      return (await this.statements.create.first(post))!;
    } catch (error) {
      // The author's account was deleted while the request was in flight.
      if (isForeignKeyViolation(error)) {
        throw new DomainError('unauthorized', 'The account no longer exists.');
      }
      throw error;
    }
  }

  /** Reads by id of one turn of the event loop go to PostgreSQL as one statement. */
  async findById(id: number): Promise<Post | undefined> {
    const row = await this.batched.byId.load(id);
    return row && toPost(row);
  }

  /**
   * Newest first; keyset on id, so rows inserted between fetches never shift a page. Requests for
   * the same page in one turn of the event loop share one statement (the first page, mostly).
   */
  async listBefore(
    beforeId: number | undefined,
    limit: number,
    authorId?: number,
  ): Promise<Post[]> {
    const rows = await this.batched.page.load({
      beforeId: beforeId ?? 0,
      authorId: authorId ?? 0,
      limit,
    });
    return rows.map(toPost);
  }

  /** 0 stands for no filter: ids start at 1. */
  private pageStatement({ beforeId, authorId }: ListFilter) {
    const { page, pageBefore, pageOfAuthor, pageOfAuthorBefore } = this.statements;
    if (authorId === 0) return beforeId === 0 ? page : pageBefore;
    return beforeId === 0 ? pageOfAuthor : pageOfAuthorBefore;
  }

  /** The newest `perAuthor` posts of each author, in one query whatever the number of authors. */
  async newestByAuthors(authorIds: number[], perAuthor: number): Promise<Post[]> {
    if (authorIds.length === 0) return [];
    const ranked = this.knex('posts')
      .select('*')
      .select(this.knex.raw('row_number() over (partition by author_id order by id desc) as rank'))
      .whereIn('author_id', authorIds)
      .as('ranked');
    const rows: PostRow[] = await this.knex
      .from(ranked)
      .where('rank', '<=', perAuthor)
      .orderBy([{ column: 'author_id' }, { column: 'id', order: 'desc' }]);
    return rows.map(toPost);
  }

  async countByAuthor(authorId: number): Promise<number> {
    const row = await this.knex('posts')
      .where({ author_id: authorId })
      .count<{ count: string }[]>('* as count')
      .first();
    return Number(row?.count ?? 0);
  }

  /** The author's posts after `afterId`, oldest first: the unit an export reads at a time. */
  async batchByAuthor(authorId: number, afterId: number, size: number): Promise<Post[]> {
    const rows = await this.knex<PostRow>('posts')
      .where('author_id', authorId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(size);
    return rows.map(toPost);
  }

  /**
   * Applies the changes when the post still has `expectedVersion` (or always, when undefined).
   * Returns undefined when the post is gone or was changed by someone else in between.
   */
  async update(
    id: number,
    changes: PostChanges,
    expectedVersion?: number,
  ): Promise<Post | undefined> {
    const query = this.knex<PostRow>('posts')
      .where({ id })
      .update({
        ...changes,
        version: this.knex.raw('version + 1') as unknown as number,
        updated_at: this.knex.fn.now() as unknown as Date,
      })
      .returning('*');
    if (expectedVersion !== undefined) query.where('version', expectedVersion);
    const [row] = await query;
    return row && toPost(row as PostRow);
  }

  async delete(id: number): Promise<boolean> {
    return (await this.knex('posts').where({ id }).delete()) > 0;
  }
}

function toPost(row: PostRow): Post {
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
