import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createDatabase, type Database } from '../../src/platform/database/create-database';
import {
  PreparedStatement,
  sharesOneSession,
} from '../../src/platform/database/prepared-statement';
import { describeIf, services } from '../helpers/describe-if';
import { eventually } from '../helpers/eventually';

const TIMEOUTS = { connectMs: 2_000, poolWaitMs: 2_500, queryMs: 2_500, keepAliveMs: 10_000 };

interface Filter {
  authorId: number;
  beforeId: number;
  limit: number;
}

/** Newest first, below `beforeId`; `limit` as a parameter, an `id > 0` constant in between. */
const pageOf = (knex: Knex, name: string) =>
  new PreparedStatement<Filter, { id: number }>(knex, name, (p) =>
    knex('posts')
      .select('id')
      .where('author_id', p.authorId)
      .where('id', '>', 0)
      .where('id', '<', p.beforeId)
      .orderBy('id', 'desc')
      .limit(p.limit),
  );

/** One pooled connection: what a statement prepared is visible to the next query. */
const openOneConnection = () =>
  createDatabase({
    kind: 'postgres',
    url: process.env.DATABASE_URL!,
    poolMax: 1,
    timeouts: TIMEOUTS,
  });

const preparedNames = async (knex: Knex): Promise<string[]> =>
  (await knex('pg_prepared_statements').pluck('name')) as string[];

describeIf(services.postgres, 'needs PostgreSQL (DATABASE_URL): statements prepared on a server')(
  'PreparedStatement',
  () => {
    let database: Database;
    let authorId: number;
    let postIds: number[];

    beforeAll(async () => {
      database = await openOneConnection();
      const { knex } = database;
      const email = `prepared-${randomUUID()}@example.com`;
      [{ id: authorId }] = await knex('users')
        .insert({ email, email_key: email, name: 'Author', password_hash: 'x' })
        .returning('id');
      const rows: { id: number }[] = await knex('posts')
        .insert(
          Array.from({ length: 5 }, (_, i) => ({ author_id: authorId, title: `${i}`, body: '' })),
        )
        .returning('id');
      postIds = rows.map((row) => row.id).sort((a, b) => b - a);
    });

    afterAll(async () => {
      await database?.knex('users').where({ id: authorId }).delete();
      await database?.close();
    });

    it('when run, then each value binds by its name (the limit too) and constants stay', async () => {
      const page = pageOf(database.knex, `test.page.${randomUUID()}`);
      const rows = await page.rows({ limit: 2, beforeId: postIds[0]!, authorId });
      expect(rows.map((row) => row.id)).toEqual(postIds.slice(1, 3));
      expect(await page.first({ limit: 3, beforeId: postIds[3]!, authorId })).toEqual({
        id: postIds[4],
      });
    });

    it('when a placeholder is not a bound value (knex wrote it into the SQL), then building it throws', () => {
      expect(
        () =>
          new PreparedStatement<{ column: string }, object>(database.knex, 'test.wrong', (p) =>
            database.knex('posts').select('id').orderBy(p.column),
          ),
      ).toThrow('statement test.wrong: column is not a bound value');
    });

    it('when run, then the connection keeps it prepared under its name', async () => {
      const name = `test.named.${randomUUID()}`;
      await pageOf(database.knex, name).rows({ limit: 1, beforeId: postIds[0]!, authorId });
      expect(await preparedNames(database.knex)).toContain(name);
    });

    it('when its connection is lost, then the next run prepares it again on a new one', async () => {
      const page = pageOf(database.knex, `test.reconnect.${randomUUID()}`);
      await page.rows({ limit: 1, beforeId: postIds[0]!, authorId });
      const { pid } = (await database.knex.raw('select pg_backend_pid() as pid')).rows[0];
      const other = await openOneConnection();
      try {
        await other.knex.raw('select pg_terminate_backend(?)', [pid]);
      } finally {
        await other.close();
      }
      // The run that finds the connection dead may fail (503 to a client); the next ones answer.
      const rows = await eventually(
        () => page.rows({ limit: 1, beforeId: postIds[0]!, authorId }).catch(() => undefined),
        'a run on a new connection',
      );
      expect(rows.map((row) => row.id)).toEqual([postIds[1]]);
    });

    it('when the connections share one session (embedded), then it runs unnamed', async () => {
      const shared = await openOneConnection();
      try {
        sharesOneSession(shared.knex);
        const name = `test.unnamed.${randomUUID()}`;
        const rows = await pageOf(shared.knex, name).rows({
          limit: 1,
          beforeId: postIds[0]!,
          authorId,
        });
        expect(rows.map((row) => row.id)).toEqual([postIds[1]]);
        expect(await preparedNames(shared.knex)).toEqual([]);
      } finally {
        await shared.close();
      }
    });

    it('when knex query listeners are attached, then they see the statement and its values', async () => {
      const seen: { sql: string; bindings: unknown[] }[] = [];
      const listener = (query: { sql: string; bindings: unknown[] }) => seen.push(query);
      database.knex.on('query', listener);
      try {
        await pageOf(database.knex, `test.listened.${randomUUID()}`).rows({
          limit: 4,
          beforeId: 99,
          authorId,
        });
      } finally {
        database.knex.off('query', listener);
      }
      expect(seen).toEqual([
        {
          sql: expect.stringMatching(/^select "id" from "posts" where "author_id" = \?/),
          bindings: [authorId, 0, 99, 4],
          method: 'raw',
        },
      ]);
    });
  },
);
