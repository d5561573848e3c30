import type { Knex } from 'knex';
import type { Database } from '../../src/platform/database/create-database';

/**
 * Gives a user `count` posts in one statement (the API would take minutes for a large user), on a
 * connection without the app's statement timeout. Bodies are `bodyLength` characters of hex;
 * returns the new posts' ids in id order.
 */
export async function insertPosts(
  database: Database,
  authorId: number,
  count: number,
  bodyLength = 64,
): Promise<number[]> {
  return database.unbounded((knex) => insert(knex, authorId, count, bodyLength));
}

async function insert(knex: Knex, authorId: number, count: number, bodyLength: number) {
  await knex.raw(
    `insert into posts (author_id, title, body)
     select ?, 'Post ' || g, left(repeat(md5(g::text), ceil(?::numeric / 32)::int), ?)
     from generate_series(1, ?) as g`,
    [authorId, bodyLength, bodyLength, count],
  );
  return knex('posts').where({ author_id: authorId }).orderBy('id').pluck('id');
}
