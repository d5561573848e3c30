import type { Knex } from 'knex';

export interface LoggedQuery {
  sql: string;
  bindings: unknown[];
}

/**
 * Records the SQL statements one knex instance sends while `during` runs (knex `query` events),
 * keeping only those that name one of `tables`.
 */
export async function queriesDuring(
  knex: Knex,
  tables: string[],
  during: () => Promise<unknown>,
): Promise<LoggedQuery[]> {
  const named = new RegExp(`"(${tables.join('|')})"`);
  const seen: LoggedQuery[] = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => {
    if (named.test(query.sql)) seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  };
  knex.on('query', listener);
  try {
    await during();
  } finally {
    knex.off('query', listener);
  }
  return seen;
}

/** Selects on the posts table that read this post id (alone, or among a batch of ids). */
export const selectsOfPost = (queries: LoggedQuery[], id: number) =>
  queries.filter(
    (query) =>
      /^select\b/i.test(query.sql) &&
      /from "posts"/.test(query.sql) &&
      query.bindings.some((value) => value === id || (Array.isArray(value) && value.includes(id))),
  );
