import type { Knex } from 'knex';

/**
 * Gives a user `count` posts in one statement (the API would take minutes for a large user).
 * Bodies are `bodyLength` characters of hex; returns the new posts' ids in id order.
 */
export async function insertPosts(
  knex: Knex,
  authorId: number,
  count: number,
  bodyLength = 64,
): Promise<number[]> {
  await knex.raw(
    `insert into posts (author_id, title, body)
     select ?, 'Post ' || g, left(repeat(md5(g::text), ceil(?::numeric / 32)::int), ?)
     from generate_series(1, ?) as g`,
    [authorId, bodyLength, bodyLength, count],
  );
  return knex('posts').where({ author_id: authorId }).orderBy('id').pluck('id');
}
